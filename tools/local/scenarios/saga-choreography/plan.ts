/**
 * The orders of one saga-choreography run and the outcome each must reach: a pure function of the run
 * ID, the count and whether faults are on, so the judge knows what to expect.
 */
import type { Order } from "../../../../functions/saga-choreography/order.js";
import {
  BLOCKED_CUSTOMER_PREFIX,
  MAX_CHARGE_CENTS,
} from "../../../../functions/saga-choreography/reactions.js";

/** How an order must end: confirmed, or cancelled by the named failure. */
export type OrderFate =
  | "confirmed"
  | "inventory-rejected"
  | "payment-failed"
  | "shipping-failed"
  | "timed-out";

/** One planned order. */
export interface PlannedOrder {
  readonly order: Order;
  readonly fate: OrderFate;
  /** Placed twice (a retried request: OrderPlaced put again under the same event id). */
  readonly duplicate: boolean;
}

/** The SKUs of a run: one with plenty of stock, one with none (inventory rejections). */
export function runSkus(runId: string): { readonly stocked: string; readonly empty: string } {
  return { stocked: `${runId}-sku`, empty: `${runId}-sold-out` };
}

/** Units of every order (the stocked SKU starts with `orders × QUANTITY`). */
export const QUANTITY = 2;

/**
 * With faults, by index: every 20th order from 3 is rejected by Inventory, from 7 by Payments, from
 * 11 by Shipping (5 % each); every 50th from 25 is "lost" (recorded, its OrderPlaced never put: the
 * watchdog must time it out; at least one). Every 50th from 0 is placed twice (2 %, at least one).
 */
export function planOrders(runId: string, count: number, faults: boolean): PlannedOrder[] {
  const { stocked, empty } = runSkus(runId);
  const lostAt = faults ? Math.min(25, count - 1) : -1;
  return Array.from({ length: count }, (_, i): PlannedOrder => {
    const fate: OrderFate = !faults
      ? "confirmed"
      : i % 50 === 25 || i === lostAt
        ? "timed-out"
        : i % 20 === 3
          ? "inventory-rejected"
          : i % 20 === 7
            ? "payment-failed"
            : i % 20 === 11
              ? "shipping-failed"
              : "confirmed";
    return {
      order: {
        orderId: `${runId}-${i}`,
        customerId: fate === "shipping-failed" ? `${BLOCKED_CUSTOMER_PREFIX}${i}` : `customer-${i % 7}`,
        sku: fate === "inventory-rejected" ? empty : stocked,
        quantity: QUANTITY,
        amountCents: fate === "payment-failed" ? MAX_CHARGE_CENTS + 1 : 1_000 + i,
      },
      fate,
      duplicate: i % 50 === 0 && fate !== "timed-out",
    };
  });
}

/** Events each fate puts on the bus (from the flow table), for the cost model. */
export const EVENTS_PER_FATE: Readonly<Record<OrderFate, number>> = {
  // OrderPlaced, InventoryReserved, PaymentCharged, ShipmentScheduled, OrderConfirmed
  confirmed: 5,
  // OrderPlaced, InventoryRejected, OrderCancelled
  "inventory-rejected": 3,
  // OrderPlaced, InventoryReserved, PaymentFailed, OrderCancelled
  "payment-failed": 4,
  // OrderPlaced, InventoryReserved, PaymentCharged, ShippingFailed, OrderCancelled
  "shipping-failed": 5,
  // OrderTimedOut, OrderCancelled (its OrderPlaced was lost)
  "timed-out": 2,
};
