/**
 * The event flow of the order saga by choreography: which service emits and consumes which event
 * type. One table read by the stack (to wire the rules) and by the handlers (to know their types),
 * so the two cannot drift apart. No CDK and no zod import: the stack and the cost model read it.
 *
 *   Orders    OrderPlaced ─▶ Inventory ─ InventoryReserved ─▶ Payments ─ PaymentCharged ─▶ Shipping
 *                              │ InventoryRejected              │ PaymentFailed             │ ShipmentScheduled / ShippingFailed
 *                              ▼                                ▼                           ▼
 *   Orders records the outcome (OrderConfirmed / OrderCancelled, for consumers outside the saga);
 *   PaymentFailed → Inventory releases; ShippingFailed → Payments refunds and Inventory releases;
 *   OrderTimedOut (the watchdog) → Inventory releases, Payments refunds, Shipping cancels.
 */

/** Every event type of the saga. */
export const SAGA_EVENT_TYPES = [
  "OrderPlaced",
  "InventoryReserved",
  "InventoryRejected",
  "PaymentCharged",
  "PaymentFailed",
  "ShipmentScheduled",
  "ShippingFailed",
  "OrderTimedOut",
  "OrderConfirmed",
  "OrderCancelled",
] as const;

/** One of {@link SAGA_EVENT_TYPES} (the CloudEvent `type` and the EventBridge `detail-type`). */
export type SagaEventType = (typeof SAGA_EVENT_TYPES)[number];

/** The participating services. */
export const SAGA_SERVICES = ["orders", "inventory", "payments", "shipping"] as const;

/** One of {@link SAGA_SERVICES}. */
export type SagaService = (typeof SAGA_SERVICES)[number];

/** What each service emits and consumes. */
export const SAGA_FLOW: Readonly<
  Record<
    SagaService,
    { readonly emits: readonly SagaEventType[]; readonly consumes: readonly SagaEventType[] }
  >
> = {
  // OrderPlaced by the place-order function, OrderTimedOut by the watchdog: both are the orders service.
  orders: {
    emits: ["OrderPlaced", "OrderTimedOut", "OrderConfirmed", "OrderCancelled"],
    consumes: ["ShipmentScheduled", "InventoryRejected", "PaymentFailed", "ShippingFailed"],
  },
  inventory: {
    emits: ["InventoryReserved", "InventoryRejected"],
    consumes: ["OrderPlaced", "PaymentFailed", "ShippingFailed", "OrderTimedOut"],
  },
  payments: {
    emits: ["PaymentCharged", "PaymentFailed"],
    consumes: ["InventoryReserved", "ShippingFailed", "OrderTimedOut"],
  },
  shipping: {
    emits: ["ShipmentScheduled", "ShippingFailed"],
    consumes: ["PaymentCharged", "OrderTimedOut"],
  },
};

/** Types the saga emits for consumers outside it (a notification service, analytics). */
export const SAGA_EXTERNAL_EVENTS: readonly SagaEventType[] = ["OrderConfirmed", "OrderCancelled"];

/** The `source` of a service's events. */
export function sagaSource(service: SagaService): string {
  return `saga.${service}`;
}

/** Name of the orders table's sparse index of open orders (the watchdog queries it). */
export const OPEN_ORDERS_INDEX = "open-by-deadline";
