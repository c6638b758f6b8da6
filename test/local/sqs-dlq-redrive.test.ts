import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type RedriveLedger,
  runRedriveScenario,
} from "../../tools/local/scenarios/sqs-dlq-redrive/scenario.ts";
import type { ScenarioTarget } from "../../tools/local/scenarios/target.ts";
import { localTarget } from "../../tools/local/targets/local.ts";

/**
 * The sqs-dlq-redrive scenario on the embedded local cloud: 30 jobs, 3 failing while the fault switch is
 * on, 2 failing twice; then the switch goes off and the redrive function runs.
 */
describe("sqs-dlq-redrive scenario on the embedded cloud", () => {
  let target: ScenarioTarget;
  let ledger: RedriveLedger;

  beforeAll(async () => {
    // A realistic queue visibility timeout (the local default is 1 s): retries then come from the backoff.
    target = await localTarget({ stack: "SqsDlqRedriveStack", visibilityTimeoutSeconds: 10 });
    ledger = await runRedriveScenario(target, { jobs: 30, permanent: 3, transient: 2 });
  });
  afterAll(async () => {
    await target?.stop();
  });

  it("reports no problem", () => {
    expect(ledger.problems).toEqual([]);
    expect(ledger.ok).toBe(true);
  });

  it("dead-letters exactly the failing jobs after maxReceiveCount receives, each with its reason", () => {
    expect(ledger.details.dlqBefore).toBe(3);
    expect(ledger.details.dlq).toHaveLength(3);
    for (const entry of ledger.details.dlq) {
      expect(entry.errorType).toBe("RetriesExhausted");
      expect(entry.reason).toMatch(
        new RegExp(`failed on all ${ledger.details.maxReceiveCount} receives .*fault switch is on`),
      );
    }
  });

  it("after the switch is off and the redrive, applies every job exactly once and leaves the DLQ empty", () => {
    expect(ledger.details.redrive.moved).toBe(3);
    expect(ledger.counts).toMatchObject({ sent: 30, expected: 30, applied: 30, duplicates: 0, lost: 0 });
    expect(ledger.details.redriven).toBe(3);
    expect(ledger.details.dlqAfter).toBe(0);
  });

  it("backs transient failures off: each retry waits at least the delay chosen from the receive count", () => {
    expect(ledger.details.backoff).toHaveLength(2);
    for (const trace of ledger.details.backoff) {
      expect(trace.appliedOnReceive).toBe(3);
      expect(trace.attempts.map((a) => a.receiveCount)).toEqual([1, 2]);
      // Stack backoff: base 1 s, so receive 1 → 1 s; receive 2 → 1..2 s (equal jitter).
      expect(trace.attempts[0]?.delaySeconds).toBe(1);
      expect(trace.attempts[1]?.delaySeconds).toBeGreaterThanOrEqual(1);
      expect(trace.attempts[1]?.delaySeconds).toBeLessThanOrEqual(2);
      for (const a of trace.attempts)
        expect(a.nextReceiveAfterMs).toBeGreaterThanOrEqual(a.delaySeconds * 1000);
    }
  });
});

/** Progress with a single job: a send batch of 10 once counted as 10 of 1 ("200% sent 1/1 jobs"). */
describe("sqs-dlq-redrive scenario with one job", () => {
  let target: ScenarioTarget;
  let ledger: RedriveLedger;
  const reported: [string, number][] = [];

  beforeAll(async () => {
    target = await localTarget({ stack: "SqsDlqRedriveStack" });
    ledger = await runRedriveScenario(target, {
      jobs: 1,
      onProgress: (line, fraction) => reported.push([line, fraction]),
    });
  });
  afterAll(async () => {
    await target?.stop();
  });

  it("reports progress within 0..1, the send phase as its share of the bar, and passes", () => {
    expect(ledger.problems).toEqual([]);
    expect(reported.find(([line]) => line === "sent 1/1 jobs")?.[1]).toBeCloseTo(0.2);
    expect(reported.every(([, f]) => f >= 0 && f <= 1)).toBe(true);
    expect(reported.at(-1)).toEqual(["done", 1]);
  });
});
