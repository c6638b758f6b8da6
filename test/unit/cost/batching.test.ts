import { describe, expect, it } from "vitest";
import { batchesPerWindow, billedChunksPerWindow } from "../../../tools/cost/batching.ts";

describe("batch counting", () => {
  it("counts a remainder as one more batch: 25 messages in batches of 10 are 3 calls", () => {
    expect(batchesPerWindow(25, 10)).toBe(3);
    expect(batchesPerWindow(20, 10)).toBe(2);
    expect(batchesPerWindow(21, 10)).toBe(3);
  });

  it("counts less than one message per window as that probability", () => {
    expect(batchesPerWindow(0.25, 10)).toBe(0.25);
    expect(batchesPerWindow(0, 10)).toBe(0);
  });

  it("bills a batched call per 64 KiB of its whole payload", () => {
    // 10 × 1,000 B = 10,000 B → 1 request; 10 × 10,000 B = 100,000 B → ceil(100,000 / 65,536) = 2.
    expect(billedChunksPerWindow(10, 10, 1_000)).toBe(1);
    expect(billedChunksPerWindow(10, 10, 10_000)).toBe(2);
    // 25 messages of 10,000 B: two full calls of 2 requests + a call of 5 × 10,000 = 50,000 B → 1.
    expect(billedChunksPerWindow(25, 10, 10_000)).toBe(5);
  });
});
