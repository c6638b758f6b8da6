/**
 * The inventory table both saga patterns share (orchestrated `sfn-saga`, choreographed
 * `saga-choreography`): one item per SKU (partition key `sku`),
 * `{ sku, available, reservations: { <orderId>: quantity }, released: { <orderId>: quantity } }`.
 *
 * Reserve and release are single-item conditional updates, so each is atomic and idempotent per
 * order without transactions (dynalite, the local DynamoDB, has no TransactWriteItems):
 * - {@link reserveStock} takes stock and records the reservation only if stock suffices and the
 *   order has neither a reservation nor a release; a repeat (a Step Functions retry, an SQS or
 *   EventBridge redelivery) finds its reservation;
 * - {@link releaseStock} gives the quantity back and moves the order from `reservations` to
 *   `released`. With nothing to undo (the reserve failed, has not committed yet, or its event has
 *   not arrived yet) it still records the release as a tombstone, so a reserve that comes later is
 *   refused instead of leaking stock.
 * The maps grow with a SKU's orders (400 KB per item): production would keep one item per
 * reservation and use TransactWriteItems.
 *
 * Each pattern maps these outcomes onto its own contract (a step result or thrown error; an event).
 */
import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { isConditionalCheckFailed } from "../conditional-effect.js";

/** A SKU's stock, as the handlers, the scenarios and tests read it. */
export interface StockItem {
  readonly sku: string;
  readonly available: number;
  readonly reservations: Readonly<Record<string, number>>;
  readonly released: Readonly<Record<string, number>>;
}

/** How a reserve ended. */
export type ReserveOutcome =
  /** Reserved now, or (`replayed`) by an earlier delivery of the same order: `quantity` units. */
  | { readonly kind: "reserved"; readonly quantity: number; readonly replayed: boolean }
  /** Not enough stock, or an unknown SKU: nothing reserved. */
  | { readonly kind: "rejected"; readonly reason: string }
  /** The order was released (compensated) before its reservation arrived: refused, nothing reserved. */
  | { readonly kind: "voided" };

/** How a release ended: the units given back (0 when there was nothing to undo). */
export interface ReleaseOutcome {
  readonly released: number;
  readonly replayed: boolean;
}

/** Creates (or resets) a SKU with `available` units and no reservations. */
export async function putStock(client: DynamoDBClient, tableName: string, sku: string, available: number) {
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: {
        sku: { S: sku },
        available: { N: String(available) },
        reservations: { M: {} },
        released: { M: {} },
      },
    }),
  );
}

/** Reads a SKU's stock (strongly consistent); `undefined` for an unknown SKU. */
export async function readStock(
  client: DynamoDBClient,
  tableName: string,
  sku: string,
): Promise<StockItem | undefined> {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: tableName, Key: { sku: { S: sku } }, ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const numbers = (map: Record<string, { N?: string }> | undefined) =>
    Object.fromEntries(Object.entries(map ?? {}).map(([k, v]) => [k, Number(v.N)]));
  return {
    sku,
    available: Number(Item.available?.N ?? 0),
    reservations: numbers(Item.reservations?.M),
    released: numbers(Item.released?.M),
  };
}

/** Reserves the order's quantity (see the module documentation). */
export async function reserveStock(
  client: DynamoDBClient,
  tableName: string,
  order: { readonly orderId: string; readonly sku: string; readonly quantity: number },
): Promise<ReserveOutcome> {
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { sku: { S: order.sku } },
        UpdateExpression: "SET available = available - :q, reservations.#o = :q",
        ConditionExpression:
          "attribute_exists(sku) AND available >= :q AND attribute_not_exists(reservations.#o) AND attribute_not_exists(released.#o)",
        ExpressionAttributeNames: { "#o": order.orderId },
        ExpressionAttributeValues: { ":q": { N: String(order.quantity) } },
      }),
    );
    return { kind: "reserved", quantity: order.quantity, replayed: false };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
  const stock = await readStock(client, tableName, order.sku);
  const existing = stock?.reservations[order.orderId];
  if (existing !== undefined) return { kind: "reserved", quantity: existing, replayed: true };
  if (stock && order.orderId in stock.released) return { kind: "voided" };
  return {
    kind: "rejected",
    reason: stock
      ? `${order.quantity} × ${order.sku} requested, ${stock.available} available`
      : `unknown SKU ${order.sku}`,
  };
}

/**
 * Releases the order's reservation, or records that there was nothing to release (see the module
 * documentation). A concurrent reserve or release between the read and the conditional write makes
 * it read again, at most `attempts` times, then throw.
 */
export async function releaseStock(
  client: DynamoDBClient,
  tableName: string,
  order: { readonly orderId: string; readonly sku: string },
  attempts: number,
): Promise<ReleaseOutcome> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const stock = await readStock(client, tableName, order.sku);
    if (!stock) return { released: 0, replayed: false };
    if (order.orderId in stock.released) {
      return { released: stock.released[order.orderId] ?? 0, replayed: true };
    }
    const quantity = stock.reservations[order.orderId];
    try {
      await client.send(
        quantity === undefined
          ? // Nothing to undo: leave a tombstone so a late reserve of this order is refused.
            new UpdateItemCommand({
              TableName: tableName,
              Key: { sku: { S: order.sku } },
              UpdateExpression: "SET released.#o = :zero",
              ConditionExpression:
                "attribute_not_exists(reservations.#o) AND attribute_not_exists(released.#o)",
              ExpressionAttributeNames: { "#o": order.orderId },
              ExpressionAttributeValues: { ":zero": { N: "0" } },
            })
          : new UpdateItemCommand({
              TableName: tableName,
              Key: { sku: { S: order.sku } },
              UpdateExpression: "SET available = available + :q, released.#o = :q REMOVE reservations.#o",
              ConditionExpression: "reservations.#o = :q AND attribute_not_exists(released.#o)",
              ExpressionAttributeNames: { "#o": order.orderId },
              ExpressionAttributeValues: { ":q": { N: String(quantity) } },
            }),
      );
      return { released: quantity ?? 0, replayed: false };
    } catch (error) {
      // A concurrent reserve or release changed the item between the read and the write: read again.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
  throw new Error(`release of ${order.orderId} on ${order.sku} kept racing concurrent updates`);
}
