import { describe, expect, it } from "vitest";
import { ALTERNATIVES } from "../../../tools/cost/alternatives/index.ts";
import { logGrid } from "../../../tools/cost/crossovers.ts";
import { estimate } from "../../../tools/cost/estimate.ts";
import { prices } from "./prices.ts";

/** A small deterministic generator (mulberry32) so property cases are reproducible. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe("properties", () => {
  it("more traffic never costs less, for every alternative and several workloads", () => {
    const rates = logGrid(0.1, 20_000, 90);
    const shapes = [
      { payloadBytes: 1_000, fanOut: 3 },
      { payloadBytes: 100, fanOut: 1, freeTier: true },
      { payloadBytes: 70_000, fanOut: 5, retentionHours: 168 },
    ];
    for (const shape of shapes) {
      for (const alt of ALTERNATIVES) {
        let previous = -1;
        for (const messagesPerSecond of rates) {
          const [e] = estimate({ messagesPerSecond, ...shape }, prices, { alternatives: [alt.id] });
          const monthly = e?.monthlyUsd ?? Number.NaN;
          expect(
            monthly,
            `${alt.id} at ${messagesPerSecond}/s (${JSON.stringify(shape)})`,
          ).toBeGreaterThanOrEqual(previous - 1e-9);
          previous = monthly;
        }
      }
    }
  });

  it("a bigger batch never costs more for SQS + Lambda", () => {
    const next = random(42);
    for (let i = 0; i < 300; i++) {
      const messagesPerSecond = 10 ** (next() * 5 - 1); // 0.1 to 10,000 msg/s
      const payloadBytes = Math.ceil(10 ** (next() * 5)); // 1 B to 100 KB
      const batchWindowSeconds = [0, 1, 5, 20][Math.floor(next() * 4)] ?? 1;
      const small = 1 + Math.floor(next() * 50);
      const big = small + 1 + Math.floor(next() * 100);
      const at = (batchSize: number) =>
        estimate({ messagesPerSecond, payloadBytes, batchSize, batchWindowSeconds }, prices, {
          alternatives: ["sns-sqs-lambda"],
        })[0]?.monthlyUsd ?? Number.NaN;
      expect(
        at(big),
        `batch ${big} vs ${small} at ${messagesPerSecond}/s × ${payloadBytes} B`,
      ).toBeLessThanOrEqual(at(small) + 1e-9);
    }
  });

  it("is pure: the same inputs give the same estimate", () => {
    const a = estimate({ messagesPerSecond: 123 }, prices);
    const b = estimate({ messagesPerSecond: 123 }, prices);
    expect(a).toEqual(b);
  });
});
