/** The bridge ledger judge. */
import { describe, expect, it } from "vitest";
import { summarizeLatency } from "../../../tools/local/scenarios/kit/latency.ts";
import { formatBridgeLedger } from "../../../tools/local/scenarios/sns-pubsub-bridge/format.ts";
import { bridgeProblems, judgeBridge } from "../../../tools/local/scenarios/sns-pubsub-bridge/judge.ts";

const direction = {
  sent: 10,
  forwarded: 10,
  duplicates: 0,
  invalidSent: 1,
  deadLettered: [{ reason: "x" }],
  lost: 0,
  latencyMs: summarizeLatency([1, 2, 3]),
  eventsPerSecond: 1,
};
const clean = {
  directions: "both" as const,
  faults: true,
  faultInjection: "transient=0.1",
  toGoogle: direction,
  fromGoogle: { ...direction, duplicatePushes: 1, badTokensSent: 10, rejectedTokens: 10, retriedPushes: 2 },
};

/** The ledger text of a clean run with `judgement`'s counts and details. */
const render = (judgement: ReturnType<typeof judgeBridge>) =>
  formatBridgeLedger({
    slug: "sns-pubsub-bridge",
    target: "local",
    runId: "r",
    ok: true,
    problems: [],
    counts: judgement.counts,
    latencyMs: judgement.latencyMs,
    durationMs: 1000,
    details: judgement.details,
  });

describe("bridgeProblems", () => {
  it("a clean run has no problem", () => {
    expect(bridgeProblems(clean)).toEqual([]);
  });
  it("flags loss, duplicates, missing dead letters and accepted bad tokens", () => {
    const problems = bridgeProblems({
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
});

describe("judgeBridge", () => {
  it("counts both directions and the bad tokens: a token not rejected is unexpected", () => {
    const judgement = judgeBridge(
      { ...clean, fromGoogle: { ...clean.fromGoogle, rejectedTokens: 9, forwarded: 9, lost: 1 } },
      [1, 2, 3, 4],
    );
    expect(judgement.counts).toEqual({
      sent: 10 + 1 + 10 + 1 + 10,
      expected: 20,
      applied: 19,
      duplicates: 0,
      deadLettered: 2,
      lost: 1,
      unexpected: 1,
    });
    expect(judgement.latencyMs.samples).toBe(4);
    expect(judgement.problems).toHaveLength(2);
  });

  it("renders a ledger with both directions, the push faults and the dead-letter reasons", () => {
    const judgement = judgeBridge(clean, [5, 10]);
    const text = render(judgement);
    expect(text).toContain("AWS → Google: 10/10 forwarded");
    expect(text).toContain("10/10 forged or expired tokens rejected");
    expect(text).toContain("1 × AWS forward DLQ: x");
    expect(text).toContain("result: OK");
    expect(text).toContain("10 events each way");
    expect(text).toContain("forwarded exactly once each way");
  });

  it("a one-way run says which way, and that the other sent nothing", () => {
    const idle = { ...direction, sent: 0, forwarded: 0, invalidSent: 0, deadLettered: [] };
    const details = {
      ...clean,
      directions: "from-google" as const,
      toGoogle: idle,
    };
    const judgement = judgeBridge(details, [5]);
    const text = render(judgement);
    expect(judgement.problems).toEqual([]);
    expect(text).toContain("10 events Google → AWS only");
    expect(text).toContain("forwarded exactly once that way");
    expect(text).not.toContain("each way");
  });
});
