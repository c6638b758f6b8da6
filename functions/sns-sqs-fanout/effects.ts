/**
 * The example side effect, idempotent by design: one item per (subscriber, event id) in the effects
 * table, written with a conditional update, so the effect of an event is applied at most once per
 * subscriber even when the same write is sent twice (the AWS SDK retries a write whose response was
 * lost to a timeout, after DynamoDB had already applied it; an idempotency record can expire or fail
 * to save after the effect).
 *
 * Layout of the effects table (the contract {@link parseEffectItem}, {@link readEffect} and the batch
 * reader `readEffects` in effects-reader.ts read):
 * - partition key `subscriber` (S), sort key `eventId` (S, the CloudEvent `id`);
 * - `applications` (N): `ADD`ed by 1 by the write, which is conditional on the item having no
 *   `applications` yet: it stays 1 however many times the write is repeated. Only an application that
 *   bypasses the condition (an un-deduplicated second application: a bug) can raise it to 2, which
 *   is how a scenario still detects a double effect;
 * - `firstAppliedAt` (S, ISO 8601): when the effect was applied;
 * - `type` (S): the CloudEvent `type`.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { CloudEvent } from "../shared/cloudevents.js";

/**
 * `applied: false` when the item already recorded the effect as the write arrived: an earlier delivery
 * applied it, or this very call's first attempt did and the SDK retried after losing the response.
 */
export interface EffectResult {
  readonly applied: boolean;
}

/** Applies the effect of one event, at most once per (subscriber, event id). */
export type EffectRecorder = (event: CloudEvent) => Promise<EffectResult>;

/** Options of {@link createEffectRecorder}. */
export interface EffectRecorderOptions {
  readonly client: DynamoDBClient;
  /** Table with partition key `subscriber` (S) and sort key `eventId` (S). */
  readonly tableName: string;
  readonly subscriber: string;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

/**
 * `UpdateItem` `ADD applications :one SET firstAppliedAt = :now, type = :type` with
 * `ConditionExpression: attribute_not_exists(applications)`. A `ConditionalCheckFailedException`
 * means the item for this (subscriber, event id) already records the application: success, nothing
 * applied twice. The condition is on the item keyed by the event id, so no other event can fail it.
 */
export function createEffectRecorder({
  client,
  tableName,
  subscriber,
  clock = () => new Date(),
}: EffectRecorderOptions): EffectRecorder {
  return async (event) => {
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { subscriber: { S: subscriber }, eventId: { S: event.id } },
          UpdateExpression: "ADD applications :one SET firstAppliedAt = :now, #type = :type",
          ConditionExpression: "attribute_not_exists(applications)",
          ExpressionAttributeNames: { "#type": "type" },
          ExpressionAttributeValues: {
            ":one": { N: "1" },
            ":now": { S: clock().toISOString() },
            ":type": { S: event.type },
          },
        }),
      );
      return { applied: true };
    } catch (error) {
      if (isConditionalCheckFailed(error)) return { applied: false };
      throw error;
    }
  };
}

/** One item of the effects table (see the module documentation). */
export interface EffectItem {
  readonly subscriber: string;
  readonly eventId: string;
  /** 1 when applied once; above 1 only if an application bypassed the condition. */
  readonly applications: number;
  readonly firstAppliedAt: string;
  readonly type: string;
}

/** Parses one item of the effects table (the batch reader beside this file uses it too). */
export function parseEffectItem(item: Record<string, AttributeValue>): EffectItem {
  return {
    subscriber: item.subscriber?.S ?? "",
    eventId: item.eventId?.S ?? "",
    applications: Number(item.applications?.N ?? "0"),
    firstAppliedAt: item.firstAppliedAt?.S ?? "",
    type: item.type?.S ?? "",
  };
}

/** Reads the effect of `eventId` for `subscriber` (strongly consistent); `undefined` if never applied. */
export async function readEffect(
  client: DynamoDBClient,
  tableName: string,
  key: { readonly subscriber: string; readonly eventId: string },
): Promise<EffectItem | undefined> {
  const { Item } = await client.send(
    new GetItemCommand({
      TableName: tableName,
      Key: { subscriber: { S: key.subscriber }, eventId: { S: key.eventId } },
      ConsistentRead: true,
    }),
  );
  return Item === undefined ? undefined : parseEffectItem(Item);
}

/** By class or by name (an error deserialized by another copy of the SDK). */
function isConditionalCheckFailed(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === "ConditionalCheckFailedException")
  );
}
