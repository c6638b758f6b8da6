import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type CliIo, main } from "../../../tools/cost/cli.ts";
import { CatalogueError, WorkloadError } from "../../../tools/cost/errors.ts";
import { loadPrices, validateCatalogue } from "../../../tools/cost/prices/catalogue.ts";
import { resolveWorkload, WORKLOAD_FLAGS, workloadSchema } from "../../../tools/cost/workload.ts";

const work = mkdtempSync(join(tmpdir(), "cost-errors-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd: work };
  const code = await main(args, io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("typed errors", () => {
  it("resolveWorkload throws a WorkloadError whose issues and message name the CLI flag, not the field", () => {
    let caught: unknown;
    try {
      resolveWorkload({ messagesPerSecond: 1, payloadBytes: 2_000_000, fanOut: 0 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WorkloadError);
    const e = caught as WorkloadError;
    expect(e.issues.map((i) => [i.field, i.flag])).toEqual([
      ["payloadBytes", "--size"],
      ["fanOut", "--fan-out"],
    ]);
    expect(e.message).toBe(
      "invalid workload: --size: too big: at most 1 MiB (1,048,576 B, the SQS maximum; SNS, EventBridge and Step Functions take at most 256 KiB, 262,144 B); --fan-out: too small: at least 1",
    );
    expect(e.message).not.toMatch(/payloadBytes|fanOut/);
  });

  it("catalogue problems are CatalogueErrors naming the file", () => {
    expect(() => loadPrices("eu-west-9")).toThrow(CatalogueError);
    const file = join(work, "broken.json");
    writeFileSync(file, "{ not json");
    expect(() => loadPrices("us-east-1", file)).toThrow(CatalogueError);
    expect(() => loadPrices("us-east-1", file)).toThrow(/broken.json is not JSON/);
    expect(() => validateCatalogue({ region: "us-east-1" }, "z.json")).toThrow(CatalogueError);
  });

  it("the CLI reports a broken catalogue by class, exit 1, without a stack trace", async () => {
    const file = join(work, "broken2.json");
    writeFileSync(file, JSON.stringify({ region: "us-east-1" }));
    const r = await run(["--prices", file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^cost: .*broken2.json is invalid/);
    expect(r.err).not.toMatch(/at .*\.ts:\d+/);
  });

  it("every workload field has a CLI flag, and --help explains each one", async () => {
    expect(Object.keys(WORKLOAD_FLAGS).sort()).toEqual(Object.keys(workloadSchema.shape).sort());
    const help = (await run(["--help"])).out.replace(/\s+/g, " ");
    for (const [field, flag] of Object.entries(WORKLOAD_FLAGS)) {
      expect(help, `${field} → ${flag}`).toContain(flag);
    }
    expect(help).toMatch(/--disk-fill <fraction>\s+target fill of broker disks/);
    expect(help).toMatch(/--replication-factor <n>\s+copies of every message/);
    expect(help).toMatch(/--cross-az-clients <fraction>\s+share of client traffic/);
    expect(help).toMatch(/--follower-fetching\s+Kafka consumers read from a replica in their own AZ/);
    expect(help).toMatch(/--saga-retries <n>\s+retries per saga step/);
    expect(help).toMatch(/A unit is\s+required: 1B is one byte/);
  });
});
