/**
 * Wiring of the sqs-dlq-redrive worker: the shared SQS consumer (partial batch responses, CloudEvent
 * decoding, idempotency on the event id, permanent errors to the DLQ with reasons) around the job
 * business function, wrapped in {@link withRetryPolicy} (backoff from ApproximateReceiveCount; retries
 * exhausted → DLQ with a reason).
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { createSqsDlqSender } from "../shared/dlq-sender.js";
import { ConfigError, readEnv } from "../shared/env.js";
import { RetryableError } from "../shared/errors.js";
import { createDynamoDbIdempotencyGuard, readIdempotencyExpiresAfterSeconds } from "../shared/idempotency.js";
import { lambdaHandler, type Observability } from "../shared/lambda-handler.js";
import { createSqsConsumer, type SqsConsumer } from "../shared/sqs-consumer.js";
import {
  type BackoffConfig,
  createVisibilityDelayer,
  MAX_VISIBILITY_SECONDS,
  withRetryPolicy,
} from "./backoff.js";
import { JOB_EVENT_SCHEMAS, type JobData } from "./jobs.js";
import { applyJobEffect, isFaultSwitchOn, recordFailedAttempt } from "./jobs-table.js";

/** The worker's configuration, from the environment (set by the RedrivableQueue construct and the stack). */
export interface JobWorkerConfig {
  /** `QUEUE_URL`: the work queue (for ChangeMessageVisibility). */
  readonly queueUrl: string;
  /** `DLQ_URL`: its DLQ (permanent errors and exhausted retries go there with reasons). */
  readonly dlqUrl: string;
  /** `MAX_RECEIVE_COUNT`: the queue's maxReceiveCount. */
  readonly maxReceiveCount: number;
  /** `BACKOFF_BASE_SECONDS`, `BACKOFF_MAX_SECONDS`. */
  readonly backoff: BackoffConfig;
  /** `JOBS_TABLE_NAME`: effects, attempt log, fault switch. */
  readonly jobsTableName: string;
  /** `IDEMPOTENCY_TABLE_NAME`. */
  readonly idempotencyTableName: string;
  /**
   * `IDEMPOTENCY_EXPIRES_AFTER_SECONDS`: how long a completed event id is remembered (the construct
   * sets queue retention + DLQ retention, so a redrive on the DLQ's last day is still deduplicated).
   * @default 86400 (only when the variable is unset)
   */
  readonly idempotencyExpiresAfterSeconds?: number;
}

function integer(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(
      `environment variable ${name} must be an integer from ${min} to ${max}, got "${value}"`,
    );
  }
  return n;
}

/** Reads and validates the configuration; throws naming every missing variable. */
export function readJobWorkerConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): JobWorkerConfig {
  const v = readEnv(
    [
      "QUEUE_URL",
      "DLQ_URL",
      "MAX_RECEIVE_COUNT",
      "BACKOFF_BASE_SECONDS",
      "BACKOFF_MAX_SECONDS",
      "JOBS_TABLE_NAME",
      "IDEMPOTENCY_TABLE_NAME",
    ],
    env,
  );
  return {
    queueUrl: v.QUEUE_URL,
    dlqUrl: v.DLQ_URL,
    maxReceiveCount: integer("MAX_RECEIVE_COUNT", v.MAX_RECEIVE_COUNT, 1, 1000),
    backoff: {
      baseSeconds: integer("BACKOFF_BASE_SECONDS", v.BACKOFF_BASE_SECONDS, 1, MAX_VISIBILITY_SECONDS),
      maxSeconds: integer("BACKOFF_MAX_SECONDS", v.BACKOFF_MAX_SECONDS, 1, MAX_VISIBILITY_SECONDS),
    },
    jobsTableName: v.JOBS_TABLE_NAME,
    idempotencyTableName: v.IDEMPOTENCY_TABLE_NAME,
    idempotencyExpiresAfterSeconds: readIdempotencyExpiresAfterSeconds(env),
  };
}

/** Dependencies of {@link createJobWorker}. */
export interface JobWorkerDeps extends Observability {
  readonly config: JobWorkerConfig;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** Backoff jitter source. @default Math.random */
  readonly random?: () => number;
}

/** The worker as a plain {@link SqsConsumer} (tests drive it directly). */
export function createJobWorker({
  config,
  dynamodb,
  sqs,
  clock,
  random,
  logger,
  metrics,
}: JobWorkerDeps): SqsConsumer {
  const now = clock ?? (() => new Date());
  const handle = withRetryPolicy<JobData>(
    async (event, { record }) => {
      const { jobId, faultable, transientFailures } = event.data;
      const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
      if (transientFailures !== undefined && receiveCount <= transientFailures) {
        throw new RetryableError(
          `transient failure ${receiveCount} of ${transientFailures} for job ${jobId}`,
        );
      }
      if (faultable && (await isFaultSwitchOn(dynamodb, config.jobsTableName))) {
        throw new RetryableError(`fault switch is on: job ${jobId} cannot be processed`);
      }
      const redriveCount = Number(record.messageAttributes["redrive-count"]?.stringValue ?? 0) || 0;
      const { applied } = await applyJobEffect(dynamodb, config.jobsTableName, {
        jobId,
        eventId: event.id,
        receiveCount,
        redriveCount,
        now: now(),
      });
      const fields = { jobId, eventId: event.id, receiveCount, redriveCount };
      if (applied) {
        logger.info("job applied", fields);
        return;
      }
      // The idempotency layer let a second application of this event through (an expired or unsaved
      // record): the effect write's condition stopped it and recorded it on the job's item.
      metrics.addMetric("EffectDuplicatesSuppressed", MetricUnit.Count, 1);
      logger.warn(
        "job already applied by another attempt of this event; not applied again, recorded as a suppressed duplicate",
        fields,
      );
    },
    {
      maxReceiveCount: config.maxReceiveCount,
      backoff: config.backoff,
      delay: createVisibilityDelayer(sqs, config.queueUrl),
      ...(random ? { random } : {}),
      clock: () => now().getTime(),
      onRetry: (event, attempt) =>
        recordFailedAttempt(dynamodb, config.jobsTableName, event.data.jobId, attempt),
      onDelayError: (error) =>
        logger.warn("could not set the backoff delay; the retry comes after the queue's visibility timeout", {
          error,
        }),
    },
  );
  return createSqsConsumer<JobData>({
    name: "jobs",
    envelope: "raw",
    schemas: JOB_EVENT_SCHEMAS,
    handle,
    sendToDlq: createSqsDlqSender({ sqs, queueUrl: config.dlqUrl }),
    idempotency: createDynamoDbIdempotencyGuard({
      tableName: config.idempotencyTableName,
      client: dynamodb,
      keyPrefix: "jobs",
      ...(config.idempotencyExpiresAfterSeconds === undefined
        ? {}
        : { expiresAfterSeconds: config.idempotencyExpiresAfterSeconds }),
    }),
    logger,
    metrics,
  });
}

/** The Lambda handler (middy + Powertools logger and metrics) around {@link createJobWorker}. */
export function createJobWorkerHandler(deps: JobWorkerDeps) {
  const worker = createJobWorker(deps);
  return lambdaHandler(worker.handleBatch, deps);
}
