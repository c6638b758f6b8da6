import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TEST_DEPLOYMENT_CONTEXT } from "../../../../stacks/test-deployment.ts";
import { patternFor } from "../../../../tools/local/patterns.ts";
import {
  localstackTarget,
  noLocalStackMessage,
  TargetError,
} from "../../../../tools/local/targets/deployed.ts";
import { HEALTH_TIMEOUT_MS } from "../../../../tools/local/targets/localstack-health.ts";
import { type Call, closedPort, type FakeWorld, fakeWorld, stubHealth } from "./fakes.ts";

const pattern = patternFor("sns-sqs-fanout");
const OUTPUTS = { TopicArn: "arn:aws:sns:eu-west-1:000000000000:orders" };

let world: FakeWorld;
let closers: (() => Promise<void>)[] = [];
beforeEach(() => {
  world = fakeWorld();
});
afterEach(async () => {
  for (const close of closers) await close();
  closers = [];
  world.dispose();
});

async function health(mode: Parameters<typeof stubHealth>[0]) {
  const stub = await stubHealth(mode);
  closers.push(stub.close);
  return stub;
}

/** The environment of a user shell: fakes on PATH, a region, a leftover endpoint export. */
function shell(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: world.bin,
    HOME: world.root,
    FAKE_OUTPUTS: JSON.stringify(OUTPUTS),
    FAKE_COMPOSE_MARKER: world.composeMarker,
    ...extra,
  };
}

async function open(
  env: NodeJS.ProcessEnv,
  endpoint?: string,
  commands: Partial<FakeWorld["commands"]> = {},
  probeTimeoutMs?: number,
) {
  const lines: string[] = [];
  const target = await localstackTarget(pattern, {
    faults: true,
    endpoint,
    probeTimeoutMs,
    env,
    root: world.root,
    commands: { ...world.commands, ...commands },
    progress: (line) => lines.push(line),
  });
  return { target, lines };
}

const byProgram = (calls: Call[], program: string) => calls.filter((c) => c.program === program);

describe("localstack target", () => {
  it("uses a LocalStack that already answers as is: no Docker, bootstrap and deploy in one region", async () => {
    const stub = await health("answers");
    const before = world.cdkOutHash();
    const { target, lines } = await open(
      shell({ AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL_SQS: "http://127.0.0.1:1" }),
      stub.endpoint,
    );

    // The embedded cloud's cdk.out is untouched; the target wrote its own.
    expect(world.cdkOutHash()).toBe(before);
    expect(byProgram(world.calls(), "docker")).toEqual([]);
    const [bootstrap, deploy, ...rest] = byProgram(world.calls(), "cdklocal");
    expect(rest).toEqual([]);
    expect(bootstrap?.args).toEqual([
      "bootstrap",
      "aws://000000000000/eu-west-1",
      "--output",
      "cdk.out.localstack",
    ]);
    expect(deploy?.args).toEqual([
      "deploy",
      "SnsSqsFanoutStack",
      "--require-approval",
      "never",
      "--outputs-file",
      join(world.root, ".local-cloud", "outputs-localstack.json"),
      "--output",
      "cdk.out.localstack",
      "-c",
      `${TEST_DEPLOYMENT_CONTEXT}=true`,
      ...pattern.faultContext,
    ]);
    for (const call of [bootstrap, deploy]) {
      expect(call?.cwd).toBe(world.root);
      // What the CDK CLI sees after aws-cdk-local's own environment handling: the region kept,
      // every endpoint the configured one, no leftover per-service endpoint.
      expect(call?.env).toMatchObject({
        AWS_REGION: "eu-west-1",
        AWS_DEFAULT_REGION: "eu-west-1",
        AWS_ENDPOINT_URL: stub.endpoint,
        AWS_ENDPOINT_URL_S3: stub.endpoint,
        AWS_ACCESS_KEY_ID: "test",
      });
      expect(call?.env.AWS_ENDPOINT_URL_SQS).toBeUndefined();
    }
    expect(target.outputs).toEqual(OUTPUTS);
    expect(target.clientConfig("sqs")).toEqual({
      region: "eu-west-1",
      endpoint: stub.endpoint,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    expect(lines).toContain(`LocalStack 4.14.0 (community) answers at ${stub.endpoint}: using it as is`);
    expect(
      lines.some((l) =>
        l.startsWith(`test deployment (-c ${TEST_DEPLOYMENT_CONTEXT}=true): consumer timeout 3 s`),
      ),
    ).toBe(true);
  });

  it("takes the endpoint from LOCALSTACK_ENDPOINT, and the region from AWS_DEFAULT_REGION, else us-east-1", async () => {
    const stub = await health("answers");
    const { target } = await open(
      shell({ LOCALSTACK_ENDPOINT: stub.endpoint, AWS_DEFAULT_REGION: "ap-south-1" }),
    );
    expect(target.clientConfig("sns")).toMatchObject({ endpoint: stub.endpoint, region: "ap-south-1" });
    expect(byProgram(world.calls(), "cdklocal")[0]?.env.AWS_REGION).toBe("ap-south-1");

    const again = await open(shell({ LOCALSTACK_ENDPOINT: stub.endpoint }));
    expect(again.target.clientConfig("sns").region).toBe("us-east-1");
    expect(byProgram(world.calls(), "cdklocal")[2]?.args[1]).toBe("aws://000000000000/us-east-1");
  });

  it("starts docker-compose.yml when nothing answers and a Docker engine does, then deploys", async () => {
    const stub = await health({ untilMarker: world.composeMarker });
    const { target, lines } = await open(shell({ AWS_REGION: "eu-west-1" }), stub.endpoint);
    const docker = byProgram(world.calls(), "docker");
    expect(docker.map((c) => c.args)).toEqual([
      ["info", "--format", "{{.ServerVersion}}"],
      ["compose", "-f", join(world.root, "docker-compose.yml"), "up", "-d", "--wait", "localstack"],
    ]);
    // docker-compose.yml publishes the endpoint's port on loopback.
    expect(docker[1]?.env.LOCALSTACK_PORT).toBe(new URL(stub.endpoint).port);
    expect(lines.some((l) => l.startsWith(`no LocalStack answers at ${stub.endpoint} (`))).toBe(true);
    expect(byProgram(world.calls(), "cdklocal").map((c) => c.args[0])).toEqual(["bootstrap", "deploy"]);
    expect(target.clientConfig("dynamodb").region).toBe("eu-west-1");
  });

  it("without LocalStack and without Docker, says both ways to start one in one line", async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const attempt = open(shell(), endpoint, { docker: join(world.root, "no-docker-here") });
    await expect(attempt).rejects.toThrow(TargetError);
    const message = await attempt.then(
      () => "",
      (error: Error) => error.message,
    );
    expect(message).toBe(noLocalStackMessage(endpoint, "connection refused"));
    expect(message.split("\n")).toHaveLength(1);
    expect(message).toMatch(
      /`localstack start`.*--endpoint or LOCALSTACK_ENDPOINT.*start Docker.*docker compose up -d --wait localstack/,
    );
    expect(world.calls()).toEqual([]);
  });

  it("treats a Docker CLI whose engine is down like no Docker, and a reset connection like none", async () => {
    const stub = await health("refuses");
    const attempt = open(shell({ FAKE_DOCKER_ENGINE: "down" }), stub.endpoint);
    await expect(attempt).rejects.toThrow(
      /^no LocalStack answers at .* and no Docker engine is there to start one/,
    );
    expect(byProgram(world.calls(), "docker").map((c) => c.args[0])).toEqual(["info"]);
    expect(byProgram(world.calls(), "cdklocal")).toEqual([]);
  });

  it("gives up on a LocalStack that does not answer within the probe timeout (2 s by default)", async () => {
    const stub = await health("slow");
    const attempt = open(shell(), stub.endpoint, { docker: join(world.root, "no-docker-here") }, 50);
    await expect(attempt).rejects.toThrow(noLocalStackMessage(stub.endpoint, "no answer within 0.05 s"));
    expect(stub.requests()).toBe(1);
    expect(HEALTH_TIMEOUT_MS).toBe(2000);
  });

  it("refuses what is not LocalStack, a LocalStack without a needed service, and an unreachable remote endpoint", async () => {
    const other = await health("not-localstack");
    await expect(open(shell(), other.endpoint)).rejects.toThrow(
      /answered HTTP 404 without LocalStack's service list/,
    );
    const partial = await health({ services: { dynamodb: "disabled" } });
    await expect(open(shell(), partial.endpoint)).rejects.toThrow(/lacks dynamodb \(disabled or failed\)/);
    // Both stacks create AWS::CloudWatch::Alarm resources: a deploy without CloudWatch fails half-way.
    const noAlarms = await health({ services: { cloudwatch: "disabled" } });
    await expect(open(shell(), noAlarms.endpoint)).rejects.toThrow(/lacks cloudwatch \(disabled or failed\)/);
    await expect(open(shell(), "http://localstack.invalid:4566")).rejects.toThrow(
      /^no LocalStack answers at http:\/\/localstack.invalid:4566 \(.*\); start it there, or drop --endpoint/,
    );
    expect(world.calls()).toEqual([]);
  });

  it("rejects an endpoint that is not an origin", async () => {
    await expect(open(shell(), "localhost:4566")).rejects.toThrow(
      /must be http\(s\):\/\/host\[:port\] without a path/,
    );
    await expect(open(shell(), "http://localhost:4566/x")).rejects.toThrow(/without a path/);
  });

  it("reports a failed deploy with its output", async () => {
    const stub = await health("answers");
    await expect(open(shell({ FAKE_FAIL: "deploy" }), stub.endpoint)).rejects.toThrow(
      /cdklocal deploy failed \(exit 3\):\ndeploy went wrong/,
    );
  });
});
