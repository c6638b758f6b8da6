/**
 * The shared SQS consumer: one place that turns an SQS batch into per-record outcomes, reused by
 * every consumer of every pattern (sns-sqs-fanout subscribers, sqs-dlq-redrive workers).
 *
 * Per record: decode (envelope → CloudEvent → per-type zod schema), optional fault injection,
 * idempotency on the CloudEvent `id`, then the business function. Outcomes:
 * - success or replayed duplicate → the record is deleted by Lambda (not in `batchItemFailures`);
 * - {@link PermanentError} → sent to the DLQ at once with `error.type`/`error.reason`, then treated
 *   as handled; if that send fails, the record is reported as failed instead (nothing is lost);
 * - any other error → reported in `batchItemFailures`, so SQS redelivers only that record.
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
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { decodeCloudEvent, type EventSchemaRegistry, type MessageEnvelope } from "./cloudevent-decoder.js";
import type { CloudEvent } from "./cloudevents.js";
import type { DlqSender } from "./dlq-sender.js";
import { isPermanentError, RetryableError } from "./errors.js";
import { type FaultInjectionConfig, isFaultInjected, NO_FAULTS } from "./fault-injection.js";
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

/** Builds a {@link SqsConsumer}; see the module documentation for the semantics. */
export function createSqsConsumer<TData>(options: SqsConsumerOptions<TData>): SqsConsumer {
  const { name, idempotency, handle, sendToDlq } = options;
  const faults = options.faultInjection ?? NO_FAULTS;
  const logger = options.logger ?? new Logger({ serviceName: name });
  const metrics = options.metrics ?? new Metrics({ serviceName: name });
  const count = (metric: string) => metrics.addMetric(metric, MetricUnit.Count, 1);

  async function processRecord(record: SQSRecord, lambdaContext?: Context): Promise<RecordOutcome> {
    if (lambdaContext) idempotency?.registerLambdaContext(lambdaContext);
    const log = { messageId: record.messageId, receiveCount: record.attributes.ApproximateReceiveCount };
    try {
      const event = decodeCloudEvent(record, options);
      if (
        record.attributes.ApproximateReceiveCount === "1" &&
        isFaultInjected(name, event.id, faults.transientRate)
      ) {
        count("FaultsInjected");
        throw new RetryableError(`injected transient fault for event ${event.id} (first receive)`);
      }
      const work = () => handle(event, { record, lambdaContext, logger });
      const { replayed } = idempotency ? await idempotency.run(event.id, work) : await runPlain(work);
      count(replayed ? "DuplicatesSkipped" : "EventsApplied");
      logger.debug(replayed ? "duplicate event skipped" : "event applied", {
        ...log,
        eventId: event.id,
        type: event.type,
      });
      return { status: replayed ? "duplicate" : "applied", eventId: event.id };
    } catch (error) {
      if (!isPermanentError(error)) {
        count("RecordsFailed");
        logger.warn("record failed; SQS will retry it", { ...log, error });
        throw error;
      }
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

async function runPlain(work: () => Promise<void>): Promise<{ replayed: boolean }> {
  await work();
  return { replayed: false };
}
