/**
 * Stock per SKU, one item each in the inventory table (partition key `sku`):
 * `{ sku, available, reservations: { <orderId>: quantity }, released: { <orderId>: quantity } }`.
 *
 * Reserve and release are single-item conditional updates, so each is atomic and idempotent on
 * `(orderId, step)` without transactions (dynalite, the local DynamoDB, has no TransactWriteItems):
 * - reserve decrements `available` and records the reservation only if stock suffices and the order
 *   has neither a reservation nor a release; a retry finds its reservation and returns it;
 * - release gives the quantity back and moves the order from `reservations` to `released`; with no
 *   reservation ("nothing to undo": the reserve failed, or has not committed yet) it still writes the
 *   release as a tombstone, so a reserve that commits late (a timed-out attempt still running) is refused
 *   instead of leaking stock.
 * The maps grow with the orders of a SKU (400 KB per item): a production inventory would keep one item per
 * reservation and use TransactWriteItems.
 */
import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { isConditionalCheckFailed } from "./conditional.js";
import { OutOfStock } from "./errors.js";

/** What a reserve returns (the step's result at `$.results.ReserveInventory`). */
export interface ReservationResult {
  readonly sku: string;
  /** Units reserved for the order; 0 when the order was already released (a late retry). */
  readonly reserved: number;
  readonly replayed: boolean;
}

/** What a release returns. */
export interface ReleaseResult {
  readonly sku: string;
  /** Units given back; 0 when there was nothing to undo. */
  readonly released: number;
  readonly replayed: boolean;
}

/** A SKU's stock as the scenario and tests read it. */
export interface StockItem {
  readonly sku: string;
  readonly available: number;
  readonly reservations: Readonly<Record<string, number>>;
  readonly released: Readonly<Record<string, number>>;
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

/** Reads a SKU's stock (consistent read); `undefined` when the SKU does not exist. */
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

/** Reserves `quantity` of `sku` for `orderId`; throws {@link OutOfStock} (nothing reserved) when short. */
export async function reserveStock(
  client: DynamoDBClient,
  tableName: string,
  order: { orderId: string; sku: string; quantity: number },
): Promise<ReservationResult> {
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
    return { sku: order.sku, reserved: order.quantity, replayed: false };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
  const stock = await readStock(client, tableName, order.sku);
  const existing = stock?.reservations[order.orderId];
  if (existing !== undefined) return { sku: order.sku, reserved: existing, replayed: true };
  if (stock && order.orderId in stock.released) return { sku: order.sku, reserved: 0, replayed: true };
  throw new OutOfStock(
    stock
      ? `${order.quantity} × ${order.sku} requested, ${stock.available} available`
      : `unknown SKU ${order.sku}`,
  );
}

/** Releases the order's reservation of `sku` (or records that there was nothing to release). */
export async function releaseStock(
  client: DynamoDBClient,
  tableName: string,
  order: { orderId: string; sku: string },
): Promise<ReleaseResult> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const stock = await readStock(client, tableName, order.sku);
    if (!stock) return { sku: order.sku, released: 0, replayed: false };
    if (order.orderId in stock.released) {
      return { sku: order.sku, released: stock.released[order.orderId] ?? 0, replayed: true };
    }
    const quantity = stock.reservations[order.orderId];
    try {
      if (quantity === undefined) {
        // Nothing to undo: leave a tombstone so a late reserve of this order is refused.
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { sku: { S: order.sku } },
            UpdateExpression: "SET released.#o = :zero",
            ConditionExpression:
              "attribute_not_exists(reservations.#o) AND attribute_not_exists(released.#o)",
            ExpressionAttributeNames: { "#o": order.orderId },
            ExpressionAttributeValues: { ":zero": { N: "0" } },
          }),
        );
        return { sku: order.sku, released: 0, replayed: false };
      }
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { sku: { S: order.sku } },
          UpdateExpression: "SET available = available + :q, released.#o = :q REMOVE reservations.#o",
          ConditionExpression: "reservations.#o = :q AND attribute_not_exists(released.#o)",
          ExpressionAttributeNames: { "#o": order.orderId },
          ExpressionAttributeValues: { ":q": { N: String(quantity) } },
        }),
      );
      return { sku: order.sku, released: quantity, replayed: false };
    } catch (error) {
      // A concurrent reserve or release changed the item between the read and the write: read again.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
  throw new Error(`release of ${order.orderId} on ${order.sku} kept racing a concurrent update`);
}
