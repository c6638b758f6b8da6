/**
 * Building blocks of an effect write that is both idempotent and still able to show a duplicate.
 *
 * An effect write is conditional ("not applied yet for this event"), so a second application never
 * changes the effect. But a condition alone also hides WHY it failed: the AWS SDK retries a write
 * whose response was lost (after DynamoDB applied it), and that retry fails the condition exactly like
 * a second application that the idempotency layer let through (an expired or unsaved idempotency
 * record, a bug). The first is success; the second is the double effect the design promises never to
 * attempt, and it must stay measurable.
 *
 * So each effect attempt carries a random token ({@link newAttemptToken}), generated once per call of
 * the effect function: the SDK's retries resend the same serialized request, hence the same token. On
 * `ConditionalCheckFailedException` the writer reads the item back (strongly consistent `GetItem`:
 * `ReturnValuesOnConditionCheckFailure` would save the read, but dynalite, the local DynamoDB, does not
 * implement it) and compares: its own token → its own write, retried; another token → a second
 * application, not applied again but recorded on the item by {@link recordSuppressedDuplicate}.
 */
import { randomUUID } from "node:crypto";
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from "@aws-sdk/client-dynamodb";

/** A fresh token for one effect attempt (one call of the effect function). */
export function newAttemptToken(): string {
  return randomUUID();
}

/** Whether `error` is DynamoDB's `ConditionalCheckFailedException` (by class, or by name from another SDK copy). */
export function isConditionalCheckFailed(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === "ConditionalCheckFailedException")
  );
}

/**
 * Records a second application of an effect on its item: `ADD suppressedDuplicates :one,
 * suppressedAttempts :attempt` (a string set of the suppressed attempts' tokens), conditional on the
 * token not being in the set yet, so an SDK retry of this write counts once too. The effect itself is
 * not touched.
 */
export async function recordSuppressedDuplicate(
  client: DynamoDBClient,
  tableName: string,
  key: Record<string, AttributeValue>,
  attempt: string,
): Promise<void> {
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: "ADD suppressedDuplicates :one, suppressedAttempts :attempts",
        ConditionExpression:
          "attribute_not_exists(suppressedAttempts) OR NOT contains(suppressedAttempts, :attempt)",
        ExpressionAttributeValues: {
          ":one": { N: "1" },
          ":attempts": { SS: [attempt] },
          ":attempt": { S: attempt },
        },
      }),
    );
  } catch (error) {
    // This very suppression was recorded by an earlier try of the same request (SDK retry).
    if (!isConditionalCheckFailed(error)) throw error;
  }
}

/** The effect write of {@link applyEffectOnce}: an `UpdateItem` on `key`, with its condition. */
export type EffectUpdate = Omit<UpdateItemCommandInput, "TableName" | "Key">;

/**
 * Applies an effect write once and tells an SDK retry of it from a second application (see the module
 * documentation): sends `update` (which must record `attempt` on the item and be conditional on the
 * effect not being applied yet); on `ConditionalCheckFailedException` reads `projection` back (strongly
 * consistent) and asks `ownAttempt` whether the item holds this call's `attempt`. Its own write,
 * retried → `applied: true`; another attempt's → recorded by {@link recordSuppressedDuplicate},
 * `applied: false`.
 */
export async function applyEffectOnce(
  client: DynamoDBClient,
  tableName: string,
  key: Record<string, AttributeValue>,
  attempt: string,
  update: EffectUpdate,
  readBack: {
    readonly projection: string;
    readonly ownAttempt: (item: Record<string, AttributeValue> | undefined) => boolean;
  },
): Promise<{ applied: boolean }> {
  try {
    await client.send(new UpdateItemCommand({ TableName: tableName, Key: key, ...update }));
    return { applied: true };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
  const { Item } = await client.send(
    new GetItemCommand({
      TableName: tableName,
      Key: key,
      ConsistentRead: true,
      ProjectionExpression: readBack.projection,
    }),
  );
  if (readBack.ownAttempt(Item)) return { applied: true };
  await recordSuppressedDuplicate(client, tableName, key, attempt);
  return { applied: false };
}
