/**
 * Retries with exponential backoff and jitter for SQS → Lambda, the hook the shared consumer does not
 * have: SQS retries a failed record when its visibility timeout expires, so the visibility timeout IS the
 * retry delay. Left alone, every retry comes after the queue's fixed visibility timeout (≥ 6 × the
 * function timeout, minutes); a failing dependency is then hammered at a fixed rhythm or retried too late.
 * Here a failed record's visibility is set from its `ApproximateReceiveCount` (1, 2, 3, …):
 * `min(max, base × 2^(n-1))`, with "equal jitter" (half fixed, half random) so retries of a burst of
 * failures spread out but never come sooner than half the computed delay.
 *
 * On the last allowed receive (`n ≥ maxReceiveCount`) the record is not failed again: it becomes a
 * `PermanentError("RetriesExhausted")`, which the shared consumer sends to the DLQ with
 * `error.type`/`error.reason`, so every DLQ message says why it is there. The queue's own RedrivePolicy
 * (same maxReceiveCount) stays as the backstop for crashes and timeouts, where no code runs to do this.
 */
import { ChangeMessageVisibilityCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { isPermanentError, PermanentError } from "../shared/errors.js";
import type { EventHandler } from "../shared/sqs-consumer.js";

/** SQS caps a message's visibility timeout at 12 hours. */
export const MAX_VISIBILITY_SECONDS = 43_200;

/** Backoff settings (whole seconds: SQS visibility timeouts are integers). */
export interface BackoffConfig {
  /** Delay before the second receive, before jitter. */
  readonly baseSeconds: number;
  /** Upper bound of any delay (≤ 43,200, SQS's limit). */
  readonly maxSeconds: number;
}

/**
 * The visibility delay after failed receive number `receiveCount` (1-based): exponential, capped, with
 * equal jitter: `cap/2 + random × cap/2`, rounded up, at least 1 s, at most `maxSeconds` and SQS's 12 h.
 */
export function backoffSeconds(
  receiveCount: number,
  config: BackoffConfig,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.min(30, receiveCount - 1));
  const cap = Math.min(config.maxSeconds, MAX_VISIBILITY_SECONDS, config.baseSeconds * 2 ** exponent);
  const jittered = cap / 2 + random() * (cap / 2);
  return Math.max(1, Math.min(Math.ceil(jittered), Math.floor(cap) || 1));
}

/** Delays the next receive of `record` by `seconds` (ChangeMessageVisibility on its receipt handle). */
export type VisibilityDelayer = (record: SQSRecord, seconds: number) => Promise<void>;

/** A {@link VisibilityDelayer} on SQS; the queue URL is the record's own queue. */
export function createVisibilityDelayer(sqs: SQSClient, queueUrl: string): VisibilityDelayer {
  return async (record, seconds) => {
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  };
}

/** What is known about one failed attempt (given to `onRetry`, e.g. to log it for a scenario). */
export interface FailedAttempt {
  readonly receiveCount: number;
  readonly delaySeconds: number;
  readonly error: string;
  /** When the delay was requested (epoch ms): the next receive comes no earlier than this + delaySeconds. */
  readonly delayedAt: number;
  /**
   * Whether SQS accepted the new visibility. It refuses when the message is visible again already (the
   * queue's visibility timeout ran out first), and the retry then comes after the queue's own timeout.
   */
  readonly delayApplied: boolean;
}

/** Options of {@link withRetryPolicy}. */
export interface RetryPolicyOptions<TData> {
  /** The queue's maxReceiveCount: the receive on which retries are exhausted. */
  readonly maxReceiveCount: number;
  readonly backoff: BackoffConfig;
  readonly delay: VisibilityDelayer;
  /** Called before the record is failed for a retry. @default nothing */
  readonly onRetry?: (event: Parameters<EventHandler<TData>>[0], attempt: FailedAttempt) => Promise<void>;
  /** Called if the visibility change fails (the retry then comes after the queue's visibility timeout). */
  readonly onDelayError?: (error: unknown) => void;
  /** @default Math.random */
  readonly random?: () => number;
  /** @default Date.now */
  readonly clock?: () => number;
}

/**
 * Wraps a business function for the shared consumer: permanent errors pass through; other errors set the
 * record's backoff delay and are rethrown (the record is reported in `batchItemFailures`), except on the
 * last allowed receive, where they become `PermanentError("RetriesExhausted", <last error>)`.
 */
export function withRetryPolicy<TData>(
  handle: EventHandler<TData>,
  options: RetryPolicyOptions<TData>,
): EventHandler<TData> {
  return async (event, context) => {
    try {
      await handle(event, context);
    } catch (error) {
      if (isPermanentError(error)) throw error;
      const message = error instanceof Error ? error.message : String(error);
      const receiveCount = Number(context.record.attributes.ApproximateReceiveCount) || 1;
      if (receiveCount >= options.maxReceiveCount) {
        throw new PermanentError(
          "RetriesExhausted",
          `failed on all ${receiveCount} receives (maxReceiveCount ${options.maxReceiveCount}); last error: ${message}`,
          { cause: error },
        );
      }
      const delaySeconds = backoffSeconds(receiveCount, options.backoff, options.random);
      // Delay first: the queue's visibility timeout is already running since the receive.
      const delayedAt = (options.clock ?? Date.now)();
      let delayApplied = true;
      try {
        await options.delay(context.record, delaySeconds);
      } catch (delayError) {
        delayApplied = false;
        options.onDelayError?.(delayError);
      }
      await options.onRetry?.(event, { receiveCount, delaySeconds, error: message, delayedAt, delayApplied });
      throw error;
    }
  };
}
