import { describe, expect, it } from "vitest";
import { faultFor, parseSagaFaults } from "../../../../functions/sfn-saga/faults.ts";
import type { Order } from "../../../../functions/sfn-saga/order.ts";
import {
  expectedOutcome,
  judgeSaga,
  type ObservedExecution,
  type ObservedRecord,
  type SagaObservations,
} from "../../../../tools/local/scenarios/sfn-saga/judge.ts";

const faults = parseSagaFaults("ChargePayment:permanent=0.3,ChargePayment:compensation-permanent=0.3");

/** Three orders: one without a fault, one declined, one whose refund fails for good. */
function orders(): Order[] {
  const pick = (want: string) => {
    for (let i = 0; i < 10_000; i++) {
      const id = `o-${i}`;
      if (
        expectedOutcome(id, faults) === want &&
        (want !== "completed" || faultFor(id, faults) === undefined)
      )
        return id;
    }
    throw new Error(`no order ID in 10,000 draws has the expected outcome ${want}`);
  };
  return ["completed", "compensated", "compensation-failed"].map((w) => ({
    orderId: pick(w),
    customerId: "c",
    sku: "s",
    quantity: 2,
    amountCents: 100,
  }));
}

/** What a correct run observes for {@link orders}. */
function goodRun(): SagaObservations {
  const [done, declined, stuck] = orders() as [Order, Order, Order];
  const charged: ObservedRecord = { status: "CHARGED", appliedCount: 1, undoneCount: 0 };
  return {
    orders: [done, declined, stuck],
    faults,
    requestsSent: 3,
    duplicatesSent: 0,
    sentAt: new Map([done, declined, stuck].map((o) => [o.orderId, 1000])),
    executions: new Map<string, ObservedExecution>([
      [done.orderId, { status: "SUCCEEDED", stopDateMs: 1500 }],
      [declined.orderId, { status: "FAILED", error: "PaymentDeclined", stopDateMs: 1600 }],
      [stuck.orderId, { status: "FAILED", error: "Saga.CompensationFailed", stopDateMs: 1700 }],
    ]),
    executionsNamed: 3,
    initialStock: 10,
    stock: { available: 6, reservations: { [done.orderId]: 2, [stuck.orderId]: 2 } },
    payments: new Map([
      [done.orderId, charged],
      [stuck.orderId, charged],
    ]),
    shipments: new Map([
      [done.orderId, { status: "CREATED", appliedCount: 1, undoneCount: 0 }],
      [stuck.orderId, { status: "VOIDED", appliedCount: 0, undoneCount: 0 }],
    ]),
    orderStatus: new Map([[done.orderId, "CONFIRMED"]]),
    recordedFailures: new Set([stuck.orderId]),
    deadLettered: 0,
  };
}

describe("the sfn-saga judge", () => {
  it("passes a correct run and counts the outcomes", () => {
    const judgement = judgeSaga(goodRun());
    expect(judgement.problems).toEqual([]);
    expect(judgement.details).toMatchObject({
      completed: 1,
      compensated: 1,
      compensationFailures: 1,
      stillRunning: 0,
    });
    expect(judgement.counts).toMatchObject({ expected: 3, applied: 3, lost: 0, unexpected: 0 });
  });

  it("reports a saga still running, a missing one and a wrong outcome", () => {
    const run = goodRun();
    const [done, declined, stuck] = run.orders as [Order, Order, Order];
    const executions = new Map(run.executions);
    executions.set(done.orderId, { status: "RUNNING" });
    executions.delete(declined.orderId);
    executions.set(stuck.orderId, { status: "FAILED", error: "AddressRejected" });
    const { problems } = judgeSaga({ ...run, executions });
    expect(problems.join("\n")).toMatch(/still running/);
    expect(problems.join("\n")).toMatch(/no saga was started/);
    expect(problems.join("\n")).toMatch(/expected compensation-failed/);
  });

  it("reports leaked stock, a double refund, a shipment of a cancelled order and an unrecorded failure", () => {
    const run = goodRun();
    const [, declined, stuck] = run.orders as [Order, Order, Order];
    const { problems } = judgeSaga({
      ...run,
      stock: { available: 4, reservations: { ...run.stock.reservations, [declined.orderId]: 2 } },
      payments: new Map([
        ...run.payments,
        [declined.orderId, { status: "REFUNDED", appliedCount: 1, undoneCount: 2 }],
      ]),
      shipments: new Map([
        ...run.shipments,
        [declined.orderId, { status: "CREATED", appliedCount: 1, undoneCount: 0 }],
      ]),
      recordedFailures: new Set(),
    });
    const text = problems.join("\n");
    expect(text).toMatch(/still reserved \(leak\)/);
    expect(text).toMatch(/not refunded exactly once/);
    expect(text).toMatch(/shipment exists for a cancelled order/);
    expect(text).toMatch(new RegExp(`${stuck.orderId}: compensation failed without a record`));
  });

  it("reports oversold stock and duplicate executions", () => {
    const run = goodRun();
    const { problems } = judgeSaga({ ...run, stock: { ...run.stock, available: 7 }, executionsNamed: 4 });
    expect(problems.join("\n")).toMatch(/oversold or leaked/);
    expect(problems.join("\n")).toMatch(/1 duplicate executions/);
  });
});

describe("expectedOutcome (the judge's own expectation, checked against the fault table)", () => {
  it.each([
    ["permanent", "compensated"],
    ["transient", "completed"],
    ["timeout", "compensated"],
    ["compensation-transient", "compensated"],
    ["compensation-permanent", "compensation-failed"],
  ] as const)("a ChargePayment %s fault means %s", (kind, outcome) => {
    expect(expectedOutcome("o-1", [{ step: "ChargePayment", kind, rate: 1 }])).toBe(outcome);
  });

  it("an order without a fault completes", () => {
    expect(expectedOutcome("o-1", [])).toBe("completed");
  });
});
