/**
 * The local Kafka event source: a consumer group member per mapping that reads a topic from the
 * project's broker and invokes the function with Lambda's documented semantics (see
 * kafka-records.ts for the event, response and on-failure shapes):
 * - records of a partition go in offset order, at most `batchSize` per invocation, the fetch waiting
 *   up to `maxBatchingWindowMs`; the partition does not advance while its batch is being retried;
 * - offsets are committed only after the records before them succeeded or went to the on-failure
 *   destination; stopping mid-batch leaves them uncommitted (redelivered: at-least-once);
 * - a partial batch response retries from the partition's lowest failed offset; a function error
 *   retries the batch, split in halves first when `bisectBatchOnError` (splitting does not count as
 *   a retry); after `retryAttempts` retries the records' metadata goes to `onFailure`
 *   (`RetryAttemptsExhausted`), and records older than `maxRecordAgeMs` go there unprocessed
 *   (`RecordAgeExceeded`).
 *
 * - `FilterCriteria` on the record's value (`accepts`): a record no pattern matches is never
 *   delivered, and its offset is committed with its batch's, as Lambda discards filtered records.
 *
 * Local gaps: one partition per event (Lambda may mix partitions of a topic in one batch); no
 * provisioned-poller scaling (one member per mapping); retries are immediate.
 * Built on kafkajs (already the project's test client of the broker): its consumer exposes the
 * explicit resolve/commit/heartbeat control this needs; @platformatic/kafka is the handlers' client.
 */
import { type Consumer, Kafka, logLevel } from "kafkajs";
import {
  type ConsumedKafkaRecord,
  interpretKafkaResult,
  type KafkaEventOrigin,
  type KafkaFailureCondition,
  kafkaOnFailureRecord,
  toKafkaEvent,
} from "./kafka-records.ts";

/** Settings of one mapping (from `AWS::Lambda::EventSourceMapping`). */
export interface KafkaPollerOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  /** `AmazonManagedKafkaEventSourceConfig.ConsumerGroupId`, else the mapping's UUID. */
  readonly groupId: string;
  /** @default 100 */
  readonly batchSize?: number;
  /** @default 500 */
  readonly maxBatchingWindowMs?: number;
  /** @default "TRIM_HORIZON" */
  readonly startingPosition?: "TRIM_HORIZON" | "LATEST";
  /** −1 is infinite. @default -1 */
  readonly retryAttempts?: number;
  /** @default false */
  readonly bisectBatchOnError?: boolean;
  /** @default - no limit */
  readonly maxRecordAgeMs?: number;
  /** @default false */
  readonly reportBatchItemFailures?: boolean;
  readonly origin: KafkaEventOrigin;
  readonly functionArn: string;
  /** Invokes the function synchronously. */
  invoke(payload: string): Promise<{ payload: string; functionError?: string; requestId?: string }>;
  /** Sends an on-failure record (JSON) to the destination; without it such records are dropped, as Lambda does. */
  onFailure?(message: string): Promise<void>;
  /** @default Date.now */
  now?(): number;
  /** Lambda event filtering: whether a record is delivered (see `event-filter.ts`). @default every record */
  accepts?(record: ConsumedKafkaRecord): boolean;
  /**
   * Authenticate with SASL/OAUTHBEARER, as Lambda's pollers do on MSK's IAM listener (the local
   * broker accepts any token). @default false
   */
  readonly saslOauthBearer?: boolean;
}

/** A running poller. */
export interface KafkaPoller {
  /** Resolves once the member has joined its group and holds partitions. */
  readonly ready: Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

/** Creates the poller of one mapping (not started). */
export function createKafkaPoller(options: KafkaPollerOptions): KafkaPoller {
  const batchSize = options.batchSize ?? 100;
  const retryAttempts =
    options.retryAttempts === undefined || options.retryAttempts < 0 ? Infinity : options.retryAttempts;
  const now = options.now ?? Date.now;
  const kafka = new Kafka({
    clientId: `lambda-esm-${options.groupId}`,
    brokers: [...options.brokers],
    logLevel: logLevel.NOTHING,
    ...(options.saslOauthBearer
      ? {
          sasl: {
            mechanism: "oauthbearer" as const,
            oauthBearerProvider: async () => ({ value: "local-event-source" }),
          },
        }
      : {}),
  });
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    maxWaitTimeInMs: options.maxBatchingWindowMs ?? 500,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  consumer.on(consumer.events.GROUP_JOIN, () => markReady());
  let running: Promise<void> | undefined;

  async function deadLetter(
    records: ConsumedKafkaRecord[],
    condition: KafkaFailureCondition,
    invokes: number,
    error?: string,
  ) {
    if (records.length === 0 || !options.onFailure) return;
    const record = kafkaOnFailureRecord(records, {
      condition,
      functionArn: options.functionArn,
      requestId: `local-${now()}`,
      approximateInvokeCount: invokes,
      origin: options.origin,
      functionError: error,
    });
    await options.onFailure(JSON.stringify(record));
  }

  /** Delivers `records` (one partition, in order) until each succeeded or was dead-lettered. */
  async function deliver(records: ConsumedKafkaRecord[], retries: number): Promise<void> {
    const maxAge = options.maxRecordAgeMs;
    if (maxAge !== undefined) {
      const expired = records.filter((r) => now() - r.timestamp > maxAge);
      await deadLetter(expired, "RecordAgeExceeded", retries);
      records = records.filter((r) => now() - r.timestamp <= maxAge);
    }
    if (records.length === 0) return;
    const result = await options.invoke(JSON.stringify(toKafkaEvent(records, options.origin)));
    const verdict = interpretKafkaResult(result, records, options.reportBatchItemFailures ?? false);
    if (verdict.kind === "success") return;
    if (verdict.kind === "failure" && options.bisectBatchOnError && records.length > 1) {
      const half = Math.ceil(records.length / 2);
      await deliver(records.slice(0, half), retries);
      await deliver(records.slice(half), retries);
      return;
    }
    const remaining =
      verdict.kind === "partial"
        ? records.filter((r) => r.offset >= (verdict.resumeFrom.get(`${r.topic}-${r.partition}`) ?? Infinity))
        : records;
    if (retries >= retryAttempts) {
      await deadLetter(remaining, "RetryAttemptsExhausted", retries + 1, result.functionError);
      return;
    }
    await deliver(remaining, retries + 1);
  }

  return {
    ready,
    start() {
      running = (async () => {
        await consumer.connect();
        await consumer.subscribe({
          topic: options.topic,
          fromBeginning: (options.startingPosition ?? "TRIM_HORIZON") === "TRIM_HORIZON",
        });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: 8,
          eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
            const records: ConsumedKafkaRecord[] = batch.messages.map((m) => ({
              topic: batch.topic,
              partition: batch.partition,
              offset: Number(m.offset),
              timestamp: Number(m.timestamp),
              key: m.key ?? null,
              value: m.value ?? null,
              headers: Object.entries(m.headers ?? {}).flatMap(([name, v]) =>
                (Array.isArray(v) ? v : [v])
                  .filter((x) => x !== undefined)
                  .map((x) => [name, Buffer.from(x)] as const),
              ),
            }));
            for (let i = 0; i < records.length; i += batchSize) {
              if (!isRunning() || isStale()) return;
              const chunk = records.slice(i, i + batchSize);
              const delivered = options.accepts ? chunk.filter((r) => options.accepts?.(r)) : chunk;
              // Lambda's poller stays in its group however long the function runs (up to 14 min):
              // heartbeat while the batch is delivered, or a slow or timed-out invocation outlives the
              // session timeout, the member is evicted and its partitions stall.
              const beat = setInterval(() => heartbeat().catch(() => {}), 1_000);
              try {
                await deliver(delivered, 0);
              } finally {
                clearInterval(beat);
              }
              const last = chunk[chunk.length - 1] as ConsumedKafkaRecord;
              resolveOffset(String(last.offset));
              await consumer.commitOffsets([
                { topic: batch.topic, partition: batch.partition, offset: String(last.offset + 1) },
              ]);
              await heartbeat();
            }
          },
        });
      })();
    },
    async stop() {
      await running?.catch(() => {});
      await consumer.disconnect();
    },
  };
}
