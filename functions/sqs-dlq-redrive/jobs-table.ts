/**
 * The jobs table (partition key `pk`, S) holds two kinds of items:
 * - `job#<jobId>`: the job's effect (`applications`, incremented once per event id that applies it, so a
 *   duplicate is visible as 2; `appliedEventIds`, the string set of those event ids), `firstAppliedAt`, the `receiveCount` and `redriveCount` of the applying delivery, and an
 *   `attempts` list of failed attempts (receive count, time the delay was set, chosen backoff delay, whether
 *   SQS accepted it, error);
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
 * Applies a job's effect once per event id: `ADD applications :one, appliedEventIds :id` (a string set of the
 * CloudEvent ids that applied it), conditional on `:id` not being in `appliedEventIds` yet, first
 * application time kept. A `ConditionalCheckFailedException` means this event already applied the effect (an
 * SDK retry of a write whose response was lost, or an expired idempotency record): success, `applied: false`.
 * A second application by a DIFFERENT event id for the same job still counts (`applications` = 2), which is
 * how a scenario sees a job applied twice.
 */
export async function applyJobEffect(
  client: DynamoDBClient,
  tableName: string,
  job: { jobId: string; eventId: string; receiveCount: number; redriveCount: number; now: Date },
): Promise<{ applied: boolean }> {
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { pk: { S: jobKey(job.jobId) } },
        UpdateExpression:
          "ADD applications :one, appliedEventIds :ids SET firstAppliedAt = if_not_exists(firstAppliedAt, :now), receiveCount = :rc, redriveCount = :rd",
        ConditionExpression: "attribute_not_exists(appliedEventIds) OR NOT contains(appliedEventIds, :id)",
        ExpressionAttributeValues: {
          ":one": { N: "1" },
          ":ids": { SS: [job.eventId] },
          ":id": { S: job.eventId },
          ":now": { S: job.now.toISOString() },
          ":rc": { N: String(job.receiveCount) },
          ":rd": { N: String(job.redriveCount) },
        },
      }),
    );
    return { applied: true };
  } catch (error) {
    if (error instanceof Error && error.name === "ConditionalCheckFailedException") return { applied: false };
    throw error;
  }
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
