/**
 * The example domain of the sqs-dlq-redrive pattern: `job.requested` events, one per unit of work.
 * Two optional fields drive the scenario's faults through the payload, so they work on every target:
 * - `faultable: true`: the job fails (retryably) on every receive while the fault switch is on;
 * - `transientFailures: k`: the job fails on its first k receives, then succeeds (shows the backoff).
 */
import * as z from "zod";
import type { EventSchemaRegistry } from "../shared/cloudevent-decoder.js";

/** `data` of a `job.requested` event. */
export const JobDataSchema = z.object({
  jobId: z.string().min(1),
  /** Fails while the fault switch (an item in the jobs table) is on. @default false */
  faultable: z.boolean().optional(),
  /** Fails on receives 1..k, succeeds on k + 1. @default 0 */
  transientFailures: z.number().int().min(0).max(100).optional(),
});

/** Validated job data. */
export type JobData = z.infer<typeof JobDataSchema>;

/** The one known type; anything else is a permanent `UnknownEventType`. */
export const JOB_EVENT_SCHEMAS: EventSchemaRegistry<JobData> = { "job.requested": JobDataSchema };
