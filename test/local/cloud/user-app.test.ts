import { readFileSync } from "node:fs";
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCloud, startLocal } from "../../../tools/local/index.ts";
import { userAppCloudAssembly } from "../../fixtures/user-app/synth-once.ts";
import { MANY_QUEUES, USER_STACKS } from "../../fixtures/user-app/user-app.ts";
import { waitFor } from "../../helpers/wait.ts";

/** A stack that is not one of ours must just run: CDK defaults, CommonJS, managed log groups, 60 pollers. */
describe("a user's own CDK app", () => {
  let cloud: LocalCloud;
  let sqs: SQSClient;
  const logs: string[] = [];
  beforeAll(async () => {
    const { cdkOut } = userAppCloudAssembly();
    cloud = await startLocal({
      stack: USER_STACKS.orders,
      cdkOut,
      logs: (_fn, _stream, chunk) => logs.push(chunk),
    });
    sqs = new SQSClient({
      region: cloud.region,
      endpoint: cloud.endpoints.sqs,
      credentials: cloud.credentials,
    });
  }, 120_000);
  afterAll(async () => {
    sqs?.destroy();
    await cloud?.stop();
  });

  it("starts with the CDK-managed log group named /aws/lambda/ + Ref of its function", () => {
    const logGroup = [...cloud.resources.values()].find((r) => r.type === "AWS::Logs::LogGroup");
    expect(logGroup?.ref).toBe(`/aws/lambda/${cloud.outputs.FunctionName}`);
  });

  it("loads a CommonJS NodejsFunction bundle that sits under a package.json with type module", async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: cloud.outputs.OrdersUrl, MessageBody: "order-1" }));
    const result = await waitFor(() => cloud.spy.find("lambda.result", (e) => e.source !== "api"), {
      timeoutMs: 20_000,
      description: "the mapped function's result",
    });
    expect(result.errorMessage).toBeUndefined();
    expect(JSON.parse(result.payload ?? "{}")).toEqual({ processed: 1 });
  });

  it("writes the Lambda runtime's START, END and REPORT lines, and ERROR Invoke Error on a failure", async () => {
    const ok = await waitFor(() => cloud.spy.find("lambda.result", (e) => e.ok));
    const text = () => logs.join("");
    await waitFor(() => text().includes(`REPORT RequestId: ${ok.requestId}`), { description: "REPORT line" });
    expect(text()).toContain(`START RequestId: ${ok.requestId} Version: $LATEST\n`);
    expect(text()).toContain(`END RequestId: ${ok.requestId}\n`);
    expect(text()).toMatch(
      new RegExp(
        `REPORT RequestId: ${ok.requestId}\\tDuration: \\d+\\.\\d{2} ms\\tBilled Duration: \\d+ ms\\t` +
          "Memory Size: 256 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d{2} ms\\n",
      ),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: cloud.outputs.OrdersUrl, MessageBody: "reject-2" }));
    const failed = await waitFor(() => cloud.spy.find("lambda.result", (e) => !e.ok), { timeoutMs: 20_000 });
    await waitFor(() => text().includes(`REPORT RequestId: ${failed.requestId}`), {
      description: "REPORT line",
    });
    const line = text()
      .split("\n")
      .find((l) => l.includes(failed.requestId) && l.includes("ERROR"));
    expect(line).toMatch(
      new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${failed.requestId}\\tERROR\\tInvoke Error \\t`),
    );
    const error = JSON.parse(line?.split("Invoke Error \t")[1] ?? "{}") as Record<string, unknown>;
    expect(error).toMatchObject({ errorType: "Error", errorMessage: "order rejected: reject-2" });
    expect(Array.isArray(error.stack)).toBe(true);
  });

  it("listens on 127.0.0.1 only, for every endpoint", () => {
    const listening = listeningSockets();
    for (const [name, endpoint] of Object.entries(cloud.endpoints)) {
      const port = Number(new URL(endpoint).port);
      const sockets = listening.filter((s) => s.port === port);
      expect(sockets.length, `${name} ${endpoint}`).toBeGreaterThan(0);
      for (const socket of sockets) expect(socket.address, `${name} listens on`).toBe("127.0.0.1");
    }
  });
});

describe("a user's stack with 60 SQS event source mappings", () => {
  let cloud: LocalCloud;
  let sqs: SQSClient;
  beforeAll(async () => {
    cloud = await startLocal({ stack: USER_STACKS.manyQueues, cdkOut: userAppCloudAssembly().cdkOut });
    sqs = new SQSClient({
      region: cloud.region,
      endpoint: cloud.endpoints.sqs,
      credentials: cloud.credentials,
    });
  }, 120_000);
  afterAll(async () => {
    sqs?.destroy();
    await cloud?.stop();
  });

  it("deletes every processed message once: no redelivery, nothing dead-lettered", async () => {
    const last = MANY_QUEUES - 1;
    const queueUrl = cloud.outputs[`Queue${last}Url`] as string;
    const bodies = ["one", "two", "three"];
    for (const body of bodies)
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    const depth = async (url: string) => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      );
      return (
        Number(Attributes.ApproximateNumberOfMessages) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible)
      );
    };
    await waitFor(async () => (await depth(queueUrl)) === 0, {
      timeoutMs: 60_000,
      description: "an empty queue",
    });
    const invocations = cloud.spy
      .events("lambda.invoke")
      .flatMap((e) => (JSON.parse(e.payload) as { Records: { body: string }[] }).Records.map((r) => r.body));
    expect(invocations.sort()).toEqual([...bodies].sort());
    expect(await depth(cloud.outputs[`Dlq${last}Url`] as string)).toBe(0);
  }, 90_000);
});

/** Listening TCP sockets of this machine (Linux /proc), with their local IPv4/IPv6 address. */
function listeningSockets(): { address: string; port: number }[] {
  const sockets: { address: string; port: number }[] = [];
  for (const [file, v6] of [
    ["/proc/net/tcp", false],
    ["/proc/net/tcp6", true],
  ] as const) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state !== "0A" || !local) continue; // 0A = LISTEN
      const [hex = "", portHex = "0"] = local.split(":");
      sockets.push({ address: v6 ? ipv6(hex) : ipv4(hex), port: Number.parseInt(portHex, 16) });
    }
  }
  return sockets;
}

function ipv4(hex: string): string {
  const bytes = hex.match(/../g) ?? [];
  return bytes
    .reverse()
    .map((b) => Number.parseInt(b, 16))
    .join(".");
}

function ipv6(hex: string): string {
  if (/^0{32}$/.test(hex)) return "::";
  if (hex === "00000000000000000000000001000000") return "::1";
  if (hex.startsWith("0000000000000000FFFF0000")) return ipv4(hex.slice(24));
  return hex;
}
