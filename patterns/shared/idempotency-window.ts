import type { Duration } from "aws-cdk-lib";
import { SQS_CONSUMER_LIMITS } from "./sqs-consumer-rules.js";
import { isUnresolved } from "./validation.js";

/**
 * Environment variable that tells a consumer how long (integer seconds) its idempotency records
 * must live. The handlers read it (`functions/shared/`); the constructs set it on every consumer.
 */
export const IDEMPOTENCY_EXPIRES_AFTER_SECONDS = "IDEMPOTENCY_EXPIRES_AFTER_SECONDS";

/**
 * How long a consumer must remember an event it applied: the queue's retention plus the DLQ's.
 *
 * Within that window the same event can come back: a message waits in the queue for up to
 * `retentionPeriod`, a dead-lettered copy waits in the DLQ for up to `deadLetterRetentionPeriod`
 * (a standard queue's message keeps its original enqueue time there), and a redrive sends it back
 * to the queue as a new message with a fresh retention clock. A record that expired earlier (the
 * Powertools default is 24 hours) would let a redrive a day later apply the effect twice.
 *
 * A retention given as a deploy-time token cannot be added up at synth time: the window is then the
 * largest possible one (14 days + 14 days), which only costs table storage.
 */
export function idempotencyExpirySeconds(
  retentionPeriod: Duration,
  deadLetterRetentionPeriod: Duration,
): number {
  const queue = retentionPeriod.toSeconds();
  const dlq = deadLetterRetentionPeriod.toSeconds();
  if (isUnresolved(queue) || isUnresolved(dlq)) return 2 * SQS_CONSUMER_LIMITS.maxRetentionSeconds;
  return queue + dlq;
}
