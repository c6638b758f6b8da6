/**
 * Idempotency for consumers that receive their events in ordered batches (the Kafka event source):
 * one read per batch and completion marks written in the background, instead of Powertools
 * idempotency's two conditional writes per event in the event's critical path.
 *
 * Why not `./idempotency.ts` (Powertools) here: Powertools writes an in-progress record before the
 * work and the completed record after it, both on the record's path. For a Kafka partition, whose
 * records are processed one after another, that is three sequential DynamoDB round trips per record
 * (with the effect's own write): on DynamoDB's ~5 ms per write a partition then moves ≈ 65 records/s,
 * and locally the SDK calls are most of the consumer's CPU. The in-progress record exists to stop two
 * concurrent invocations from running the same event; this consumer assumes the Kafka event source
 * runs one invocation per partition at a time (it processes a partition in order; confirm it on a real
 * deployment, see the pattern README) and records of one key always land in one partition, so the lock
 * would buy nothing (see "Guarantees" below). What remains:
 *
 * 1. {@link BatchIdempotency.begin}: one strongly consistent `BatchGetItem` per 100 event ids of the
 *    batch finds the ids completed before (a record whose `expiration` has passed, which DynamoDB's
 *    TTL deletes lazily, is treated as absent);
 * 2. {@link IdempotencyBatch.run}: a completed id (before, or earlier in this batch) skips the work
 *    (`replayed`, or a {@link PermanentError} `PayloadMismatch` when the stored payload hash differs);
 *    otherwise the work runs and, once it succeeded, the id's completion mark is queued;
 * 3. marks are written by a group commit: whenever marks are queued and no write is in flight, one
 *    `BatchWriteItem` of up to 25 marks starts (unprocessed items are retried with a growing pause).
 *    So a mark is durable a round trip after its work, while later records run: when an invocation
 *    times out on a record, the marks of the records before it are already written and the retry
 *    replays them instead of running their work again;
 * 4. {@link IdempotencyBatch.flush} waits for every mark; the handler calls it before answering, so a
 *    batch is reported successful only once its marks are durable. A mark that cannot be written
 *    (after the retries) fails the flush: the batch is retried and those events run again.
 *
 * Guarantees: the work of an event runs once per id within `expiresAfterSeconds`, except (as with
 * Powertools) when the environment dies after the work and before the mark is written — here the
 * marks queued or in flight: normally one round trip's worth of records, more while DynamoDB
 * throttles the writes, where Powertools' window is one record —, when the marks cannot be written at
 * all (the batch is retried and its work runs again), or when two invocations run the same id at the
 * same time (if a producer sent one event to two partitions, e.g. around a partition-count increase,
 * or the event source overlapped two invocations of a partition). Make the work itself conditional
 * where a second run matters (the example consumer's effect never moves an entity's `lastSequence`
 * back or applies it twice, and counts such a second delivery as an order violation).
 *
 * Records use the idempotency table of the stack (partition key `id`, TTL attribute `expiration`):
 * `id` is `<keyPrefix>#<sha256 of the event id>` (bounded length, as DynamoDB keys must be), with the
 * event id's first {@link MARK_EVENT_ID_CHARS} characters in `eventId` for people reading the table
 * (a CloudEvent id has no length limit; the mark stays one write unit). The scheme differs from
 * Powertools', so records Powertools wrote are not recognised.
 */
import { createHash } from "node:crypto";
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
import { batchGetItems } from "./batch-get-items.js";
import { PermanentError, RetryableError } from "./errors.js";
import { DEFAULT_IDEMPOTENCY_EXPIRES_AFTER_SECONDS, hashPayload } from "./idempotency.js";

/** Options of {@link createBatchIdempotency}. */
export interface BatchIdempotencyOptions {
  /** Table with partition key `id` (S) and TTL attribute `expiration` (the Powertools table). */
  readonly tableName: string;
  readonly client: DynamoDBClient;
  /** Scopes keys, so several consumers can share one table and each still processes every event once. */
  readonly keyPrefix: string;
  /**
   * How long a completed id is remembered: at least how late a duplicate can arrive (for Kafka, the
   * topic's retention). @default 86400 (24 hours)
   */
  readonly expiresAfterSeconds?: number;
  /**
   * Rounds of `UnprocessedItems` retries of one mark write before the flush fails (an error the SDK
   * still throws after its own retries fails it at once).
   * @default 8 (with pauses growing from 50 ms to 1 s: about 4.5 s in all)
   */
  readonly maxWriteRetries?: number;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

/** Starts batches. */
export interface BatchIdempotency {
  /** Reads which of `keys` (the event ids of one batch) were completed before. */
  begin(keys: readonly string[]): Promise<IdempotencyBatch>;
}

/** The idempotency of one batch. */
export interface IdempotencyBatch {
  /**
   * Runs `work` unless `key` was completed (before this batch, or earlier in it). `replayed` is true
   * when the work was skipped.
   * - completed with another `payload` hash → {@link PermanentError} `PayloadMismatch`;
   * - the same key already running in this batch (another partition) → {@link RetryableError};
   * - a mark of this batch could not be written → {@link RetryableError} (the flush will fail);
   * - `work` throws → nothing is marked and the error propagates.
   * @param payload what must be identical for two deliveries to be "the same event". @default undefined
   */
  run(key: string, work: () => Promise<void>, payload?: unknown): Promise<{ replayed: boolean }>;
  /**
   * Waits until every mark of this batch is written; rejects if one could not be. Call it once every
   * {@link IdempotencyBatch.run} of the batch has settled: it does not wait for work still running.
   */
  flush(): Promise<void>;
}

/** Thrown by {@link IdempotencyBatch.flush} when completion marks could not be written. */
export class CompletionMarkError extends Error {
  override readonly name = "CompletionMarkError";
}

/** How much of the event id a mark keeps in `eventId` (readability only; the key is its hash). */
export const MARK_EVENT_ID_CHARS = 256;

/** DynamoDB's limit of requests in one `BatchWriteItem`. */
const MAX_BATCH_WRITE = 25;

/** An {@link BatchIdempotency} on DynamoDB. */
export function createBatchIdempotency(options: BatchIdempotencyOptions): BatchIdempotency {
  const expiresAfterSeconds = options.expiresAfterSeconds ?? DEFAULT_IDEMPOTENCY_EXPIRES_AFTER_SECONDS;
  const maxWriteRetries = options.maxWriteRetries ?? 8;
  const clock = options.clock ?? (() => new Date());
  const idOf = (key: string) =>
    `${options.keyPrefix}#${createHash("sha256").update(key).digest("base64url")}`;

  return {
    async begin(keys) {
      const ids = new Map(keys.map((key) => [idOf(key), key]));
      const items = await batchGetItems(
        options.client,
        options.tableName,
        [...ids.keys()].map((id) => ({ id: { S: id } })),
        { consistentRead: true },
      );
      const nowSeconds = Math.floor(clock().getTime() / 1000);
      /** Completed keys with their payload hash (`undefined`: stored without one). */
      const completed = new Map<string, string | undefined>();
      for (const item of items) {
        const key = ids.get(item.id?.S ?? "");
        if (key === undefined || Number(item.expiration?.N ?? 0) <= nowSeconds) continue;
        completed.set(key, item.payloadHash?.S);
      }
      const running = new Set<string>();
      const queued: WriteRequest[] = [];
      let writing: Promise<void> | undefined;
      let failure: Error | undefined;

      const mark = (key: string, payloadHash: string): WriteRequest => {
        const now = clock();
        const item: Record<string, AttributeValue> = {
          id: { S: idOf(key) },
          eventId: { S: key.slice(0, MARK_EVENT_ID_CHARS) },
          status: { S: "COMPLETED" },
          payloadHash: { S: payloadHash },
          completedAt: { S: now.toISOString() },
          expiration: { N: String(Math.floor(now.getTime() / 1000) + expiresAfterSeconds) },
        };
        return { PutRequest: { Item: item } };
      };

      const writeOnce = async (requests: WriteRequest[]): Promise<void> => {
        let pending = requests;
        for (let attempt = 0; pending.length > 0; attempt++) {
          if (attempt > maxWriteRetries) {
            throw new CompletionMarkError(
              `${pending.length} completion marks of ${options.tableName} still unprocessed after ${maxWriteRetries} retries`,
            );
          }
          if (attempt > 0)
            await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
          const response = await options.client.send(
            new BatchWriteItemCommand({ RequestItems: { [options.tableName]: pending } }),
          );
          pending = response.UnprocessedItems?.[options.tableName] ?? [];
        }
      };

      // The group commit: one write in flight; what is queued meanwhile goes in the next one.
      const drain = (): void => {
        if (writing !== undefined || queued.length === 0 || failure !== undefined) return;
        const requests = queued.splice(0, MAX_BATCH_WRITE);
        writing = writeOnce(requests)
          .catch((error: unknown) => {
            failure =
              error instanceof CompletionMarkError
                ? error
                : new CompletionMarkError(
                    `completion marks of ${options.tableName} could not be written: ${(error as Error).message}`,
                    { cause: error },
                  );
          })
          .finally(() => {
            writing = undefined;
            drain();
          });
      };

      return {
        async run(key, work, payload) {
          const payloadHash = hashPayload(payload);
          if (completed.has(key)) {
            const stored = completed.get(key);
            if (stored !== undefined && stored !== payloadHash) {
              throw new PermanentError(
                "PayloadMismatch",
                `event id ${key} was already applied with a different payload (source, type, subject or data differ); the stored effect is kept`,
              );
            }
            return { replayed: true };
          }
          if (failure !== undefined) {
            // The batch will fail at its flush and be redelivered: doing more work now only adds work
            // that runs again.
            throw new RetryableError(`event id ${key} not attempted: ${failure.message}`);
          }
          if (running.has(key)) {
            throw new RetryableError(`event id ${key} is being processed by another record of this batch`);
          }
          running.add(key);
          try {
            await work();
          } finally {
            running.delete(key);
          }
          completed.set(key, payloadHash);
          queued.push(mark(key, payloadHash));
          drain();
          return { replayed: false };
        },
        async flush() {
          while (writing !== undefined) await writing;
          if (failure !== undefined) throw failure;
        },
      };
    },
  };
}
