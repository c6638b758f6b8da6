/**
 * Payments (table partition key `orderId`): one charge per order, refunded at most once. See
 * order-record.ts for the idempotency and the tombstone; a real payment provider would get the
 * `(orderId, step)` key as its idempotency key.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PaymentDeclined } from "./errors.js";
import { applyOnce, type OrderRecordStatuses, undoOnce } from "./order-record.js";

/** Statuses of a payment record. */
export const PAYMENT_STATUSES: OrderRecordStatuses = { done: "CHARGED", undone: "REFUNDED", void: "VOIDED" };

/** The largest amount the example's payment provider accepts; above it the payment is declined. */
export const MAX_CHARGE_CENTS = 1_000_000;

/** Charges the order once; throws {@link PaymentDeclined} (nothing charged) above {@link MAX_CHARGE_CENTS}. */
export async function chargePayment(
  client: DynamoDBClient,
  tableName: string,
  order: { orderId: string; customerId: string; amountCents: number },
  now = new Date(),
) {
  if (order.amountCents > MAX_CHARGE_CENTS) {
    throw new PaymentDeclined(`${order.amountCents} cents exceeds the limit of ${MAX_CHARGE_CENTS}`);
  }
  const outcome = await applyOnce(
    client,
    tableName,
    PAYMENT_STATUSES,
    order.orderId,
    { customerId: { S: order.customerId }, amountCents: { N: String(order.amountCents) } },
    now,
  );
  return { outcome, amountCents: order.amountCents };
}

/** Refunds the order's charge once (nothing to undo when it was never charged). */
export async function refundPayment(
  client: DynamoDBClient,
  tableName: string,
  orderId: string,
  now = new Date(),
) {
  return { outcome: await undoOnce(client, tableName, PAYMENT_STATUSES, orderId, now) };
}
