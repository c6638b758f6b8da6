import type { Duration, RemovalPolicy } from "aws-cdk-lib";
import type { Schedule } from "aws-cdk-lib/aws-events";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { QueueConsumerFunctionProps } from "../shared/consumer-function.js";

/** The consumer of the queue (see {@link QueueConsumerFunctionProps}). */
export type RedrivableConsumerProps = QueueConsumerFunctionProps;

/** Retry backoff applied by the handler through the visibility timeout (see functions/sqs-dlq-redrive/backoff.ts). */
export interface RedrivableBackoffProps {
  /** Delay before the second receive (whole seconds, before jitter). @default Duration.seconds(2) */
  readonly base?: Duration;
  /** Largest delay (≤ 12 hours, SQS's visibility limit). @default Duration.minutes(15) */
  readonly max?: Duration;
}

/** The redrive function: moves the DLQ back to the queue when invoked (or on a schedule). */
export interface RedrivableRedriveProps {
  /** Create the function. @default true */
  readonly enabled?: boolean;
  /**
   * Run it on this schedule. Off by default: redriving before the cause is fixed only sends the same
   * messages back to fail again (their `redrive-count` shows it).
   * @default - no schedule (invoke it by hand)
   */
  readonly schedule?: Schedule;
  /** Messages per second (1-500, StartMessageMoveTask's limit). @default - unbounded / SQS's own ramp */
  readonly ratePerSecond?: number;
  /** Function timeout (≤ 15 minutes); the redrive stops 15 s before it. @default Duration.minutes(5) */
  readonly timeout?: Duration;
  /** Entry of the redrive handler. @default functions/sqs-dlq-redrive/redrive.ts */
  readonly entry?: string;
}

/** Props of {@link RedrivableQueue}. */
export interface RedrivableQueueProps {
  /** The consumer function. */
  readonly consumer: RedrivableConsumerProps;
  /** A FIFO queue and DLQ (order per message group, deduplication). @default false */
  readonly fifo?: boolean;
  /** FIFO only: deduplicate on a SHA-256 of the body. @default false */
  readonly contentBasedDeduplication?: boolean;
  /**
   * Receives before SQS moves a message to the DLQ; the handler dead-letters with a reason on the last one.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /** Queue visibility timeout, ≥ 6 × consumer timeout and ≤ 12 hours. @default - 6 × consumer timeout */
  readonly visibilityTimeout?: Duration;
  /** Retention of the queue. @default Duration.days(4) */
  readonly retentionPeriod?: Duration;
  /**
   * Retention of the DLQ; must exceed `retentionPeriod` (a standard queue's message keeps its original
   * enqueue time in the DLQ, so a shorter DLQ retention deletes it early).
   * @default Duration.days(14)
   */
  readonly deadLetterRetentionPeriod?: Duration;
  /** Records per invocation (1-10 FIFO, 1-10,000 standard; > 10 needs a batching window). @default 10 */
  readonly batchSize?: number;
  /** Time to gather a batch (0-300 s; standard queues only). @default - none */
  readonly maxBatchingWindow?: Duration;
  /** Cap on concurrent invocations by the event source (2-1,000). @default - no cap */
  readonly maxConcurrency?: number;
  /** Retry backoff. @default base 2 s, max 15 min */
  readonly backoff?: RedrivableBackoffProps;
  /** The redrive function. @default created, not scheduled */
  readonly redrive?: RedrivableRedriveProps;
  /** Age of the queue's oldest message that raises its alarm. @default Duration.minutes(5) */
  readonly messageAgeAlarmThreshold?: Duration;
  /**
   * Age of the DLQ's oldest message that raises its alarm: messages nobody redrove, approaching the DLQ's
   * retention (after which SQS deletes them). @default Duration.days(1)
   */
  readonly deadLetterAgeAlarmThreshold?: Duration;
  /** Topic notified by every alarm. @default - alarms without actions */
  readonly alarmTopic?: ITopic;
  /** Log retention of the bundled functions. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** Removal policy of the KMS key (deleting it makes its messages unreadable). @default RemovalPolicy.RETAIN */
  readonly keyRemovalPolicy?: RemovalPolicy;
}
