import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { probeLocalStack } from "../../../../tools/local/targets/localstack-health.ts";
import { readOutputsFile } from "../../../../tools/local/targets/outputs-file.ts";
import { TargetError } from "../../../../tools/local/targets/target-error.ts";
import { type FakeWorld, fakeWorld } from "./fakes.ts";

let world: FakeWorld;
let servers: Server[] = [];
beforeEach(() => {
  world = fakeWorld();
});
afterEach(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  servers = [];
  world.dispose();
});

function outputsFile(content: string): string {
  const file = join(world.root, "outputs.json");
  writeFileSync(file, content);
  return file;
}

/** A health endpoint answering HTTP 200 with `body`. */
async function answering(body: string): Promise<string> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "application/json" }).end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("the outputs file of cdk deploy", () => {
  it("reads a stack's outputs", () => {
    const file = outputsFile(JSON.stringify({ Stack: { QueueUrl: "https://q" } }));
    expect(readOutputsFile(file, "Stack")).toEqual({ QueueUrl: "https://q" });
  });

  it("names the file when it is not JSON", () => {
    const file = outputsFile("{ not json");
    expect(() => readOutputsFile(file, "Stack")).toThrow(TargetError);
    expect(() => readOutputsFile(file, "Stack")).toThrow(new RegExp(`^outputs file ${file} is not JSON: `));
  });

  it("names the file and the offending entry when it is not { stack: { output: string } }", () => {
    expect(() => readOutputsFile(outputsFile("[1, 2]"), "Stack")).toThrow(
      /^outputs file .*outputs.json is not what `cdk deploy --outputs-file` writes/,
    );
    const file = outputsFile(JSON.stringify({ Stack: { QueueUrl: 42 } }));
    expect(() => readOutputsFile(file, "Stack")).toThrow(TargetError);
    expect(() => readOutputsFile(file, "Stack")).toThrow(/Stack\.QueueUrl: /);
  });
});

describe("LocalStack's health answer", () => {
  it("takes an answer whose service states are not strings as not LocalStack, naming the endpoint and field", async () => {
    const endpoint = await answering(JSON.stringify({ services: { sqs: 1 }, version: "4.14.0" }));
    const health = await probeLocalStack(endpoint, 5_000);
    expect(health.kind).toBe("not-localstack");
    expect(health.kind === "not-localstack" && health.reason).toMatch(
      new RegExp(`^${endpoint}/_localstack/health answered .*services\\.sqs`),
    );
  });

  it("takes a body that is not JSON as not LocalStack", async () => {
    const endpoint = await answering("<html>hello</html>");
    const health = await probeLocalStack(endpoint, 5_000);
    expect(health).toMatchObject({ kind: "not-localstack" });
    expect(health.kind === "not-localstack" && health.reason).toContain(`${endpoint}/_localstack/health`);
  });

  it("reads a LocalStack answer", async () => {
    const endpoint = await answering(
      JSON.stringify({ services: { sqs: "running", kms: "error" }, version: "4.14.0", edition: "community" }),
    );
    expect(await probeLocalStack(endpoint, 5_000)).toEqual({
      kind: "running",
      version: "4.14.0",
      edition: "community",
      unavailable: ["kms"],
    });
  });
});
