/**
 * The event pipeline every consumer shares, independent of the transport that delivered the event:
 *
 *   item → payload (adapter) → CloudEvent (envelope + per-type `data` schema) → fault injection
 *        → idempotency on the CloudEvent `id` (with a payload check) → business function
 *
 * and one classification of how it ended ({@link PipelineOutcome}):
 * - `applied` / `duplicate` (the id was completed before: the work is skipped);
 * - `rejected` with a {@link PermanentError} (bad schema, unknown type, payload mismatch, a business
 *   rule): retrying cannot help; the ADAPTER decides where it goes (an SQS DLQ with reasons, a Kafka
 *   DLQ topic, a Step Functions Catch);
 * - anything else is thrown (a {@link RetryableError}, or any unknown error, which is never swallowed):
 *   the adapter makes the transport redeliver the item.
 *
 * A transport is a {@link DeliveryAdapter}: how to get the CloudEvent candidate out of one item, which
 * delivery attempt it is, and what identifies it in logs. The adapters:
 *
 * - **SQS** (`sqs-consumer.ts`, shipped): item = `SQSRecord`; payload = `decodeBody(record.body)`
 *   (`raw` or SNS envelope); attempt = `ApproximateReceiveCount`; `rejected` → `SendMessage` to the
 *   DLQ with `error.type`/`error.reason`, thrown → `batchItemFailures` (FIFO: the rest of the group too).
 * - **Kafka / MSK** (`kafka-consumer.ts`, over `kafka-batch.ts`): not this per-item pipeline but the same
 *   steps per batch, because a Kafka batch is ordered: every record decoded and parsed up front (a
 *   `PermanentError` is poison: recorded with topic, partition and offset, and skipped), one
 *   idempotency read for the whole batch and completion marks written in the background
 *   (`batch-idempotency.ts`), each partition in offset order, stopping at its first thrown error, and
 *   the Kafka partial batch response.
 * - **Step Functions saga step** (later): item = the task input (JSON already parsed); payload = the
 *   input itself, or the field holding the CloudEvent (`(input) => input.event`), validated by
 *   `validateCloudEvent` inside the pipeline; attempt = a retry counter the state machine passes in
 *   (`$$.State.RetryCount + 1`) or `undefined`. `applied`/`duplicate` → return the step's result;
 *   `rejected` → rethrow the `PermanentError` (name `PermanentError`: a `Catch` starts the
 *   compensation); thrown → rethrow as `RetryableError` so the state's `Retry` on that name applies.
 *
 * The adapter owns the transport's response; the pipeline owns everything about the event.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import { type EventSchemaRegistry, validateCloudEvent } from "./cloudevent-decoder.js";
import type { CloudEvent } from "./cloudevents.js";
import { isPermanentError, type PermanentError, RetryableError } from "./errors.js";
import { type FaultInjectionConfig, isFaultInjected, NO_FAULTS } from "./fault-injection.js";
import type { IdempotencyGuard } from "./idempotency.js";

/** What a transport adapter tells the pipeline about one delivered item. */
export interface DeliveryAdapter<TItem> {
  /**
   * The CloudEvent candidate the item carries (parsed JSON, not yet validated). Throws a
   * {@link PermanentError} when there is none (`Oversize`, `MalformedJson`, a wrong envelope).
   */
  payload(item: TItem): unknown;
  /** 1 on the first delivery; `undefined` when the transport does not say (fault injection is then off). */
  attempt(item: TItem): number | undefined;
  /** Fields that identify the item in logs (message id, topic/partition/offset, execution…). */
  logFields(item: TItem): Readonly<Record<string, unknown>>;
}

/** What the business function receives besides the event. */
export interface EventContext<TItem> {
  /** The transport's item, for the rare handler that needs it (e.g. the receive count for backoff). */
  readonly item: TItem;
  readonly lambdaContext?: Context;
  readonly logger: Logger;
}

/** The business function: apply the event's effect; throw `RetryableError`/`PermanentError` to fail. */
export type PipelineHandler<TData, TItem> = (
  event: CloudEvent<TData>,
  context: EventContext<TItem>,
) => Promise<void>;

/** How one item ended, when it is not to be redelivered. */
export type PipelineOutcome =
  | { readonly status: "applied"; readonly eventId: string }
  | { readonly status: "duplicate"; readonly eventId: string }
  | { readonly status: "rejected"; readonly error: PermanentError; readonly eventId?: string };

/** Options of {@link createEventPipeline}. */
export interface EventPipelineOptions<TData, TItem> {
  /** The consumer's name: idempotency key scope, fault-injection hash scope, log and metric dimension. */
  readonly name: string;
  /** How to read the transport's items. */
  readonly adapter: DeliveryAdapter<TItem>;
  /** Known event types → zod schema of `data`; any other type is `UnknownEventType`. */
  readonly schemas: EventSchemaRegistry<TData>;
  /** The business function. */
  readonly handle: PipelineHandler<TData, TItem>;
  /** Deduplicates on the CloudEvent `id`. @default no deduplication (only for side-effect-free consumers) */
  readonly idempotency?: IdempotencyGuard;
  /** @default NO_FAULTS */
  readonly faultInjection?: FaultInjectionConfig;
  /** @default a Powertools Logger with serviceName = name */
  readonly logger?: Logger;
  /** @default a Powertools Metrics with serviceName = name */
  readonly metrics?: Metrics;
}

/** A pipeline bound to one transport. */
export interface EventPipeline<TItem> {
  /**
   * Runs one item. Resolves with `applied`, `duplicate` or `rejected`; rejects (throws) when the item
   * must be delivered again. Metrics: `EventsApplied`, `DuplicatesSkipped`, `RecordsFailed`,
   * `FaultsInjected`, `EventTimeAhead` (the adapter counts what it does with `rejected`).
   */
  process(item: TItem, lambdaContext?: Context): Promise<PipelineOutcome>;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * What the idempotency payload check compares: the event's content, not its delivery (`time` is set
 * at each publish, so a producer's retry of the same event differs there and must still match).
 */
export function idempotencyPayload(event: CloudEvent): unknown {
  return { source: event.source, type: event.type, subject: event.subject ?? null, data: event.data };
}

/**
 * How far a producer's `time` may be ahead of this function's clock before the event is counted as
 * skewed (`EventTimeAhead` metric and a warning; SQS-13). The event is still processed: ordering uses
 * versions or sequence numbers, never wall-clock time, so a skewed producer clock changes nothing but
 * deserves a look.
 */
export const CLOCK_SKEW_TOLERANCE_MS = 60_000;

/** Builds an {@link EventPipeline}; see the module documentation. */
export function createEventPipeline<TData, TItem>(
  options: EventPipelineOptions<TData, TItem>,
): EventPipeline<TItem> {
  const { name, adapter, schemas, handle, idempotency } = options;
  const faults = options.faultInjection ?? NO_FAULTS;
  const logger = options.logger ?? new Logger({ serviceName: name });
  const metrics = options.metrics ?? new Metrics({ serviceName: name });
  const count = (metric: string) => metrics.addMetric(metric, MetricUnit.Count, 1);

  async function processItem(item: TItem, lambdaContext?: Context): Promise<PipelineOutcome> {
    if (lambdaContext) idempotency?.registerLambdaContext(lambdaContext);
    const log = adapter.logFields(item);
    let eventId: string | undefined;
    try {
      const event = validateCloudEvent(adapter.payload(item), schemas);
      eventId = event.id;
      const aheadMs = event.time === undefined ? 0 : Date.parse(event.time) - Date.now();
      if (aheadMs > CLOCK_SKEW_TOLERANCE_MS) {
        count("EventTimeAhead");
        logger.warn("event time is ahead of this clock; processed anyway", { ...log, eventId, aheadMs });
      }
      if (adapter.attempt(item) === 1 && isFaultInjected(name, event.id, faults.transientRate)) {
        count("FaultsInjected");
        throw new RetryableError(`injected transient fault for event ${event.id} (first receive)`);
      }
      const work = () => handle(event, { item, lambdaContext, logger });
      const { replayed } = idempotency
        ? await idempotency.run(event.id, work, idempotencyPayload(event))
        : await runPlain(work);
      count(replayed ? "DuplicatesSkipped" : "EventsApplied");
      logger.debug(replayed ? "duplicate event skipped" : "event applied", {
        ...log,
        eventId: event.id,
        type: event.type,
      });
      return { status: replayed ? "duplicate" : "applied", eventId: event.id };
    } catch (error) {
      if (isPermanentError(error)) {
        return { status: "rejected", error, ...(eventId === undefined ? {} : { eventId }) };
      }
      count("RecordsFailed");
      logger.warn("record failed; it will be delivered again", { ...log, eventId, error });
      throw error;
    }
  }

  return { process: processItem, logger, metrics };
}

async function runPlain(work: () => Promise<void>): Promise<{ replayed: boolean }> {
  await work();
  return { replayed: false };
}
