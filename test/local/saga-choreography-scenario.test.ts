import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PATTERNS } from "../../tools/local/patterns.ts";
import type { SagaLedger } from "../../tools/local/scenarios/saga-choreography/scenario.ts";
import { localTarget } from "../../tools/local/targets/local.ts";

/**
 * The saga-choreography scenario with every fault on the embedded cloud, from the real synthesized
 * stack: rejections at each service, 5 % transient consumer failures (FAULT_INJECTION), duplicate
 * placements, and lost sagas the watchdog must time out.
 */
describe("saga-choreography scenario with faults on the embedded cloud", () => {
  let target: Awaited<ReturnType<typeof localTarget>>;
  let ledger: SagaLedger;

  beforeAll(async () => {
    const entry = PATTERNS["saga-choreography"];
    if (!entry) throw new Error("saga-choreography is not registered");
    target = await localTarget({ stack: entry.stack, environment: entry.faultEnvironment });
    ledger = (await entry.scenario(target, { messages: 60, faults: true })) as SagaLedger;
  });
  afterAll(async () => {
    await target?.stop();
  });

  it("reports a clean ledger: no problem, nothing stuck, no duplicate effect, nothing dead-lettered", () => {
    expect(ledger.problems).toEqual([]);
    expect(ledger.ok).toBe(true);
    expect(ledger.counts).toMatchObject({
      sent: 60,
      expected: 60,
      applied: 60,
      duplicates: 0,
      deadLettered: 0,
      lost: 0,
    });
    expect(ledger.details.stuck).toBe(0);
  });

  it("reached every planned outcome, with each compensation applied", () => {
    expect(ledger.details.outcomes).toEqual({
      confirmed: 50,
      "inventory-rejected": 3,
      "payment-failed": 3,
      "shipping-failed": 3,
      "timed-out": 1,
      pending: 0,
      wrong: 0,
    });
    // Payments and Shipping failures release their reservation; Shipping failures are refunded.
    expect(ledger.details.compensations).toEqual({ releases: 6, refunds: 3, tombstones: 3 });
    expect(ledger.details.faultInjection).toBe("transient=0.05");
    expect(ledger.details.stock.available).toBe(ledger.details.stock.expectedAvailable);
  });
});
