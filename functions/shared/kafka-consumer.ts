/**
 * The Kafka batch consumer every Kafka-fed function can share (the adapter over the event source that
 * Powertools for TypeScript lacks): decode → parse → idempotency on the event id → work, with Kafka
 * partial batch responses.
 *
 * - Each record is decoded (`./kafka-event.ts`) and parsed once, up front; a {@link PermanentError}
 *   from `parse` makes it poison (recorded with `onPoison` and skipped, in its turn);
 * - the ids of the parsed events are looked up in one read ({@link BatchIdempotency.begin}); an id
 *   completed before is replayed (its work skipped), one reused with other content is poison
 *   (`PayloadMismatch`);
 * - partitions run concurrently, each partition's records in offset order, and the first failure stops
 *   its partition (`./kafka-batch.ts`: the failed record and every later one are reported);
 * - the answer waits for the batch's completion marks ({@link IdempotencyBatch.flush}); if they cannot
 *   be written the invocation fails and the event source retries the batch.
 */
import type { BatchIdempotency } from "./batch-idempotency.js";
import type { PermanentError } from "./errors.js";
import { type KafkaBatchOutcome, processKafkaBatch } from "./kafka-batch.js";
import {
  type DecodedKafkaRecord,
  decodeKafkaRecord,
  type KafkaEvent,
  type MSKRecord,
} from "./kafka-event.js";

/** What identifies an event for idempotency. */
export interface EventIdentity {
  /** The idempotency key: the CloudEvent `id`. */
  readonly key: string;
  /** What two deliveries must share to be the same event (e.g. `idempotencyPayload(event)`). @default undefined */
  readonly payload?: unknown;
}

/** Options of {@link createKafkaConsumer}. */
export interface KafkaConsumerOptions<TEvent> {
  /** Parses a record; throws a {@link PermanentError} when it can never be processed (poison). */
  readonly parse: (record: DecodedKafkaRecord) => TEvent;
  readonly identify: (event: TEvent) => EventIdentity;
  /** The business work of one event, run at most once per id (see {@link BatchIdempotency}). */
  readonly work: (event: TEvent, record: DecodedKafkaRecord) => Promise<void>;
  readonly idempotency: BatchIdempotency;
  /** Records a poison record (topic, partition, offset, the error's type and reason). */
  readonly onPoison: (record: DecodedKafkaRecord, error: PermanentError) => Promise<void>;
  /** Called for each record reported as failed, with its partition's first error. @default none */
  readonly onFailure?: (record: DecodedKafkaRecord, error: unknown) => void;
}

/** A batch's outcome, with how many records were replays of completed events. */
export interface KafkaConsumerOutcome extends KafkaBatchOutcome {
  /** Records whose event id was completed before (their work was skipped; counted in `processed`). */
  readonly replayed: number;
}

type Parsed<TEvent> =
  | { readonly event: TEvent; readonly identity: EventIdentity }
  | { readonly error: unknown };

/** Builds the consumer: Kafka event in, outcome (with the partial batch response) out. */
export function createKafkaConsumer<TEvent>(
  options: KafkaConsumerOptions<TEvent>,
): (event: KafkaEvent) => Promise<KafkaConsumerOutcome> {
  return async (event) => {
    const parsed = new Map<MSKRecord, Parsed<TEvent>>();
    const keys: string[] = [];
    for (const records of Object.values(event.records ?? {})) {
      for (const raw of records) {
        try {
          const value = options.parse(decodeKafkaRecord(raw));
          const identity = options.identify(value);
          parsed.set(raw, { event: value, identity });
          keys.push(identity.key);
        } catch (error) {
          parsed.set(raw, { error });
        }
      }
    }
    const batch = await options.idempotency.begin(keys);
    let replayed = 0;
    const outcome = await processKafkaBatch(
      event,
      async (record) => {
        const entry = parsed.get(record.raw);
        if (entry === undefined)
          throw new Error(`record ${record.topic}-${record.partition}@${record.offset} was not parsed`);
        if ("error" in entry) throw entry.error;
        const { key, payload } = entry.identity;
        const result = await batch.run(key, () => options.work(entry.event, record), payload);
        if (result.replayed) replayed++;
      },
      { onPoison: options.onPoison, ...(options.onFailure ? { onFailure: options.onFailure } : {}) },
    );
    await batch.flush();
    return { ...outcome, replayed };
  };
}
