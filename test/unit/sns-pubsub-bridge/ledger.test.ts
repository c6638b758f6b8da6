/** The bridge ledger judge. */
import { describe, expect, it } from "vitest";
import { judgeBridge, latency } from "../../../tools/local/scenarios/sns-pubsub-bridge/ledger.ts";

const direction = {
  sent: 10,
  forwarded: 10,
  duplicates: 0,
  invalidSent: 1,
  deadLettered: [{ reason: "x" }],
  lost: 0,
  latencyMs: latency([1, 2, 3]),
  eventsPerSecond: 1,
};
const clean = {
  slug: "sns-pubsub-bridge" as const,
  target: "local" as const,
  runId: "r",
  faults: true,
  toGoogle: direction,
  fromGoogle: { ...direction, duplicatePushes: 1, badTokensSent: 10, rejectedTokens: 10, retriedPushes: 2 },
  durationMs: 1,
};

describe("judgeBridge", () => {
  it("a clean run has no problem", () => {
    expect(judgeBridge(clean)).toEqual([]);
  });
  it("flags loss, duplicates, missing dead letters and accepted bad tokens", () => {
    const problems = judgeBridge({
      ...clean,
      toGoogle: { ...direction, lost: 2, forwarded: 8 },
      fromGoogle: { ...clean.fromGoogle, duplicates: 1, deadLettered: [], rejectedTokens: 9 },
    });
    expect(problems).toEqual([
      "AWS → Google: 2 of 10 events lost",
      "Google → AWS: 1 events applied more than once",
      "Google → AWS: 0 dead-lettered, expected the 1 invalid events",
      "Google → AWS: 9 of 10 bad tokens rejected",
    ]);
  });
  it("latency percentiles are nearest-rank", () => {
    expect(latency([5, 1, 3, 2, 4])).toEqual({ p50: 3, p95: 5, samples: 5 });
  });
});
