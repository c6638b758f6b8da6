/**
 * The example side effect, idempotent by design: one item per (subscriber, event id) in the effects
 * table, written with a conditional update, so the effect of an event is applied at most once per
 * subscriber even when the same write is sent twice (the AWS SDK retries a write whose response was
 * lost to a timeout, after DynamoDB had already applied it; an idempotency record can expire or fail
 * to save after the effect). And measured, not assumed: a second application that reaches the write
 * is not applied, but recorded on the item, so a scenario still sees it as a duplicate (see
 * `../shared/conditional-effect.ts` for why a condition alone would hide it).
 *
 * Layout of the effects table (the contract {@link parseEffectItem}, {@link readEffect} and the batch
 * reader `readEffects` in effects-reader.ts read):
 * - partition key `subscriber` (S), sort key `eventId` (S, the CloudEvent `id`);
 * - `applications` (N): `ADD`ed by 1 by the write, which is conditional on the item having no
 *   `applications` yet: it stays 1 however many times the write is repeated (only a write bypassing
 *   the condition could raise it to 2);
 * - `appliedAttempt` (S): the token of the effect attempt that applied it (one per call of the
 *   recorder; the SDK's retries of that call's request carry the same token);
 * - `suppressedDuplicates` (N) and `suppressedAttempts` (SS): how many other attempts, and their
 *   tokens, reached the write after it was applied and were stopped by the condition — second
 *   applications the idempotency layer let through. Absent (0) when exactly once;
 * - `firstAppliedAt` (S, ISO 8601): when the effect was applied;
 * - `type` (S): the CloudEvent `type`.
 */
import { type AttributeValue, type DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import type { CloudEvent } from "../shared/cloudevents.js";
import { applyEffectOnce, newAttemptToken } from "../shared/conditional-effect.js";

/**
 * `applied: true` when this call applied the effect (also when its first request was applied and the
 * SDK retried it after losing the response). `applied: false` when the effect had already been applied
 * by ANOTHER attempt: a second application that the idempotency layer let through. It was not applied
 * again; it was recorded on the item (`suppressedDuplicates`), and the caller should emit a metric.
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
 * `UpdateItem` `ADD applications :one SET firstAppliedAt = :now, type = :type, appliedAttempt = :attempt`
 * with `ConditionExpression: attribute_not_exists(applications)`, `:attempt` a fresh token per call.
 * On `ConditionalCheckFailedException` the item is read back (strongly consistent): `appliedAttempt`
 * equal to this call's token → the SDK retried this call's own applied write (success); another token
 * → a second application, recorded with `ADD suppressedDuplicates 1` and returned as `applied: false`.
 * The condition is on the item keyed by the event id, so no other event can fail it.
 */
export function createEffectRecorder({
  client,
  tableName,
  subscriber,
  clock = () => new Date(),
}: EffectRecorderOptions): EffectRecorder {
  return async (event) => {
    const key = { subscriber: { S: subscriber }, eventId: { S: event.id } };
    const attempt = newAttemptToken();
    return applyEffectOnce(
      client,
      tableName,
      key,
      attempt,
      {
        UpdateExpression:
          "ADD applications :one SET firstAppliedAt = :now, #type = :type, appliedAttempt = :attempt",
        ConditionExpression: "attribute_not_exists(applications)",
        ExpressionAttributeNames: { "#type": "type" },
        ExpressionAttributeValues: {
          ":one": { N: "1" },
          ":now": { S: clock().toISOString() },
          ":type": { S: event.type },
          ":attempt": { S: attempt },
        },
      },
      { projection: "appliedAttempt", ownAttempt: (item) => item?.appliedAttempt?.S === attempt },
    );
  };
}

/** One item of the effects table (see the module documentation). */
export interface EffectItem {
  readonly subscriber: string;
  readonly eventId: string;
  /** 1 when applied once; above 1 only if an application bypassed the condition. */
  readonly applications: number;
  /**
   * Second applications the idempotency layer let through, stopped by the write's condition (not
   * applied again): 0 when exactly once. A scenario counts an effect with any as a duplicate.
   */
  readonly suppressedDuplicates: number;
  readonly firstAppliedAt: string;
  readonly type: string;
}

/** Parses one item of the effects table (the batch reader beside this file uses it too). */
export function parseEffectItem(item: Record<string, AttributeValue>): EffectItem {
  return {
    subscriber: item.subscriber?.S ?? "",
    eventId: item.eventId?.S ?? "",
    applications: Number(item.applications?.N ?? "0"),
    suppressedDuplicates: Number(item.suppressedDuplicates?.N ?? "0"),
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
