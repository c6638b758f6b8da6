/**
 * One record per order in a step's table (partition key `orderId`): the payments and shipments tables.
 * A record moves `done` → `undone` at most once, or is created `void` when it was undone before it
 * was done (the compensation ran for a step whose action failed, timed out before committing, or has
 * not committed YET: a late action then finds the tombstone and does nothing).
 *
 * Both transitions are single conditional writes, so the action and its compensation are idempotent
 * on `(orderId, step)` and safe against each other; `appliedCount`/`undoneCount` make the business
 * state checkable (each is 0 or 1 by construction: a scenario that finds 2 found a bug).
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { isConditionalCheckFailed } from "../shared/conditional-effect.js";

/** The statuses of one table's records. */
export interface OrderRecordStatuses {
  /** After the action, e.g. `CHARGED`. */
  readonly done: string;
  /** After the compensation, e.g. `REFUNDED`. */
  readonly undone: string;
  /** Compensated before any action committed. */
  readonly void: string;
}

/** A record as read back. */
export interface OrderRecord {
  readonly orderId: string;
  readonly status: string;
  readonly appliedCount: number;
  readonly undoneCount: number;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

/** How an action ended. */
export type ApplyOutcome = "applied" | "replayed" | "already-undone";

/** How a compensation ended. */
export type UndoOutcome = "undone" | "replayed" | "nothing-to-undo";

/** Reads a record (consistent read). */
export async function readOrderRecord(
  client: DynamoDBClient,
  tableName: string,
  orderId: string,
): Promise<OrderRecord | undefined> {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: tableName, Key: { orderId: { S: orderId } }, ConsistentRead: true }),
  );
  if (!Item) return undefined;
  return {
    orderId,
    status: Item.status?.S ?? "",
    appliedCount: Number(Item.appliedCount?.N ?? 0),
    undoneCount: Number(Item.undoneCount?.N ?? 0),
    attributes: Item,
  };
}

/** Applies the action once: creates the `done` record with `attributes` unless a record exists. */
export async function applyOnce(
  client: DynamoDBClient,
  tableName: string,
  statuses: OrderRecordStatuses,
  orderId: string,
  attributes: Record<string, AttributeValue>,
  now: Date,
): Promise<ApplyOutcome> {
  try {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          ...attributes,
          orderId: { S: orderId },
          status: { S: statuses.done },
          appliedCount: { N: "1" },
          undoneCount: { N: "0" },
          appliedAt: { S: now.toISOString() },
        },
        ConditionExpression: "attribute_not_exists(orderId)",
      }),
    );
    return "applied";
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
  const record = await readOrderRecord(client, tableName, orderId);
  return record?.status === statuses.done ? "replayed" : "already-undone";
}

/** Undoes the action once; creates a `void` tombstone when there is nothing to undo. */
export async function undoOnce(
  client: DynamoDBClient,
  tableName: string,
  statuses: OrderRecordStatuses,
  orderId: string,
  now: Date,
): Promise<UndoOutcome> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { orderId: { S: orderId } },
          UpdateExpression: "SET #status = :undone, undoneAt = :now ADD undoneCount :one",
          ConditionExpression: "#status = :done",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":undone": { S: statuses.undone },
            ":done": { S: statuses.done },
            ":now": { S: now.toISOString() },
            ":one": { N: "1" },
          },
        }),
      );
      return "undone";
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const record = await readOrderRecord(client, tableName, orderId);
    if (record) return "replayed";
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            orderId: { S: orderId },
            status: { S: statuses.void },
            appliedCount: { N: "0" },
            undoneCount: { N: "0" },
            undoneAt: { S: now.toISOString() },
          },
          ConditionExpression: "attribute_not_exists(orderId)",
        }),
      );
      return "nothing-to-undo";
    } catch (error) {
      // The action committed between the read and the tombstone: undo it on the next round.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
  throw new Error(`undo of ${orderId} in ${tableName} kept racing its action`);
}
