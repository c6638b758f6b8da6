import { describe, expect, it } from "vitest";
import type { StockItem } from "../../../../functions/saga-choreography/inventory-store.js";
import type { OrderItem } from "../../../../functions/saga-choreography/orders-store.js";
import {
  judgeSaga,
  type OrderObservation,
  type SagaObservations,
} from "../../../../tools/local/scenarios/saga-choreography/judge.ts";
import {
  type PlannedOrder,
  planOrders,
  QUANTITY,
} from "../../../../tools/local/scenarios/saga-choreography/plan.ts";

const planned = planOrders("run1", 30, true);
const REASONS = {
  "inventory-rejected": "InventoryRejected: sold out",
  "payment-failed": "PaymentFailed: over the limit",
  "shipping-failed": "ShippingFailed: refused",
  "timed-out": "OrderTimedOut: no outcome",
} as const;

/** What the tables hold when every order reached its planned outcome with every compensation. */
function cleanRun(): SagaObservations {
  const observed = new Map<string, OrderObservation>();
  const reservations: Record<string, number> = {};
  const released: Record<string, number> = {};
  for (const p of planned) {
    const id = p.order.orderId;
    const order: OrderItem = {
      ...p.order,
      status: p.fate === "confirmed" ? "CONFIRMED" : "CANCELLED",
      placedAt: "2026-12-01T12:00:00.000Z",
      settledAt: "2026-12-01T12:00:00.250Z",
      deadline: "2026-12-01T12:05:00.000Z",
      ...(p.fate === "confirmed" ? {} : { reason: REASONS[p.fate] }),
    };
    const byFate: Record<PlannedOrder["fate"], OrderObservation> = {
      confirmed: { order, payment: "CHARGED", shipment: "SCHEDULED" },
      "inventory-rejected": { order },
      "payment-failed": { order },
      "shipping-failed": { order, payment: "REFUNDED" },
      "timed-out": { order, payment: "VOIDED", shipment: "VOIDED" },
    };
    observed.set(id, byFate[p.fate]);
    if (p.fate === "confirmed") reservations[id] = QUANTITY;
    if (p.fate === "payment-failed" || p.fate === "shipping-failed") released[id] = QUANTITY;
    if (p.fate === "timed-out") released[id] = 0;
  }
  const confirmed = planned.filter((p) => p.fate === "confirmed").length;
  const stock: StockItem = { sku: "run1-sku", available: 60 - confirmed * QUANTITY, reservations, released };
  return {
    planned,
    observed,
    stock,
    initialStock: 60,
    deadLettered: 0,
    faultInjection: "transient=0.05",
    elapsedMs: 3_000,
  };
}

describe("the saga-choreography judge", () => {
  it("plans a rejection at each service, a lost saga and a duplicate placement with faults; none without", () => {
    expect(new Set(planned.map((p) => p.fate))).toEqual(
      new Set(["confirmed", "inventory-rejected", "payment-failed", "shipping-failed", "timed-out"]),
    );
    expect(planned.filter((p) => p.duplicate).length).toBeGreaterThan(0);
    expect(new Set(planOrders("run1", 30, false).map((p) => p.fate))).toEqual(new Set(["confirmed"]));
  });

  it("passes a clean run and counts outcomes, compensations and events", () => {
    const judgement = judgeSaga(cleanRun());
    expect(judgement.problems).toEqual([]);
    expect(judgement.counts).toMatchObject({ sent: 30, applied: 30, duplicates: 0, lost: 0, unexpected: 0 });
    expect(judgement.details.compensations).toEqual({ releases: 3, refunds: 1, tombstones: 3 });
    expect(judgement.latencyMs).toMatchObject({ p50: 250, samples: 29 });
  });

  it("fails a cancelled order that is still charged (a compensation that did not run)", () => {
    const run = cleanRun();
    const failing = planned.find((p) => p.fate === "shipping-failed") as PlannedOrder;
    const observed = new Map(run.observed);
    observed.set(failing.order.orderId, { ...observed.get(failing.order.orderId), payment: "CHARGED" });
    expect(judgeSaga({ ...run, observed }).problems).toEqual([
      `${failing.order.orderId} (shipping-failed): payment CHARGED, expected REFUNDED`,
    ]);
  });

  it("fails a stuck order, a wrong outcome, stock taken twice and anything dead-lettered", () => {
    const run = cleanRun();
    const [first, second] = planned.filter((p) => p.fate === "confirmed") as [PlannedOrder, PlannedOrder];
    const observed = new Map(run.observed);
    const pending = observed.get(first.order.orderId)?.order as OrderItem;
    observed.set(first.order.orderId, { order: { ...pending, status: "PENDING", watch: "open" } });
    const cancelled = observed.get(second.order.orderId)?.order as OrderItem;
    observed.set(second.order.orderId, {
      order: { ...cancelled, status: "CANCELLED", reason: "PaymentFailed: x" },
    });
    const stock = { ...(run.stock as StockItem), available: (run.stock as StockItem).available - QUANTITY };
    const judgement = judgeSaga({ ...run, observed, stock, deadLettered: 1 });
    expect(judgement.counts).toMatchObject({ lost: 1, unexpected: 1, duplicates: QUANTITY, deadLettered: 1 });
    expect(judgement.problems).toEqual([
      `${first.order.orderId}: stuck (PENDING), expected confirmed`,
      `${second.order.orderId}: reached payment-failed, expected confirmed`,
      expect.stringContaining("stock of the stocked SKU is"),
      "1 messages in the DLQs (none expected)",
    ]);
  });
});
