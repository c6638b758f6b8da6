/**
 * The pure judge of a saga-choreography run: from the tables (each order, its payment, its shipment,
 * the stock) it decides whether every order reached its planned outcome with every effect and every
 * compensation applied exactly once, and nothing is stuck.
 */
import type { StockItem } from "../../../../functions/saga-choreography/inventory-store.js";
import type { OrderItem } from "../../../../functions/saga-choreography/orders-store.js";
import { summarizeLatency } from "../kit/latency.ts";
import type { Judgement, LedgerCounts } from "../kit/ledger.ts";
import { EVENTS_PER_FATE, type OrderFate, type PlannedOrder } from "./plan.ts";

/** What the scenario read for one order. */
export interface OrderObservation {
  readonly order?: OrderItem;
  /** Payment record status (CHARGED, REFUNDED, VOIDED), if any. */
  readonly payment?: string;
  /** Shipment record status (SCHEDULED, CANCELLED, VOIDED), if any. */
  readonly shipment?: string;
}

/** Everything the judge needs. */
export interface SagaObservations {
  readonly planned: readonly PlannedOrder[];
  readonly observed: ReadonlyMap<string, OrderObservation>;
  /** The stocked SKU after the run, and the units it started with. */
  readonly stock?: StockItem;
  readonly initialStock: number;
  /** The sold-out SKU after the run. */
  readonly soldOut?: StockItem;
  /** Messages in the services' DLQs and target DLQs and the bus DLQ. */
  readonly deadLettered: number;
  readonly faultInjection: string;
  /** First placement → last settlement (ms). */
  readonly elapsedMs: number;
}

/** The saga-choreography ledger details. */
export interface SagaDetails {
  readonly orders: number;
  readonly duplicatePlacements: number;
  readonly faultInjection: string;
  /** Orders by the outcome they reached (`pending` = stuck). */
  readonly outcomes: Readonly<Record<OrderFate | "pending" | "wrong", number>>;
  /** Compensations applied (each exactly once: a status moves once). */
  readonly compensations: {
    readonly releases: number;
    readonly refunds: number;
    readonly tombstones: number;
  };
  readonly stuck: number;
  /** Stock accounting: units taken by confirmed orders vs units missing from the stocked SKU. */
  readonly stock: { readonly expectedAvailable: number; readonly available: number };
  readonly eventsPerOrder: number;
  readonly ordersPerSecond: number;
}

/** The fate an order reached, read from its item (`pending` while it has none). */
function reached(order: OrderItem | undefined): OrderFate | "pending" {
  if (!order || order.status === "PENDING" || order.watch !== undefined) return "pending";
  if (order.status === "CONFIRMED") return "confirmed";
  const reason = order.reason ?? "";
  if (reason.startsWith("InventoryRejected")) return "inventory-rejected";
  if (reason.startsWith("PaymentFailed")) return "payment-failed";
  if (reason.startsWith("ShippingFailed")) return "shipping-failed";
  return "timed-out";
}

/** What must hold for an order of `fate`, as problems (empty when it holds). */
function checkEffects(
  p: PlannedOrder,
  o: OrderObservation,
  stock?: StockItem,
  soldOut?: StockItem,
): string[] {
  const id = p.order.orderId;
  const reserved = stock?.reservations[id];
  const released = stock?.released[id];
  const expect = (ok: boolean, what: string) => (ok ? [] : [`${id} (${p.fate}): ${what}`]);
  switch (p.fate) {
    case "confirmed":
      return [
        ...expect(o.payment === "CHARGED", `payment ${o.payment ?? "missing"}, expected CHARGED`),
        ...expect(o.shipment === "SCHEDULED", `shipment ${o.shipment ?? "missing"}, expected SCHEDULED`),
        ...expect(reserved === p.order.quantity && released === undefined, "reservation missing or released"),
      ];
    case "inventory-rejected":
      return [
        ...expect(o.payment === undefined && o.shipment === undefined, "charged or shipped"),
        ...expect(soldOut?.reservations[id] === undefined, "reserved on the sold-out SKU"),
      ];
    case "payment-failed":
      return [
        ...expect(o.payment === undefined && o.shipment === undefined, "charged or shipped"),
        ...expect(
          reserved === undefined && released === p.order.quantity,
          "reservation not released exactly once",
        ),
      ];
    case "shipping-failed":
      return [
        ...expect(o.payment === "REFUNDED", `payment ${o.payment ?? "missing"}, expected REFUNDED`),
        ...expect(o.shipment === undefined, `shipment ${o.shipment}, expected none`),
        ...expect(
          reserved === undefined && released === p.order.quantity,
          "reservation not released exactly once",
        ),
      ];
    case "timed-out":
      return [
        ...expect(o.payment === "VOIDED" && o.shipment === "VOIDED", "compensations left no tombstones"),
        ...expect(reserved === undefined && released === 0, "inventory left no release tombstone"),
      ];
  }
}

/** Judges a run; see the module documentation. */
export function judgeSaga(obs: SagaObservations): Judgement<SagaDetails> {
  const problems: string[] = [];
  const outcomes: Record<OrderFate | "pending" | "wrong", number> = {
    confirmed: 0,
    "inventory-rejected": 0,
    "payment-failed": 0,
    "shipping-failed": 0,
    "timed-out": 0,
    pending: 0,
    wrong: 0,
  };
  let applied = 0;
  let unexpected = 0;
  const latencies: number[] = [];
  for (const p of obs.planned) {
    const o = obs.observed.get(p.order.orderId) ?? {};
    const fate = reached(o.order);
    if (fate === "pending") {
      outcomes.pending++;
      problems.push(`${p.order.orderId}: stuck (${o.order?.status ?? "no order item"}), expected ${p.fate}`);
      continue;
    }
    if (fate !== p.fate) {
      outcomes.wrong++;
      unexpected++;
      problems.push(`${p.order.orderId}: reached ${fate}, expected ${p.fate}`);
      continue;
    }
    outcomes[fate]++;
    const effects = checkEffects(p, o, obs.stock, obs.soldOut);
    problems.push(...effects);
    if (effects.length === 0) applied++;
    if (fate !== "timed-out" && o.order?.settledAt && o.order.placedAt) {
      latencies.push(Date.parse(o.order.settledAt) - Date.parse(o.order.placedAt));
    }
  }
  const confirmedUnits = obs.planned
    .filter((p) => p.fate === "confirmed")
    .reduce((sum, p) => sum + p.order.quantity, 0);
  const expectedAvailable = obs.initialStock - confirmedUnits;
  const available = obs.stock?.available ?? Number.NaN;
  // Taken beyond what the confirmed orders hold: an effect applied twice, or a compensation missing.
  const duplicates = Math.max(0, expectedAvailable - available);
  if (available !== expectedAvailable) {
    problems.push(
      `stock of the stocked SKU is ${available}, expected ${expectedAvailable} (initial ${obs.initialStock} − ${confirmedUnits} confirmed units)`,
    );
  }
  if (obs.deadLettered > 0) problems.push(`${obs.deadLettered} messages in the DLQs (none expected)`);
  const released = Object.entries(obs.stock?.released ?? {});
  const counts: LedgerCounts = {
    sent: obs.planned.length,
    expected: obs.planned.length,
    applied,
    duplicates,
    deadLettered: obs.deadLettered,
    lost: outcomes.pending,
    unexpected,
  };
  const statuses = [...obs.observed.values()];
  const events = obs.planned.reduce((sum, p) => sum + EVENTS_PER_FATE[p.fate], 0);
  return {
    problems,
    counts,
    latencyMs: summarizeLatency(latencies),
    details: {
      orders: obs.planned.length,
      duplicatePlacements: obs.planned.filter((p) => p.duplicate).length,
      faultInjection: obs.faultInjection,
      outcomes,
      compensations: {
        releases: released.filter(([, units]) => units > 0).length,
        refunds: statuses.filter((s) => s.payment === "REFUNDED").length,
        tombstones:
          released.filter(([, units]) => units === 0).length +
          statuses.filter((s) => s.payment === "VOIDED").length +
          statuses.filter((s) => s.shipment === "VOIDED").length,
      },
      stuck: outcomes.pending,
      stock: { expectedAvailable, available },
      eventsPerOrder: obs.planned.length > 0 ? events / obs.planned.length : 0,
      ordersPerSecond: obs.elapsedMs > 0 ? (obs.planned.length * 1000) / obs.elapsedMs : 0,
    },
  };
}
