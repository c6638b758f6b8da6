/**
 * The jobs table (partition key `pk`, S) holds two kinds of items:
 * - `job#<jobId>`: the job's effect (`applications`, incremented once per event id that applies it, so a
 *   job applied by two events is visible as 2; `appliedEventIds`, the string set of those event ids;
 *   `appliedAttempts`, the string set of `<eventId>|<attempt token>` of the attempts that applied them;
 *   `suppressedDuplicates` and `suppressedAttempts`, the count and tokens of later attempts of the same
 *   event stopped by the write's condition — see `../shared/conditional-effect.ts`), `firstAppliedAt`,
 *   the `receiveCount` and `redriveCount` of the applying delivery, and an `attempts` list of failed
 *   attempts (receive count, time the delay was set, chosen backoff delay, whether SQS accepted it, error);
 * - `fault-switch`: `{ on: true|false }`, the scenario's fault switch. A table item (rather than an
 *   environment variable) can be flipped with one AWS SDK call on every target (embedded, LocalStack, AWS)
 *   without redeploying or restarting functions, and is read with a consistent read so a flip is seen at once.
 */
import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { applyEffectOnce, newAttemptToken } from "../shared/conditional-effect.js";
import type { FailedAttempt } from "./backoff.js";

/** Key of the fault-switch item. */
export const FAULT_SWITCH_KEY = "fault-switch";

/** Key of a job's item. */
export function jobKey(jobId: string): string {
  return `job#${jobId}`;
}

/** Reads the fault switch (absent = off). */
export async function isFaultSwitchOn(client: DynamoDBClient, tableName: string): Promise<boolean> {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: tableName, Key: { pk: { S: FAULT_SWITCH_KEY } }, ConsistentRead: true }),
  );
  return Item?.on?.BOOL === true;
}

/** Sets the fault switch. */
export async function setFaultSwitch(client: DynamoDBClient, tableName: string, on: boolean): Promise<void> {
  await client.send(
    new PutItemCommand({ TableName: tableName, Item: { pk: { S: FAULT_SWITCH_KEY }, on: { BOOL: on } } }),
  );
}

/**
 * Applies a job's effect once per event id: `ADD applications :one, appliedEventIds :ids, appliedAttempts
 * :attempts` (the CloudEvent ids that applied it, and `<eventId>|<token>` of the applying attempt, a fresh
 * token per call), conditional on `:id` not being in `appliedEventIds` yet, first application time kept.
 *
 * On `ConditionalCheckFailedException` the item is read back (strongly consistent): this call's
 * `<eventId>|<token>` in `appliedAttempts` → the SDK retried this call's own applied write (success,
 * `applied: true`); otherwise another attempt of the same event applied it — a second application that
 * the idempotency layer let through (an expired or unsaved record): not applied again, recorded with
 * `ADD suppressedDuplicates 1`, `applied: false`. A second application by a DIFFERENT event id for the same
 * job still counts (`applications` = 2). Either way a scenario sees the job as applied twice.
 */
export async function applyJobEffect(
  client: DynamoDBClient,
  tableName: string,
  job: { jobId: string; eventId: string; receiveCount: number; redriveCount: number; now: Date },
): Promise<{ applied: boolean }> {
  const key = { pk: { S: jobKey(job.jobId) } };
  const attempt = `${job.eventId}|${newAttemptToken()}`;
  return applyEffectOnce(
    client,
    tableName,
    key,
    attempt,
    {
      UpdateExpression:
        "ADD applications :one, appliedEventIds :ids, appliedAttempts :attempts SET firstAppliedAt = if_not_exists(firstAppliedAt, :now), receiveCount = :rc, redriveCount = :rd",
      ConditionExpression: "attribute_not_exists(appliedEventIds) OR NOT contains(appliedEventIds, :id)",
      ExpressionAttributeValues: {
        ":one": { N: "1" },
        ":ids": { SS: [job.eventId] },
        ":attempts": { SS: [attempt] },
        ":id": { S: job.eventId },
        ":now": { S: job.now.toISOString() },
        ":rc": { N: String(job.receiveCount) },
        ":rd": { N: String(job.redriveCount) },
      },
    },
    {
      projection: "appliedAttempts",
      ownAttempt: (item) => item?.appliedAttempts?.SS?.includes(attempt) === true,
    },
  );
}

/** Appends a failed attempt to the job's `attempts` list (what a scenario reads to check the backoff). */
export async function recordFailedAttempt(
  client: DynamoDBClient,
  tableName: string,
  jobId: string,
  attempt: FailedAttempt,
): Promise<void> {
  await client.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: { pk: { S: jobKey(jobId) } },
      UpdateExpression: "SET attempts = list_append(if_not_exists(attempts, :empty), :attempt)",
      ExpressionAttributeValues: {
        ":empty": { L: [] },
        ":attempt": {
          L: [
            {
              M: {
                receiveCount: { N: String(attempt.receiveCount) },
                at: { N: String(attempt.delayedAt) },
                delaySeconds: { N: String(attempt.delaySeconds) },
                delayApplied: { BOOL: attempt.delayApplied },
                error: { S: attempt.error.slice(0, 500) },
              },
            },
          ],
        },
      },
    }),
  );
}
