/**
 * A Kafka batch consumer with partial batch responses (the adapter the event pipeline lacks for
 * Kafka: Powertools for TypeScript has no Kafka batch processor).
 *
 * Semantics, per partition (order per partition is Kafka's one guarantee, so it is kept here):
 * - records are processed one after another in offset order; partitions run concurrently;
 * - the first record that fails with a retryable error stops its partition: it and every later record
 *   of the same partition are reported in `batchItemFailures`, so the event source resumes the
 *   partition from that offset (it checkpoints at the lowest failed offset anyway);
 * - a {@link PermanentError} (poison: it can never succeed) is recorded by `onPoison` with topic,
 *   partition, offset and reason and skipped, so the partition moves on; if recording fails, the
 *   record is treated as a retryable failure (never lost silently).
 */
import { isPermanentError, type PermanentError } from "./errors.js";
import {
  type DecodedKafkaRecord,
  decodeKafkaRecord,
  type KafkaEvent,
  topicPartition,
} from "./kafka-event.js";

/**
 * The item identifier of a failed Kafka record. Its shape is disputed: the AWS Lambda documentation
 * (Kafka partial batch responses) shows `{ "topic-partition": "<topic>-<partition>", "offset": N }`,
 * Powertools for Python emits `{ "partition": "<topic>-<partition>", "offset": N }`, and middy a
 * string `"<topic>-<partition>-<offset>"`. We follow the AWS documentation; it is the one thing to
 * confirm on a real deployment (a wrong identifier fails the whole batch, which retries and bisects
 * it: slower, never lossy). Kept in this one function so a correction is one line.
 */
export function kafkaItemIdentifier(record: {
  topic: string;
  partition: number;
  offset: number;
}): KafkaItemIdentifier {
  return { "topic-partition": topicPartition(record), offset: record.offset };
}

/** See {@link kafkaItemIdentifier}. */
export interface KafkaItemIdentifier {
  readonly "topic-partition": string;
  readonly offset: number;
}

/** The partial batch response for a Kafka event source with `ReportBatchItemFailures`. */
export interface KafkaBatchResponse {
  batchItemFailures: { itemIdentifier: KafkaItemIdentifier }[];
}

/** What happened to each record, for logs, metrics and tests. */
export interface KafkaBatchOutcome {
  readonly response: KafkaBatchResponse;
  readonly processed: number;
  readonly poison: number;
  /** Records not attempted or failed (the first failure of a partition and everything after it). */
  readonly failed: number;
}

/** Options of {@link processKafkaBatch}. */
export interface KafkaBatchOptions {
  /** Records a poison record (topic, partition, offset and the error's type and reason). */
  readonly onPoison: (record: DecodedKafkaRecord, error: PermanentError) => Promise<void>;
  /** Called for each record reported as failed, with the error of its partition's first failure. */
  readonly onFailure?: (record: DecodedKafkaRecord, error: unknown) => void;
}

/** Processes a Kafka event with `handleRecord` and builds the partial batch response. */
export async function processKafkaBatch(
  event: KafkaEvent,
  handleRecord: (record: DecodedKafkaRecord) => Promise<void>,
  options: KafkaBatchOptions,
): Promise<KafkaBatchOutcome> {
  let processed = 0;
  let poison = 0;
  const failures: { itemIdentifier: KafkaItemIdentifier }[][] = await Promise.all(
    Object.values(event.records ?? {}).map(async (records) => {
      const ordered = [...records].sort((a, b) => a.offset - b.offset);
      for (let i = 0; i < ordered.length; i++) {
        const record = decodeKafkaRecord(ordered[i] as (typeof ordered)[number]);
        try {
          await handleRecord(record);
          processed++;
        } catch (error) {
          if (isPermanentError(error)) {
            try {
              await options.onPoison(record, error);
              poison++;
              continue;
            } catch (recordingError) {
              return failRest(ordered.slice(i), recordingError, options);
            }
          }
          return failRest(ordered.slice(i), error, options);
        }
      }
      return [];
    }),
  );
  const batchItemFailures = failures.flat();
  return { response: { batchItemFailures }, processed, poison, failed: batchItemFailures.length };
}

function failRest(rest: KafkaEvent["records"][string], error: unknown, options: KafkaBatchOptions) {
  return rest.map((raw) => {
    options.onFailure?.(decodeKafkaRecord(raw), error);
    return { itemIdentifier: kafkaItemIdentifier(raw) };
  });
}
