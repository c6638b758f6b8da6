/** Shipments (table partition key `orderId`): one shipment per order, cancelled at most once (see order-record.ts). */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { AddressRejected } from "./errors.js";
import { applyOnce, type OrderRecordStatuses, undoOnce } from "./order-record.js";

/** Statuses of a shipment record. */
export const SHIPMENT_STATUSES: OrderRecordStatuses = {
  done: "CREATED",
  undone: "CANCELLED",
  void: "VOIDED",
};

/** Creates the order's shipment once; throws {@link AddressRejected} for a customer the carrier refuses. */
export async function createShipment(
  client: DynamoDBClient,
  tableName: string,
  order: { orderId: string; customerId: string; sku: string; quantity: number },
  now = new Date(),
) {
  if (order.customerId.startsWith("blocked-")) {
    throw new AddressRejected(`the carrier refuses deliveries to ${order.customerId}`);
  }
  const outcome = await applyOnce(
    client,
    tableName,
    SHIPMENT_STATUSES,
    order.orderId,
    { sku: { S: order.sku }, quantity: { N: String(order.quantity) } },
    now,
  );
  return { outcome };
}

/** Cancels the order's shipment once (nothing to undo when none was created). */
export async function cancelShipment(
  client: DynamoDBClient,
  tableName: string,
  orderId: string,
  now = new Date(),
) {
  return { outcome: await undoOnce(client, tableName, SHIPMENT_STATUSES, orderId, now) };
}
