/**
 * The shared SQS consumer: the SQS adapter of the event pipeline (`event-pipeline.ts`), reused by
 * every consumer of every pattern (sns-sqs-fanout subscribers, sqs-dlq-redrive workers).
 *
 * The pipeline does the per-event work (decode → fault injection → idempotency on the CloudEvent
 * `id` → business function → classification); this file only speaks SQS:
 * - the payload is the record `body` (`raw`, or the SNS notification's `Message` when `sns`);
 * - the attempt is `ApproximateReceiveCount`;
 * - `applied` / `duplicate` → the record is deleted by Lambda (not in `batchItemFailures`);
 * - `rejected` ({@link PermanentError}) → sent to the DLQ at once with `error.type`/`error.reason`,
 *   then treated as handled; if that send fails, the record is reported as failed instead (nothing
 *   is lost);
 * - thrown → reported in `batchItemFailures`, so SQS redelivers only that record.
 *
 * A record that arrives with `error.type`/`error.reason` attributes was redriven with its DLQ copy's
 * attributes (SQS's `StartMessageMoveTask` sends the copy back unchanged; the own mover drops them):
 * they describe an EARLIER failure. They are logged once on receipt as `previousError`, included in
 * this record's other log lines, and replaced by the new reason if it fails permanently again. If the
 * queue's RedrivePolicy dead-letters it instead (timeout, crash), the DLQ copy still shows the
 * previous reason: its receive count and `redrive-count` tell the two apart.
 *
 * Requires the event source mapping's `ReportBatchItemFailures`. Standard queues are processed in
 * parallel; FIFO queues (`eventSourceARN` ending `.fifo`) in order, and a failed record makes the
 * rest of ITS message group fail in that batch (Powertools `SqsFifoPartialProcessorAsync` with
 * `skipGroupOnError`), so a group never overtakes its own failed message while other groups go on.
 */
import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from "@aws-lambda-powertools/batch";
import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { decodeBody, type EventSchemaRegistry, type MessageEnvelope } from "./cloudevent-decoder.js";
import type { CloudEvent } from "./cloudevents.js";
import type { DlqSender } from "./dlq-sender.js";
import { RetryableError } from "./errors.js";
import { createEventPipeline, type DeliveryAdapter } from "./event-pipeline.js";
import type { FaultInjectionConfig } from "./fault-injection.js";
import type { IdempotencyGuard } from "./idempotency.js";

/** What the business function receives besides the event. */
export interface RecordContext {
  readonly record: SQSRecord;
  readonly lambdaContext?: Context;
  readonly logger: Logger;
}

/** The business function: apply the event's effect; throw `RetryableError`/`PermanentError` to fail. */
export type EventHandler<TData> = (event: CloudEvent<TData>, context: RecordContext) => Promise<void>;

/** How one record ended. */
export type RecordOutcome =
  | { readonly status: "applied"; readonly eventId: string }
  | { readonly status: "duplicate"; readonly eventId: string }
  | { readonly status: "dead-lettered"; readonly errorType: string; readonly reason: string };

/** Options of {@link createSqsConsumer}. */
export interface SqsConsumerOptions<TData> {
  /**
   * The consumer's name (e.g. the subscriber): idempotency key prefix, fault-injection hash scope,
   * log and metric dimension.
   */
  readonly name: string;
  /** How the CloudEvent is wrapped in the body: `raw` or inside an SNS notification (`sns`). */
  readonly envelope: MessageEnvelope;
  /** Known event types → zod schema of `data`. */
  readonly schemas: EventSchemaRegistry<TData>;
  /** The business function. */
  readonly handle: EventHandler<TData>;
  /** Sends permanently failing records to the DLQ. */
  readonly sendToDlq: DlqSender;
  /** Deduplicates on the CloudEvent `id`. @default no deduplication (only for side-effect-free consumers) */
  readonly idempotency?: IdempotencyGuard;
  /** @default NO_FAULTS */
  readonly faultInjection?: FaultInjectionConfig;
  /** Bodies above this size are `Oversize`. @default DEFAULT_MAX_BODY_BYTES (256 KiB) */
  readonly maxBodyBytes?: number;
  /** @default a Powertools Logger with serviceName = name */
  readonly logger?: Logger;
  /** @default a Powertools Metrics with serviceName = name (namespace from POWERTOOLS_METRICS_NAMESPACE) */
  readonly metrics?: Metrics;
}

/** The consumer: a per-record function and the batch handler built on it. */
export interface SqsConsumer {
  /** Processes one record; throws when the record must be retried. */
  processRecord(record: SQSRecord, lambdaContext?: Context): Promise<RecordOutcome>;
  /** Processes a Lambda SQS event into a partial batch response. */
  handleBatch(event: SQSEvent, lambdaContext?: Context): Promise<SQSBatchResponse>;
}

/** The {@link DeliveryAdapter} for SQS records. */
export function sqsDeliveryAdapter(
  options: Pick<SqsConsumerOptions<unknown>, "envelope" | "maxBodyBytes">,
): DeliveryAdapter<SQSRecord> {
  return {
    payload: (record) => decodeBody(record.body, options),
    attempt: (record) => Number(record.attributes.ApproximateReceiveCount) || undefined,
    logFields: (record) => {
      const previous = previousError(record);
      return {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        ...(previous ? { previousError: previous } : {}),
      };
    },
  };
}

/** The failure an earlier DLQ copy recorded on this message (`error.type`/`error.reason`), if any. */
export interface PreviousError {
  readonly type?: string;
  readonly reason?: string;
}

/** The stale `error.*` attributes of a record redriven with its DLQ copy's attributes; `undefined` if none. */
export function previousError(record: SQSRecord): PreviousError | undefined {
  const type = record.messageAttributes?.["error.type"]?.stringValue;
  const reason = record.messageAttributes?.["error.reason"]?.stringValue;
  if (type === undefined && reason === undefined) return undefined;
  return { ...(type === undefined ? {} : { type }), ...(reason === undefined ? {} : { reason }) };
}

/** Builds a {@link SqsConsumer}; see the module documentation for the semantics. */
export function createSqsConsumer<TData>(options: SqsConsumerOptions<TData>): SqsConsumer {
  const { sendToDlq, handle } = options;
  const adapter = sqsDeliveryAdapter(options);
  const pipeline = createEventPipeline<TData, SQSRecord>({
    name: options.name,
    adapter,
    schemas: options.schemas,
    handle: (event, { item, lambdaContext, logger }) =>
      handle(event, { record: item, lambdaContext, logger }),
    ...(options.idempotency ? { idempotency: options.idempotency } : {}),
    ...(options.faultInjection ? { faultInjection: options.faultInjection } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  const { logger, metrics } = pipeline;
  const count = (metric: string) => metrics.addMetric(metric, MetricUnit.Count, 1);

  async function processRecord(record: SQSRecord, lambdaContext?: Context): Promise<RecordOutcome> {
    const previous = previousError(record);
    if (previous) {
      logger.info("record carries error.* of an earlier failure (redriven with its DLQ copy's attributes)", {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        redriveCount: record.messageAttributes["redrive-count"]?.stringValue,
        previousError: previous,
      });
    }
    const outcome = await pipeline.process(record, lambdaContext);
    if (outcome.status !== "rejected") return outcome;
    const { error } = outcome;
    const log = adapter.logFields(record);
    try {
      await sendToDlq(record, error);
    } catch (sendError) {
      count("RecordsFailed");
      logger.error("could not send a permanently failing record to the DLQ; SQS will retry it", {
        ...log,
        errorType: error.type,
        reason: error.reason,
        error: sendError,
      });
      throw new RetryableError(`DLQ send failed for ${error.type}: ${(sendError as Error).message}`, {
        cause: sendError,
      });
    }
    count("RecordsDeadLettered");
    logger.warn("record sent to the DLQ", { ...log, errorType: error.type, reason: error.reason });
    return { status: "dead-lettered", errorType: error.type, reason: error.reason };
  }

  async function handleBatch(event: SQSEvent, lambdaContext?: Context): Promise<SQSBatchResponse> {
    const recordHandler = (record: SQSRecord) => processRecord(record, lambdaContext);
    const fifo = event.Records[0]?.eventSourceARN.endsWith(".fifo") ?? false;
    const response = fifo
      ? await processPartialResponse(event, recordHandler, new SqsFifoPartialProcessorAsync(), {
          context: lambdaContext,
          skipGroupOnError: true,
          throwOnFullBatchFailure: false,
        })
      : await processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
          context: lambdaContext,
          throwOnFullBatchFailure: false,
        });
    return response;
  }

  return { processRecord, handleBatch };
}
