/**
 * Exactly-once *effects* over at-least-once delivery: SNS and SQS may deliver an event more than
 * once (and a retrying producer may publish it twice), so the consumer records each event id in
 * DynamoDB (Powertools idempotency) and skips the work when it sees the id again.
 *
 * The key is the CloudEvent `id` chosen by the producer, never the SQS message ID: redrive and
 * duplicate publishes give the same event a new message ID.
 */

import { createHash, randomUUID } from "node:crypto";
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Context } from "aws-lambda";
import { ConfigError } from "./env.js";
import { PermanentError, RetryableError } from "./errors.js";

/** Runs work at most once per key (until the key expires). */
export interface IdempotencyGuard {
  /**
   * Gives the guard the invocation's remaining time, so an in-progress record left by a timed-out
   * invocation expires when that invocation would have, instead of blocking retries for the full TTL.
   */
  registerLambdaContext(context: Context): void;
  /**
   * Runs `work` unless `key` was already completed. `replayed` is true when the work was skipped.
   * - key in progress elsewhere, or the table failing → {@link RetryableError} (the record is retried;
   *   nothing was applied);
   * - key completed before with a different `payload` → {@link PermanentError} `PayloadMismatch` (the
   *   producer reused an event id for different content: neither a second effect nor a silent skip);
   *   while the first delivery is still in progress the second is retried, then compared;
   * - `work` throws → the key is released and the error propagates.
   *
   * @param payload what must be identical for two deliveries to be "the same event" (hashed and
   *   stored with the key). @default undefined (no payload check)
   */
  run(key: string, work: () => Promise<void>, payload?: unknown): Promise<{ replayed: boolean }>;
}

/** The environment variable the constructs set (queue retention + DLQ retention, in seconds). */
export const IDEMPOTENCY_EXPIRES_AFTER_SECONDS_ENV = "IDEMPOTENCY_EXPIRES_AFTER_SECONDS";

/** Used only when {@link IDEMPOTENCY_EXPIRES_AFTER_SECONDS_ENV} is unset (older deployments). */
export const DEFAULT_IDEMPOTENCY_EXPIRES_AFTER_SECONDS = 86_400;

/**
 * Reads `IDEMPOTENCY_EXPIRES_AFTER_SECONDS`: how long a completed event id is remembered. The
 * constructs derive it from the consumed queue's retention plus its DLQ's retention, so an event
 * redriven from the DLQ on its last day is still recognised. Unset → 86400 (backwards
 * compatibility); set to anything but a positive integer (including empty) → {@link ConfigError}
 * naming the variable, at cold start.
 */
export function readIdempotencyExpiresAfterSeconds(
  env: Readonly<Record<string, string | undefined>> = process.env,
): number {
  const value = env[IDEMPOTENCY_EXPIRES_AFTER_SECONDS_ENV];
  if (value === undefined) return DEFAULT_IDEMPOTENCY_EXPIRES_AFTER_SECONDS;
  const seconds = Number(value);
  if (!/^[1-9][0-9]*$/.test(value.trim()) || !Number.isSafeInteger(seconds)) {
    throw new ConfigError(
      `environment variable ${IDEMPOTENCY_EXPIRES_AFTER_SECONDS_ENV} must be a positive integer (seconds), got "${value}"`,
    );
  }
  return seconds;
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
   * (queue retention plus DLQ retention, if redriven events must not be re-applied): read it with
   * {@link readIdempotencyExpiresAfterSeconds}.
   * @default 86400 (24 hours)
   */
  readonly expiresAfterSeconds?: number;
}

/** What the idempotency record stores as the result of the work. */
interface StoredResult {
  readonly nonce: string;
  /** Absent in records written before the payload check. */
  readonly payloadHash?: string;
}

/** SHA-256 of the payload as canonical JSON (object keys sorted), so key order does not matter. */
export function hashPayload(payload: unknown): string {
  return createHash("sha256").update(canonicalJson(payload)).digest("base64url");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Error names of `@aws-lambda-powertools/idempotency` (matched by name: bundles may duplicate classes). */
const IN_PROGRESS = "IdempotencyAlreadyInProgressError";
const PERSISTENCE = "IdempotencyPersistenceLayerError";

/** An {@link IdempotencyGuard} on the Powertools `DynamoDBPersistenceLayer`. */
export function createDynamoDbIdempotencyGuard(options: DynamoDbIdempotencyGuardOptions): IdempotencyGuard {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: "key",
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: options.expiresAfterSeconds ?? DEFAULT_IDEMPOTENCY_EXPIRES_AFTER_SECONDS,
  });
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    awsSdkV3Client: options.client,
  });
  // The stored result is the nonce of the call that did the work (a different nonce coming back
  // means the result was replayed from the table, i.e. this delivery was a duplicate) and the hash of
  // its payload (a replay with another hash is a payload mismatch). The hash lives in the result
  // rather than in Powertools' payload validation so records written without one (before the check
  // existed) still replay as duplicates instead of failing.
  const once = makeIdempotent(
    async (
      input: { key: string; nonce: string; payloadHash: string },
      work: () => Promise<void>,
    ): Promise<StoredResult> => {
      await work();
      return { nonce: input.nonce, payloadHash: input.payloadHash };
    },
    { persistenceStore, config, keyPrefix: options.keyPrefix, dataIndexArgument: 0 },
  );
  return {
    registerLambdaContext: (context) => config.registerLambdaContext(context),
    async run(key, work, payload) {
      const nonce = randomUUID();
      const payloadHash = hashPayload(payload);
      let ran = false;
      let result: StoredResult;
      try {
        result = await once({ key, nonce, payloadHash }, async () => {
          ran = true;
          await work();
        });
      } catch (error) {
        if (ran || !(error instanceof Error)) throw error;
        throw classifyIdempotencyError(error, key);
      }
      if (result.nonce === nonce) return { replayed: false };
      if (result.payloadHash !== undefined && result.payloadHash !== payloadHash) {
        throw new PermanentError(
          "PayloadMismatch",
          `event id ${key} was already applied with a different payload (source, type, subject or data differ); the stored effect is kept`,
        );
      }
      return { replayed: true };
    },
  };
}

/** Maps a Powertools error raised before `work` ran to the pipeline's two error kinds. */
function classifyIdempotencyError(error: Error, key: string): Error {
  switch (error.name) {
    case IN_PROGRESS:
      return new RetryableError(`event id ${key} is being processed by another invocation`, { cause: error });
    case PERSISTENCE:
      return new RetryableError(
        `idempotency store unavailable for event id ${key}: ${describeCause(error)}`,
        {
          cause: error,
        },
      );
    default:
      return error;
  }
}

function describeCause(error: Error): string {
  const cause = error.cause;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : error.message;
}
