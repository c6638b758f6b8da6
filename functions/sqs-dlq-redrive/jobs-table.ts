/**
 * The jobs table (partition key `pk`, S) holds two kinds of items:
 * - `job#<jobId>`: the job's effect (`applications`, incremented on every application, so a duplicate is
 *   visible as 2), `firstAppliedAt`, the `receiveCount` and `redriveCount` of the applying delivery, and an
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
 * Applies a job's effect: `ADD applications :one`, first application time kept. Not conditional on
 * purpose: preventing a second application is the idempotency layer's job, and this makes a failure of it
 * countable.
 */
export async function applyJobEffect(
  client: DynamoDBClient,
  tableName: string,
  job: { jobId: string; receiveCount: number; redriveCount: number; now: Date },
): Promise<void> {
  await client.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: { pk: { S: jobKey(job.jobId) } },
      UpdateExpression:
        "ADD applications :one SET firstAppliedAt = if_not_exists(firstAppliedAt, :now), receiveCount = :rc, redriveCount = :rd",
      ExpressionAttributeValues: {
        ":one": { N: "1" },
        ":now": { S: job.now.toISOString() },
        ":rc": { N: String(job.receiveCount) },
        ":rd": { N: String(job.redriveCount) },
      },
    }),
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
