/**
 * The msk-lambda-stream scenario with faults on the local target, as `npm run local -- msk-lambda-stream
 * --faults` runs it: transient failures, a consumer timeout (its first attempt hangs for the consumer's
 * 60 s timeout), a poison record and a stuck record, and still a clean ledger.
 */
import { describe, expect, it } from "vitest";
import { patternFor } from "../../../tools/local/patterns.ts";
import { runOnTarget } from "../../../tools/local/run.ts";
import type { StreamLedger } from "../../../tools/local/scenarios/msk-lambda-stream/index.ts";

describe("msk-lambda-stream scenario", () => {
  it("with faults: every event applied once in per-key order, poison skipped, stuck record dead-lettered with its offset, lag 0", async () => {
    const ledger = (await runOnTarget(patternFor("msk-lambda-stream"), "local", {
      messages: 200,
      faults: true,
      progress: false,
    })) as StreamLedger;
    expect(ledger.problems).toEqual([]);
    expect(ledger.ok).toBe(true);
    const d = ledger.details;
    expect(d.faultInjection).toBe("transient=0.02,timeout-type=order.slow,stuck-type=order.stuck");
    expect(d).toMatchObject({
      produced: 200,
      appliedOnce: 200,
      duplicates: 0,
      orderViolations: 0,
      lag: 0,
      unaccountedOffsets: 0,
      offsetsOnTopic: 202,
    });
    expect(d.injected.timeout).toBe(1);
    expect(d.poison).toEqual([expect.objectContaining({ errorType: "MalformedJson" })]);
    expect(d.failures).toEqual([
      expect.objectContaining({ condition: "RetryAttemptsExhausted", firstOffset: expect.any(Number) }),
    ]);
    expect(d.failures[0]?.firstOffset).toBe(d.failures[0]?.lastOffset);
    expect(ledger.counts).toMatchObject({ expected: 200, applied: 200, lost: 0, duplicates: 0 });
  }, 240_000);
});
