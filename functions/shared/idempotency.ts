/**
 * Exactly-once *effects* over at-least-once delivery: SNS and SQS may deliver an event more than
 * once (and a retrying producer may publish it twice), so the consumer records each event id in
 * DynamoDB (Powertools idempotency) and skips the work when it sees the id again.
 *
 * The key is the CloudEvent `id` chosen by the producer, never the SQS message ID: redrive and
 * duplicate publishes give the same event a new message ID.
 */

import { randomUUID } from "node:crypto";
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Context } from "aws-lambda";

/** Runs work at most once per key (until the key expires). */
export interface IdempotencyGuard {
  /**
   * Gives the guard the invocation's remaining time, so an in-progress record left by a timed-out
   * invocation expires when that invocation would have, instead of blocking retries for the full TTL.
   */
  registerLambdaContext(context: Context): void;
  /**
   * Runs `work` unless `key` was already completed. `replayed` is true when the work was skipped.
   * Throws (so the record is retried) if the key is in progress elsewhere or the table fails;
   * if `work` throws, the key is released and the error propagates.
   */
  run(key: string, work: () => Promise<void>): Promise<{ replayed: boolean }>;
}

/** Options of {@link createDynamoDbIdempotencyGuard}. */
export interface DynamoDbIdempotencyGuardOptions {
  /** Table with partition key `id` (S) and TTL attribute `expiration` (Powertools defaults). */
  readonly tableName: string;
  readonly client: DynamoDBClient;
  /**
   * Scopes keys, so several consumers can share one table and each still processes every event
   * once (e.g. the subscriber name).
   */
  readonly keyPrefix: string;
  /**
   * How long a completed key is remembered. Must exceed the window in which duplicates can arrive
   * (queue retention plus DLQ redrive time, if redriven events must not be re-applied).
   * @default 86400 (24 hours)
   */
  readonly expiresAfterSeconds?: number;
}

/** An {@link IdempotencyGuard} on the Powertools `DynamoDBPersistenceLayer`. */
export function createDynamoDbIdempotencyGuard(options: DynamoDbIdempotencyGuardOptions): IdempotencyGuard {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: "key",
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: options.expiresAfterSeconds ?? 86_400,
  });
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    awsSdkV3Client: options.client,
  });
  // The stored result is the nonce of the call that did the work: a different nonce coming back
  // means the result was replayed from the table, i.e. this delivery was a duplicate.
  const once = makeIdempotent(
    async (input: { key: string; nonce: string }, work: () => Promise<void>) => {
      await work();
      return { nonce: input.nonce };
    },
    { persistenceStore, config, keyPrefix: options.keyPrefix, dataIndexArgument: 0 },
  );
  return {
    registerLambdaContext: (context) => config.registerLambdaContext(context),
    async run(key, work) {
      const nonce = randomUUID();
      const result = await once({ key, nonce }, work);
      return { replayed: result.nonce !== nonce };
    },
  };
}
