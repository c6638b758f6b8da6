/** The order every saga event carries, and the `data` schema of every saga event. */
import * as z from "zod";
import type { EventSchemaRegistry } from "../shared/cloudevent-decoder.js";
import type { SagaEventType } from "./flow.js";

/** Order IDs: letters, digits, `-` and `_` (they appear in event ids and table keys). */
export const ORDER_ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

/** An order, as the place-order function accepts it. Same shape as the orchestrated saga's. */
export const OrderSchema = z.object({
  orderId: z.string().regex(ORDER_ID_PATTERN, "1-80 letters, digits, '-' or '_'"),
  customerId: z.string().min(1).max(128),
  sku: z.string().min(1).max(128),
  quantity: z.number().int().min(1).max(1000),
  /** Amount to charge, in cents. */
  amountCents: z.number().int().min(1).max(100_000_000),
});

/** A validated order. */
export type Order = z.infer<typeof OrderSchema>;

/** `data` of every saga event: the order, and why, for failure events. */
export const SagaEventDataSchema = OrderSchema.extend({ reason: z.string().min(1).max(1000).optional() });

/** A validated saga event `data`. */
export type SagaEventData = z.infer<typeof SagaEventDataSchema>;

/** The schema registry of a consumer of `types` (any other type is `UnknownEventType`). */
export function sagaSchemas(types: readonly SagaEventType[]): EventSchemaRegistry<SagaEventData> {
  return Object.fromEntries(types.map((type) => [type, SagaEventDataSchema]));
}

/** The order fields of an event's data (dropping the reason of the event reacted to). */
export function orderOf(data: SagaEventData): Order {
  const { orderId, customerId, sku, quantity, amountCents } = data;
  return { orderId, customerId, sku, quantity, amountCents };
}
