/** The young generation the local cloud's isolates start with (tools/local/worker-heap.ts). */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  MAX_MIN_SEMI_SPACE_MB,
  mainThreadNodeFlags,
  minSemiSpaceMb,
  WORKER_MIN_SEMI_SPACE_MB,
} from "../../../tools/local/worker-heap.ts";

const moduleUrl = new URL("../../../tools/local/worker-heap.ts", import.meta.url).href;

/**
 * In a fresh Node process started without the flag (the flag is process-wide and permanent, so
 * this test's own process cannot show a before and after): the new space (MB) of a worker started
 * before any call, after `sizeWorkerYoungGeneration` with 0, and after it with the default.
 */
function newSpaceInFreshProcess(): { before: number; zero: number; after: number } {
  const script = `
    import { Worker } from "node:worker_threads";
    const { sizeWorkerYoungGeneration } = await import(${JSON.stringify(moduleUrl)});
    const probe = () => new Promise((resolve, reject) => {
      const worker = new Worker(
        'const v8 = process.getBuiltinModule("node:v8");' +
        'const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");' +
        'process.getBuiltinModule("node:worker_threads").parentPort.postMessage(space.space_size / 1048576);',
        { eval: true },
      );
      worker.once("message", (mb) => { resolve(mb); void worker.terminate(); });
      worker.once("error", reject);
    });
    const before = await probe();
    sizeWorkerYoungGeneration({ LOCAL_CLOUD_MIN_SEMI_SPACE_MB: "0" });
    const zero = await probe();
    sizeWorkerYoungGeneration({});
    const after = await probe();
    console.log(JSON.stringify({ before, zero, after }));
  `;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  if (child.status !== 0) throw new Error(`probe process failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split("\n").at(-1) ?? "{}") as {
    before: number;
    zero: number;
    after: number;
  };
}

describe("minSemiSpaceMb", () => {
  it("defaults to WORKER_MIN_SEMI_SPACE_MB and accepts whole megabytes from 0 to the maximum", () => {
    expect(minSemiSpaceMb({})).toBe(WORKER_MIN_SEMI_SPACE_MB);
    expect(minSemiSpaceMb({ LOCAL_CLOUD_MIN_SEMI_SPACE_MB: "" })).toBe(WORKER_MIN_SEMI_SPACE_MB);
    expect(minSemiSpaceMb({ LOCAL_CLOUD_MIN_SEMI_SPACE_MB: "0" })).toBe(0);
    expect(minSemiSpaceMb({ LOCAL_CLOUD_MIN_SEMI_SPACE_MB: String(MAX_MIN_SEMI_SPACE_MB) })).toBe(
      MAX_MIN_SEMI_SPACE_MB,
    );
  });

  it("refuses anything else, naming the variable and what is allowed", () => {
    for (const bad of ["-1", "1.5", "lots", " ", "1e1", "0x10", String(MAX_MIN_SEMI_SPACE_MB + 1)]) {
      expect(() => minSemiSpaceMb({ LOCAL_CLOUD_MIN_SEMI_SPACE_MB: bad }), bad).toThrow(
        `LOCAL_CLOUD_MIN_SEMI_SPACE_MB must be a whole number of megabytes from 0 to ${MAX_MIN_SEMI_SPACE_MB}, got ${JSON.stringify(bad)}`,
      );
    }
  });
});

describe("sizeWorkerYoungGeneration", () => {
  it("starts workers created afterwards with at least that young generation; 0 leaves V8's sizing", () => {
    const { before, zero, after } = newSpaceInFreshProcess();
    expect(before).toBeLessThan(WORKER_MIN_SEMI_SPACE_MB);
    expect(zero).toBe(before);
    expect(after).toBeGreaterThanOrEqual(WORKER_MIN_SEMI_SPACE_MB);
  });
});

describe("the main thread's young generation", () => {
  it("mainThreadNodeFlags: the same size as a Node flag, none for 0", () => {
    expect(mainThreadNodeFlags({})).toEqual([`--min-semi-space-size=${WORKER_MIN_SEMI_SPACE_MB}`]);
    expect(mainThreadNodeFlags({ LOCAL_CLOUD_MIN_SEMI_SPACE_MB: "8" })).toEqual(["--min-semi-space-size=8"]);
    expect(mainThreadNodeFlags({ LOCAL_CLOUD_MIN_SEMI_SPACE_MB: "0" })).toEqual([]);
  });

  it("the npm scripts that run the local cloud pass it to Node before the script", () => {
    const { scripts } = JSON.parse(
      readFileSync(new URL("../../../package.json", import.meta.url), "utf8"),
    ) as {
      scripts: Record<string, string>;
    };
    for (const name of ["start", "local", "verify"]) {
      expect(scripts[name], name).toMatch(
        new RegExp(
          `^exec tsx (--\\S+ )*--min-semi-space-size=${WORKER_MIN_SEMI_SPACE_MB} (--\\S+ )*tools/local/\\S+\\.ts`,
        ),
      );
    }
  });
});
