/**
 * One record per order with a forward status and an undo status (payments: CHARGED → REFUNDED;
 * shipments: SCHEDULED → CANCELLED), table partition key `orderId`. Both transitions are
 * conditional, so each happens at most once however often the event is delivered:
 * - `applyOnce` creates the record (`attribute_not_exists(orderId)`); a repeat finds it (`replayed`);
 *   a record already undone or voided refuses the apply (`voided`: the order was compensated
 *   before its forward event arrived);
 * - `undoOnce` moves done → undone; with no record ("nothing to undo") it writes a `VOIDED`
 *   tombstone, so a forward event arriving later is refused instead of charging a cancelled order.
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { isConditionalCheckFailed } from "../shared/conditional-effect.js";

/** The statuses of one kind of record. */
export interface RecordStatuses {
  readonly done: string;
  readonly undone: string;
  /** A tombstone: undone before it was ever done. */
  readonly void: string;
}

/** How an apply ended. */
export type ApplyOutcome = "applied" | "replayed" | "voided";
/** How an undo ended. */
export type UndoOutcome = "undone" | "nothing-to-undo" | "replayed";

/** A record, as tests and the scenario ledger read it. */
export interface OrderRecord {
  readonly orderId: string;
  readonly status: string;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

/** Reads the record of an order (strongly consistent). */
export async function readRecord(
  client: DynamoDBClient,
  tableName: string,
  orderId: string,
): Promise<OrderRecord | undefined> {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: tableName, Key: { orderId: { S: orderId } }, ConsistentRead: true }),
  );
  if (!Item) return undefined;
  return { orderId, status: Item.status?.S ?? "", attributes: Item };
}

/** Does the forward transition once (see the module documentation). */
export async function applyOnce(
  client: DynamoDBClient,
  tableName: string,
  statuses: RecordStatuses,
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
          doneAt: { S: now.toISOString() },
        },
        ConditionExpression: "attribute_not_exists(orderId)",
      }),
    );
    return "applied";
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
  const record = await readRecord(client, tableName, orderId);
  return record?.status === statuses.done ? "replayed" : "voided";
}

/** Does the undo once, or leaves a tombstone when there is nothing to undo. */
export async function undoOnce(
  client: DynamoDBClient,
  tableName: string,
  statuses: RecordStatuses,
  orderId: string,
  now: Date,
): Promise<UndoOutcome> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const record = await readRecord(client, tableName, orderId);
    if (record && record.status !== statuses.done) return "replayed";
    try {
      if (record) {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { orderId: { S: orderId } },
            UpdateExpression: "SET #s = :undone, undoneAt = :now",
            ConditionExpression: "#s = :done",
            ExpressionAttributeNames: { "#s": "status" },
            ExpressionAttributeValues: {
              ":undone": { S: statuses.undone },
              ":done": { S: statuses.done },
              ":now": { S: now.toISOString() },
            },
          }),
        );
        return "undone";
      }
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { orderId: { S: orderId }, status: { S: statuses.void }, undoneAt: { S: now.toISOString() } },
          ConditionExpression: "attribute_not_exists(orderId)",
        }),
      );
      return "nothing-to-undo";
    } catch (error) {
      // The forward transition or another undo raced this one: read again.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
  throw new Error(`undo of ${orderId} in ${tableName} kept racing concurrent updates`);
}

/** Payment records. */
export const PAYMENT_STATUSES: RecordStatuses = { done: "CHARGED", undone: "REFUNDED", void: "VOIDED" };
/** Shipment records. */
export const SHIPMENT_STATUSES: RecordStatuses = { done: "SCHEDULED", undone: "CANCELLED", void: "VOIDED" };
