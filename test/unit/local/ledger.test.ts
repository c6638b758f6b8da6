import { describe, expect, it } from "vitest";
import { formatLedger } from "../../../tools/local/patterns.ts";
import { percentile, summarizeLatency } from "../../../tools/local/scenarios/kit/latency.ts";
import { formatTable, tally } from "../../../tools/local/scenarios/kit/ledger.ts";
import { LedgerMismatchError } from "../../../tools/local/scenarios/kit/pattern.ts";
import { snsSqsFanout } from "../../../tools/local/scenarios/sns-sqs-fanout/entry.ts";
import type { FanoutLedger } from "../../../tools/local/scenarios/sns-sqs-fanout/scenario.ts";

const fanoutLedger: FanoutLedger = {
  slug: "sns-sqs-fanout",
  target: "local",
  runId: "abcd",
  ok: false,
  problems: ["1 deliveries lost (neither applied nor dead-lettered)"],
  counts: { sent: 11, expected: 10, applied: 9, duplicates: 0, deadLettered: 1, lost: 1, unexpected: 0 },
  latencyMs: { p50: 5, p95: 9, p99: 12, samples: 9 },
  durationMs: 1000,
  details: {
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
    dlq: [{ subscriber: "audit", source: "queue", errorType: "MalformedJson", reason: "not JSON" }],
    eventsPerSecond: 100,
  },
};

describe("ledger", () => {
  it("computes nearest-rank percentiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([], 50)).toBe(0);
    expect(percentile([7], 99)).toBe(7);
    expect(summarizeLatency([1.4, 2.6, 10])).toEqual({ p50: 3, p95: 10, p99: 10, samples: 3 });
  });

  it("renders the fan-out ledger: a table with totals, DLQ reasons, counts, latency and the verdict", () => {
    const text = formatLedger(fanoutLedger);
    expect(text).toMatch(
      /^sns-sqs-fanout on local \(run abcd\): 10 events, 1 malformed, 1 duplicate publishes/,
    );
    expect(text).toMatch(/audit\s+10\s+9\s+9\s+0\s+1\s+1\/1\s+1\s+0/);
    expect(text).toMatch(/total\s+10\s+9\s+9\s+0\s+1\s+1\s+0/);
    expect(text).toContain("1 × audit (queue DLQ): MalformedJson: not JSON");
    expect(text).toContain("p50 5 ms, p95 9 ms, p99 12 ms");
    expect(text).toContain("result: FAILED\n  1 deliveries lost");
  });

  it("refuses to render another pattern's ledger with a pattern's formatter", () => {
    expect(() => snsSqsFanout.format({ ...fanoutLedger, slug: "sqs-dlq-redrive" })).toThrow(
      LedgerMismatchError,
    );
  });

  it("aligns tables and tallies equal lines", () => {
    expect(formatTable(["a", "bb"], [["xyz", 1]])).toEqual(["a    bb", "---  --", "xyz   1"]);
    expect(tally(["x", "y", "x"])).toEqual(["2 × x", "1 × y"]);
  });
});
