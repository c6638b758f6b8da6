/** The young generation the local cloud's isolates start with (tools/local/worker-heap.ts). */
import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import {
  mainThreadNodeFlags,
  sizeWorkerYoungGeneration,
  WORKER_MIN_SEMI_SPACE_MB,
} from "../../../tools/local/worker-heap.ts";

/** The new space (MB) a freshly started worker's isolate has before it allocates anything. */
function freshWorkerNewSpaceMb(): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(
      `const v8 = require("node:v8");
       const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
       require("node:worker_threads").parentPort.postMessage(space.space_size);`,
      { eval: true },
    );
    worker.once("message", (bytes: number) => {
      resolve(bytes / 1024 / 1024);
      void worker.terminate();
    });
    worker.once("error", reject);
  });
}

describe("sizeWorkerYoungGeneration", () => {
  it("refuses a value that is not a whole number of megabytes from 0 to 256, naming the variable", () => {
    for (const bad of ["-1", "1.5", "lots", "257"]) {
      expect(() => sizeWorkerYoungGeneration({ LOCAL_CLOUD_MIN_SEMI_SPACE_MB: bad })).toThrow(
        /LOCAL_CLOUD_MIN_SEMI_SPACE_MB must be a whole number of megabytes from 0 to 256/,
      );
    }
  });

  it("starts workers created afterwards with at least that young generation; 0 leaves it alone", async () => {
    const before = await freshWorkerNewSpaceMb();
    expect(before).toBeLessThan(WORKER_MIN_SEMI_SPACE_MB);
    sizeWorkerYoungGeneration({ LOCAL_CLOUD_MIN_SEMI_SPACE_MB: "0" });
    expect(await freshWorkerNewSpaceMb()).toBe(before);
    sizeWorkerYoungGeneration({});
    expect(await freshWorkerNewSpaceMb()).toBeGreaterThanOrEqual(WORKER_MIN_SEMI_SPACE_MB);
  });
});

describe("the main thread's young generation", () => {
  it("mainThreadNodeFlags: the same size as a Node flag, none for 0", () => {
    expect(mainThreadNodeFlags({})).toEqual([`--min-semi-space-size=${WORKER_MIN_SEMI_SPACE_MB}`]);
    expect(mainThreadNodeFlags({ LOCAL_CLOUD_MIN_SEMI_SPACE_MB: "8" })).toEqual(["--min-semi-space-size=8"]);
    expect(mainThreadNodeFlags({ LOCAL_CLOUD_MIN_SEMI_SPACE_MB: "0" })).toEqual([]);
  });

  it("the npm scripts that run the local cloud start Node with it", () => {
    const { scripts } = JSON.parse(
      readFileSync(new URL("../../../package.json", import.meta.url), "utf8"),
    ) as {
      scripts: Record<string, string>;
    };
    for (const name of ["start", "local", "verify"]) {
      expect(scripts[name], name).toContain(`--min-semi-space-size=${WORKER_MIN_SEMI_SPACE_MB} `);
    }
  });
});
