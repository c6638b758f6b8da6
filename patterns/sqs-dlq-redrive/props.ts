import type { Duration, RemovalPolicy } from "aws-cdk-lib";
import type { Schedule } from "aws-cdk-lib/aws-events";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { QueueConsumerFunctionProps, QueueConsumerSettingsProps } from "../shared/consumer-function.js";

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
  /**
   * Times Lambda retries a failed asynchronous invocation (a scheduled run, or `--invocation-type
   * Event`) before sending it to the on-failure destination (0-2). A redrive re-sends failures to the
   * consumers, so a failed run is retried by a person who saw why, not in the background; the
   * destination keeps the request (max, rate, dry run, filters) to invoke it again.
   * @default 0
   */
  readonly retryAttempts?: number;
  /**
   * How long Lambda keeps an asynchronous invocation it could not start yet (throttled) before
   * sending it to the on-failure destination (60 s to 6 hours): a redrive requested long ago
   * should not start unannounced.
   * @default Duration.hours(1)
   */
  readonly maxEventAge?: Duration;
}

/** Props of {@link RedrivableQueue}. */
export interface RedrivableQueueProps extends QueueConsumerSettingsProps {
  /** The consumer function. */
  readonly consumer: RedrivableConsumerProps;
  /** A FIFO queue and DLQ (order per message group, deduplication). @default false */
  readonly fifo?: boolean;
  /** FIFO only: deduplicate on a SHA-256 of the body. @default false */
  readonly contentBasedDeduplication?: boolean;
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
