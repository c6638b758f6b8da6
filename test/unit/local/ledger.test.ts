import { describe, expect, it } from "vitest";
import { formatLedger, type Ledger, percentile } from "../../../tools/local/scenarios/ledger.ts";

describe("ledger", () => {
  it("computes nearest-rank percentiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([], 50)).toBe(0);
    expect(percentile([7], 99)).toBe(7);
  });

  it("renders a table with totals, DLQ reasons and the verdict", () => {
    const ledger: Ledger = {
      slug: "sns-sqs-fanout",
      target: "local",
      runId: "abcd",
      sent: { events: 10, malformed: 1, duplicatePublishes: 1, publishFailures: 0 },
      faultInjection: "transient=0.05",
      subscribers: [
        {
          name: "audit",
          expected: 10,
          delivered: 9,
          effectsApplied: 9,
          duplicates: 0,
          transientInjected: 1,
          dlq: 1,
          expectedDlq: 1,
          lost: 1,
          unexpected: 0,
        },
      ],
      totals: {
        expected: 10,
        delivered: 9,
        effectsApplied: 9,
        duplicates: 0,
        dlq: 1,
        lost: 1,
        unexpected: 0,
      },
      dlq: [{ subscriber: "audit", source: "queue", errorType: "MalformedJson", reason: "not JSON" }],
      latencyMs: { p50: 5, p95: 9, p99: 12, samples: 9 },
      eventsPerSecond: 100,
      durationMs: 1000,
      ok: false,
      problems: ["1 deliveries lost (neither applied nor dead-lettered)"],
    };
    const text = formatLedger(ledger);
    expect(text).toMatch(/audit\s+10\s+9\s+9\s+0\s+1\s+1\/1\s+1\s+0/);
    expect(text).toContain("1 × audit (queue DLQ): MalformedJson: not JSON");
    expect(text).toContain("p50 5 ms, p95 9 ms, p99 12 ms");
    expect(text).toContain("result: FAILED");
  });
});
