/**
 * The example domain: order lifecycle events published to the `orders` topic.
 * Every known type carries the same `data` shape; any other type is a permanent `UnknownEventType`.
 */
import * as z from "zod";
import type { EventSchemaRegistry } from "../shared/cloudevent-decoder.js";

/** `data` of every order event. */
export const OrderDataSchema = z.object({
  orderId: z.string().min(1),
  customerId: z.string().min(1),
  amount: z.number().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/, "expected an ISO 4217 code such as EUR"),
  status: z.enum(["created", "paid", "shipped", "cancelled"]),
});

/** Validated order data. */
export type OrderData = z.infer<typeof OrderDataSchema>;

/** The known event types. */
export const ORDER_EVENT_TYPES = ["order.created", "order.paid", "order.shipped", "order.cancelled"] as const;

/** Type → data schema, as the shared consumer expects. */
export const ORDER_EVENT_SCHEMAS: EventSchemaRegistry<OrderData> = Object.fromEntries(
  ORDER_EVENT_TYPES.map((type) => [type, OrderDataSchema]),
);
