/**
 * Orders: one item per order (partition key `orderId`), the single place that decides an order's
 * outcome. `status` goes from `PENDING` to exactly one of `CONFIRMED` or `CANCELLED`, with a
 * conditional update, so whichever decision comes first (a ShipmentScheduled, a failure event, or
 * the watchdog's timeout) wins and the others see the order already settled.
 *
 * The stuck-saga watchdog finds open orders through a sparse global secondary index
 * ({@link OPEN_ORDERS_INDEX}: partition key `watch`, sort key `deadline`): `watch` is set while the
 * order is open and removed when its outcome has been settled and announced, so the index only ever
 * holds the orders the watchdog may have to act on. (One `watch` value is one index partition,
 * fine up to about 1,000 writes per second; shard it, e.g. `open#<n>`, beyond that.)
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { isConditionalCheckFailed } from "../shared/conditional-effect.js";
import { PermanentError } from "../shared/errors.js";
import { OPEN_ORDERS_INDEX } from "./flow.js";
import type { Order } from "./order.js";

export { OPEN_ORDERS_INDEX } from "./flow.js";
/** The `watch` value of an open order. */
export const OPEN = "open";

/** An order's status. */
export type OrderStatus = "PENDING" | "CONFIRMED" | "CANCELLED";

/** An order item, as the handlers, tests and the scenario ledger read it. */
export interface OrderItem extends Order {
  readonly status: OrderStatus;
  readonly placedAt: string;
  readonly deadline: string;
  /** Why it was cancelled (the failure event's reason, or the timeout). */
  readonly reason?: string;
  /** The id of the event that decided the outcome. */
  readonly settledBy?: string;
  readonly settledAt?: string;
  /** Set while the watchdog may still have to act (see the module documentation). */
  readonly watch?: string;
}

function toItem(item: Record<string, AttributeValue>): OrderItem {
  const s = (name: string) => item[name]?.S;
  return {
    orderId: s("orderId") ?? "",
    customerId: s("customerId") ?? "",
    sku: s("sku") ?? "",
    quantity: Number(item.quantity?.N ?? 0),
    amountCents: Number(item.amountCents?.N ?? 0),
    status: (s("status") ?? "PENDING") as OrderStatus,
    placedAt: s("placedAt") ?? "",
    deadline: s("deadline") ?? "",
    ...(s("reason") ? { reason: s("reason") } : {}),
    ...(s("settledBy") ? { settledBy: s("settledBy") } : {}),
    ...(s("settledAt") ? { settledAt: s("settledAt") } : {}),
    ...(s("watch") ? { watch: s("watch") } : {}),
  };
}

/** Reads an order (strongly consistent). */
export async function readOrder(client: DynamoDBClient, tableName: string, orderId: string) {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: tableName, Key: { orderId: { S: orderId } }, ConsistentRead: true }),
  );
  return Item ? toItem(Item) : undefined;
}

/**
 * Records a new order as `PENDING` with its deadline. Placing the same order again is a no-op
 * (`created: false`); the same order ID with different content is a {@link PermanentError}
 * `OrderConflict` (never silently a second saga or a changed one).
 */
export async function createOrder(
  client: DynamoDBClient,
  tableName: string,
  order: Order,
  placedAt: Date,
  deadline: Date,
): Promise<{ readonly created: boolean }> {
  try {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          orderId: { S: order.orderId },
          customerId: { S: order.customerId },
          sku: { S: order.sku },
          quantity: { N: String(order.quantity) },
          amountCents: { N: String(order.amountCents) },
          status: { S: "PENDING" },
          placedAt: { S: placedAt.toISOString() },
          deadline: { S: deadline.toISOString() },
          watch: { S: OPEN },
        },
        ConditionExpression: "attribute_not_exists(orderId)",
      }),
    );
    return { created: true };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
  const existing = await readOrder(client, tableName, order.orderId);
  const same =
    existing &&
    existing.customerId === order.customerId &&
    existing.sku === order.sku &&
    existing.quantity === order.quantity &&
    existing.amountCents === order.amountCents;
  if (!same) {
    throw new PermanentError("OrderConflict", `order ${order.orderId} exists with different content`);
  }
  return { created: false };
}

/** The decision to settle an order. */
export interface Settlement {
  readonly status: Exclude<OrderStatus, "PENDING">;
  readonly reason?: string;
  /** The id of the deciding event: a repeat of the same decision is recognised by it. */
  readonly settledBy: string;
  /**
   * Keep `watch` set (the watchdog: it removes it with {@link closeWatch} once its events are put,
   * so a failed put is found and repeated by its next run). @default false
   */
  readonly keepWatch?: boolean;
}

/**
 * Settles a `PENDING` order. `settled: true` when this decision is the order's outcome (now, or by
 * an earlier delivery of the same deciding event); `false` when another decision came first.
 */
export async function settleOrder(
  client: DynamoDBClient,
  tableName: string,
  orderId: string,
  settlement: Settlement,
  now: Date,
): Promise<{ readonly settled: boolean }> {
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { orderId: { S: orderId } },
        UpdateExpression: `SET #s = :status, settledBy = :by, settledAt = :now${settlement.reason ? ", reason = :reason" : ""}${settlement.keepWatch ? "" : " REMOVE watch"}`,
        ConditionExpression: "#s = :pending OR settledBy = :by",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: {
          ":status": { S: settlement.status },
          ":pending": { S: "PENDING" },
          ":by": { S: settlement.settledBy },
          ":now": { S: now.toISOString() },
          ...(settlement.reason ? { ":reason": { S: settlement.reason } } : {}),
        },
      }),
    );
    return { settled: true };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    // Another decision came first; no caller needs the winning item, so it is not read back.
    return { settled: false };
  }
}

/** Removes `watch`: the order's outcome is settled and announced. */
export async function closeWatch(client: DynamoDBClient, tableName: string, orderId: string): Promise<void> {
  await client.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: { orderId: { S: orderId } },
      UpdateExpression: "REMOVE watch",
      ConditionExpression: "attribute_exists(orderId)",
    }),
  );
}

/** Open orders whose deadline is before `now`, oldest first, at most `limit`. */
export async function findOverdueOrders(
  client: DynamoDBClient,
  tableName: string,
  now: Date,
  limit: number,
): Promise<OrderItem[]> {
  const found: OrderItem[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: OPEN_ORDERS_INDEX,
        KeyConditionExpression: "watch = :open AND deadline < :now",
        ExpressionAttributeValues: { ":open": { S: OPEN }, ":now": { S: now.toISOString() } },
        Limit: limit - found.length,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    found.push(...(page.Items ?? []).map(toItem));
    start = page.LastEvaluatedKey;
  } while (start && found.length < limit);
  return found;
}
