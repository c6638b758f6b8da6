/**
 * What each service does with each event it consumes: the business functions of the choreography,
 * independent of SQS and EventBridge. Each returns the events to emit (type and reason); the
 * consumer wiring builds them (ids, correlation and causation) and puts them.
 *
 * Every effect is idempotent per order (conditional writes: see the stores), and every
 * compensation tolerates "nothing to undo" and leaves a tombstone, because events of one order can
 * arrive in any order once the watchdog has timed it out.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SagaEventType, SagaService } from "./flow.js";
import { releaseStock, reserveStock } from "./inventory-store.js";
import { orderOf } from "./order.js";
import { applyOnce, PAYMENT_STATUSES, SHIPMENT_STATUSES, undoOnce } from "./order-record-store.js";
import { settleOrder } from "./orders-store.js";
import type { SagaEvent } from "./saga-events.js";

/** An event a reaction asks to emit. */
export interface Emission {
  readonly type: SagaEventType;
  readonly reason?: string;
}

/** A service's reaction to one consumed event. */
export type Reaction = (event: SagaEvent) => Promise<readonly Emission[]>;

/** The example payment provider declines amounts above this (a business failure, not an error). */
export const MAX_CHARGE_CENTS = 1_000_000;

/** The example carrier refuses customers whose ID starts with this. */
export const BLOCKED_CUSTOMER_PREFIX = "blocked-";

/** What the reactions need. */
export interface ReactionDeps {
  readonly dynamodb: DynamoDBClient;
  /** The service's own table. */
  readonly tableName: string;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

/** Inventory: reserves on OrderPlaced; releases on PaymentFailed, ShippingFailed and OrderTimedOut. */
export function inventoryReaction({ dynamodb, tableName }: ReactionDeps): Reaction {
  return async (event) => {
    const order = orderOf(event.data);
    if (event.type === "OrderPlaced") {
      const outcome = await reserveStock(dynamodb, tableName, order);
      if (outcome.kind === "reserved") return [{ type: "InventoryReserved" }];
      if (outcome.kind === "rejected") return [{ type: "InventoryRejected", reason: outcome.reason }];
      return []; // voided: the order was compensated already; nothing reserved, nothing to announce
    }
    await releaseStock(dynamodb, tableName, order);
    return [];
  };
}

/** Payments: charges on InventoryReserved; refunds on ShippingFailed and OrderTimedOut. */
export function paymentsReaction({ dynamodb, tableName, clock = () => new Date() }: ReactionDeps): Reaction {
  return async (event) => {
    const order = orderOf(event.data);
    if (event.type === "InventoryReserved") {
      if (order.amountCents > MAX_CHARGE_CENTS) {
        return [
          {
            type: "PaymentFailed",
            reason: `${order.amountCents} cents exceeds the limit of ${MAX_CHARGE_CENTS}`,
          },
        ];
      }
      const outcome = await applyOnce(
        dynamodb,
        tableName,
        PAYMENT_STATUSES,
        order.orderId,
        { customerId: { S: order.customerId }, amountCents: { N: String(order.amountCents) } },
        clock(),
      );
      return outcome === "voided" ? [] : [{ type: "PaymentCharged" }];
    }
    await undoOnce(dynamodb, tableName, PAYMENT_STATUSES, order.orderId, clock());
    return [];
  };
}

/** Shipping: schedules on PaymentCharged; cancels on OrderTimedOut. */
export function shippingReaction({ dynamodb, tableName, clock = () => new Date() }: ReactionDeps): Reaction {
  return async (event) => {
    const order = orderOf(event.data);
    if (event.type === "PaymentCharged") {
      if (order.customerId.startsWith(BLOCKED_CUSTOMER_PREFIX)) {
        return [{ type: "ShippingFailed", reason: `the carrier refuses deliveries to ${order.customerId}` }];
      }
      const outcome = await applyOnce(
        dynamodb,
        tableName,
        SHIPMENT_STATUSES,
        order.orderId,
        { sku: { S: order.sku }, quantity: { N: String(order.quantity) } },
        clock(),
      );
      return outcome === "voided" ? [] : [{ type: "ShipmentScheduled" }];
    }
    await undoOnce(dynamodb, tableName, SHIPMENT_STATUSES, order.orderId, clock());
    return [];
  };
}

/**
 * Orders: records the outcome. ShipmentScheduled confirms; InventoryRejected, PaymentFailed and
 * ShippingFailed cancel (the failing service's reason is kept). Only the first decision counts: an
 * order the watchdog already timed out stays cancelled (its OrderTimedOut undoes the shipment).
 * A settled outcome is announced as OrderConfirmed / OrderCancelled for consumers outside the saga.
 */
export function ordersReaction({ dynamodb, tableName, clock = () => new Date() }: ReactionDeps): Reaction {
  return async (event) => {
    const confirmed = event.type === "ShipmentScheduled";
    const { settled } = await settleOrder(
      dynamodb,
      tableName,
      event.data.orderId,
      {
        status: confirmed ? "CONFIRMED" : "CANCELLED",
        settledBy: event.id,
        ...(confirmed ? {} : { reason: `${event.type}: ${event.data.reason ?? "no reason given"}` }),
      },
      clock(),
    );
    if (!settled) return [];
    return confirmed
      ? [{ type: "OrderConfirmed" }]
      : [{ type: "OrderCancelled", reason: `${event.type}: ${event.data.reason ?? "no reason given"}` }];
  };
}

/** The reaction of each consuming service. */
export const REACTIONS: Readonly<Record<SagaService, (deps: ReactionDeps) => Reaction>> = {
  orders: ordersReaction,
  inventory: inventoryReaction,
  payments: paymentsReaction,
  shipping: shippingReaction,
};
