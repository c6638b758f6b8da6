import {
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ResourceNotFoundException,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FunctionError, type LocalCloud, startLocal } from "../../../tools/local/index.ts";
import { fixtureCloudAssembly } from "../../fixtures/local/synth-once.ts";
import { waitFor } from "../../helpers/wait.ts";

interface Echo {
  role?: string;
  queueUrl?: string;
  tableName?: string;
  extra?: string;
  endpoint?: string;
  region?: string;
  functionName: string;
  requestId: string;
  remaining: number;
  previousMarker?: string;
  previousEnv?: string;
  home?: string;
}

let cloud: LocalCloud;
let lambda: LambdaClient;
beforeAll(async () => {
  process.env.MUTATED = "host";
  cloud = await startLocal({ ...fixtureCloudAssembly(), environment: { EXTRA: "from-startLocal" } });
  lambda = new LambdaClient({
    region: cloud.region,
    endpoint: cloud.endpoints.lambda,
    credentials: cloud.credentials,
  });
});
afterAll(async () => {
  lambda?.destroy();
  await cloud?.stop();
});

const echo = async (id: string, event: object = {}) => (await cloud.invoke(id, event)) as Echo;

describe("Lambda functions in worker threads", () => {
  it("see their own resolved environment plus overrides, local endpoints, region and a Lambda context", async () => {
    const result = await echo("Echo");
    expect(result.role).toBe("echo");
    expect(result.queueUrl).toBe(cloud.outputs.WorkQueueUrl);
    expect(result.tableName).toBeUndefined();
    expect(result.extra).toBe("from-startLocal");
    expect(result.endpoint).toBe(cloud.endpoints.sqs);
    expect(result.region).toBe("us-east-1");
    expect(result.functionName).toBe(cloud.outputs.EchoFunctionName);
    expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.remaining).toBeGreaterThan(0);
    expect(result.remaining).toBeLessThanOrEqual(1000);
    expect(result.home).toBeUndefined();
  });

  it("isolate functions: globals and process.env changes stay in their own environment", async () => {
    await echo("Echo", { setGlobal: "one", setEnv: "changed" });
    const again = await echo("Echo");
    expect(again.previousMarker).toBe("one");
    expect(again.previousEnv).toBe("changed");
    const other = await echo("EchoTwo");
    expect(other.role).toBe("echo-two");
    expect(other.previousMarker).toBeUndefined();
    expect(other.previousEnv).toBeUndefined();
    expect(process.env.MUTATED).toBe("host");
  });

  it("report each function's own CPU time (its worker threads), and refuse an unknown function", async () => {
    await echo("EchoTwo");
    const echoBefore = await cloud.functionCpuMicros("Echo");
    const otherBefore = await cloud.functionCpuMicros("EchoTwo");
    await echo("Echo", { spinMs: 300 });
    const echoUsed = (await cloud.functionCpuMicros("Echo")) - echoBefore;
    const otherUsed = (await cloud.functionCpuMicros("EchoTwo")) - otherBefore;
    // 300 ms of busy wall time is at least 150 ms of CPU on a loaded 2-core machine.
    expect(echoUsed).toBeGreaterThan(150_000);
    expect(otherUsed).toBeLessThan(50_000);
    await expect(cloud.functionCpuMicros("NoSuchFunction")).rejects.toThrow(/no function NoSuchFunction/);
  });

  it("enforce the timeout: the invocation fails with Sandbox.Timedout and the next one cold-starts", async () => {
    const attempt = cloud.invoke("EchoTwo", { sleepMs: 5_000 });
    await expect(attempt).rejects.toThrow(FunctionError);
    await expect(attempt).rejects.toThrow(/Sandbox.Timedout: Task timed out after 1.00 seconds/);
    const after = await echo("EchoTwo");
    expect(after.role).toBe("echo-two");
    const results = cloud.spy.filter("lambda.result", (e) => e.functionLogicalId.startsWith("EchoTwo"));
    expect(results.at(-1)?.coldStart).toBe(true);
  });

  it("report handler errors with their type", async () => {
    await expect(cloud.invoke("Echo", { fail: "bad input" })).rejects.toThrow("TypeError: bad input");
  });

  it("reject unknown function names", async () => {
    await expect(cloud.invoke("Nope", {})).rejects.toThrow(/no function Nope in this stack/);
  });
});

describe("the local Lambda API through @aws-sdk/client-lambda", () => {
  it("invokes RequestResponse by name and returns the payload", async () => {
    const response = await lambda.send(
      new InvokeCommand({
        FunctionName: cloud.outputs.EchoFunctionName,
        Payload: Buffer.from(JSON.stringify({ hi: 1 })),
      }),
    );
    expect(response.StatusCode).toBe(200);
    expect(response.FunctionError).toBeUndefined();
    expect(JSON.parse(Buffer.from(response.Payload ?? []).toString()).event).toEqual({ hi: 1 });
  });

  it("reports a function error as Unhandled with the error payload", async () => {
    const response = await lambda.send(
      new InvokeCommand({
        FunctionName: cloud.outputs.EchoFunctionName,
        Payload: Buffer.from(JSON.stringify({ fail: "nope" })),
      }),
    );
    expect(response.FunctionError).toBe("Unhandled");
    expect(JSON.parse(Buffer.from(response.Payload ?? []).toString())).toMatchObject({
      errorType: "TypeError",
      errorMessage: "nope",
    });
  });

  it("accepts Event invocations with 202 and runs them in the background", async () => {
    const response = await lambda.send(
      new InvokeCommand({
        FunctionName: cloud.outputs.EchoFunctionName,
        InvocationType: "Event",
        Payload: Buffer.from('{"async":true}'),
      }),
    );
    expect(response.StatusCode).toBe(202);
    await waitFor(() =>
      cloud.spy.find("lambda.result", (e) => e.ok && (e.payload ?? "").includes('"async":true')),
    );
  });

  it("answers GetFunctionConfiguration with the function's own variables, and 404 for unknown functions", async () => {
    const config = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: cloud.outputs.WorkerFunctionName }),
    );
    expect(config.Timeout).toBe(2);
    expect(config.Environment?.Variables).toEqual({
      TABLE_NAME: cloud.outputs.TableName,
      ROLE: "worker",
      EXTRA: "from-startLocal",
    });
    await expect(lambda.send(new InvokeCommand({ FunctionName: "missing" }))).rejects.toThrow(
      ResourceNotFoundException,
    );
  });
});
