/**
 * The reader of the jobs' items written by `jobs-table.ts` (`pk = job#<jobId>`: `applications`,
 * `suppressedDuplicates`, `firstAppliedAt`, the applying delivery's `receiveCount` and `redriveCount`, and the `attempts` log of
 * failed receives). Scenarios call this instead of parsing the layout themselves, so a change of the
 * item shape is made here, beside its writer.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { batchGetItems, type DynamoItem } from "../shared/batch-get-items.js";
import { jobKey } from "./jobs-table.js";

/** One failed attempt of a job, from its attempt log. */
export interface JobAttempt {
  readonly receiveCount: number;
  /** When the backoff delay was set (epoch ms). */
  readonly at: number;
  readonly delaySeconds: number;
  /** Whether SQS accepted the visibility change that implements the delay. */
  readonly delayApplied: boolean;
  readonly error: string;
}

/** A job's item: its effect (0 applications when it only failed so far) and its failed attempts. */
export interface JobRecord {
  readonly jobId: string;
  readonly applications: number;
  /**
   * Later attempts of an event that already applied the job, stopped by the effect write's condition (a
   * second application the idempotency layer let through): 0 when exactly once.
   */
  readonly suppressedDuplicates: number;
  /** When the effect was first applied (epoch ms; 0 when never). */
  readonly firstAppliedAt: number;
  /** `ApproximateReceiveCount` of the delivery that applied it. */
  readonly receiveCount: number;
  /** `redrive-count` of the delivery that applied it (the own mover sets it; a move task does not). */
  readonly redriveCount: number;
  readonly attempts: readonly JobAttempt[];
}

/** Parses one job item of the jobs table. */
export function parseJobItem(item: DynamoItem): JobRecord {
  return {
    jobId: (item.pk?.S ?? "").replace(/^job#/, ""),
    applications: Number(item.applications?.N ?? 0),
    suppressedDuplicates: Number(item.suppressedDuplicates?.N ?? 0),
    firstAppliedAt: Date.parse(item.firstAppliedAt?.S ?? "") || 0,
    receiveCount: Number(item.receiveCount?.N ?? 0),
    redriveCount: Number(item.redriveCount?.N ?? 0),
    attempts: (item.attempts?.L ?? []).map((a) => ({
      receiveCount: Number(a.M?.receiveCount?.N ?? 0),
      at: Number(a.M?.at?.N ?? 0),
      delaySeconds: Number(a.M?.delaySeconds?.N ?? 0),
      delayApplied: a.M?.delayApplied?.BOOL === true,
      error: a.M?.error?.S ?? "",
    })),
  };
}

/** Reads the items of `jobIds` (strongly consistent); jobs never applied nor failed are absent. */
export async function readJobs(
  client: DynamoDBClient,
  tableName: string,
  jobIds: readonly string[],
): Promise<JobRecord[]> {
  const items = await batchGetItems(
    client,
    tableName,
    jobIds.map((id) => ({ pk: { S: jobKey(id) } })),
    { consistentRead: true },
  );
  return items.map(parseJobItem);
}
