import type { Duration, RemovalPolicy } from "aws-cdk-lib";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { FilterOrPolicy, ITopic, SubscriptionFilter } from "aws-cdk-lib/aws-sns";
import type { QueueConsumerFunctionProps, QueueConsumerSettingsProps } from "../shared/consumer-function.js";

/** Settings for the topic the construct creates (give these or an existing `topic`, never both). */
export interface FanoutTopicProps {
  /**
   * A FIFO topic: strict order per message group and deduplication, delivered only to FIFO queues.
   * Costs more and caps throughput (see the pattern README).
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * FIFO only: deduplicate on a SHA-256 of the body instead of an explicit deduplication ID.
   * @default false
   */
  readonly contentBasedDeduplication?: boolean;
  /** Display name of the topic. @default - none */
  readonly displayName?: string;
}

/** The consumer of the queue (see {@link QueueConsumerFunctionProps}). */
export type FanoutConsumerProps = QueueConsumerFunctionProps;

/** One subscriber: its queue, DLQs, filter, alarms and consumer. */
export interface FanoutSubscriberProps extends QueueConsumerSettingsProps {
  /** Construct ID and name of the subscriber, e.g. `billing` (letters, digits and `-`). */
  readonly id: string;
  /** The consumer function. */
  readonly consumer: FanoutConsumerProps;
  /**
   * Filter on message attributes. SNS drops messages that match no filter, by design.
   * Changes take up to 15 minutes to apply on AWS.
   * @default - no attribute filter
   */
  readonly filterPolicy?: { [attribute: string]: SubscriptionFilter };
  /**
   * Filter on the JSON message body (FilterPolicyScope `MessageBody`). Exclusive with `filterPolicy`.
   * @default - no body filter
   */
  readonly filterPolicyWithMessageBody?: { [attribute: string]: FilterOrPolicy };
  /**
   * Deliver the published body as-is instead of the SNS JSON envelope. Raw delivery passes at most
   * 10 message attributes through as SQS message attributes.
   * @default false
   */
  readonly rawMessageDelivery?: boolean;
  /**
   * Whether the queue is FIFO. Must match the topic: SNS FIFO topics deliver only to FIFO queues.
   * @default - the topic's type
   */
  readonly fifo?: boolean;
  /** Age of the oldest message that raises the alarm. @default Duration.minutes(5) */
  readonly messageAgeAlarmThreshold?: Duration;
  /**
   * Age of the oldest message in either DLQ (the queue's and the subscription's) that raises their
   * age alarms: failures nobody handled, approaching `deadLetterRetentionPeriod`, after which SQS
   * deletes them. Must be below `deadLetterRetentionPeriod`.
   * @default Duration.days(1)
   */
  readonly deadLetterAgeAlarmThreshold?: Duration;
}

/** Props of {@link SnsSqsFanout}. */
export interface SnsSqsFanoutProps {
  /** An existing topic. Exclusive with `topicProps`. @default - a new encrypted topic */
  readonly topic?: ITopic;
  /** Settings of the created topic. Exclusive with `topic`. @default - a standard topic */
  readonly topicProps?: FanoutTopicProps;
  /** The subscribers (at least one). */
  readonly subscribers: readonly FanoutSubscriberProps[];
  /**
   * Topic notified (ALARM and OK) by every alarm: the subscribers' queue, DLQ and consumer alarms and
   * the topic's failed-notifications alarm. `AlarmTopic` (patterns/shared/alarm-topic.ts) is one that is encrypted and admits CloudWatch.
   * @default - alarms without actions
   */
  readonly alarmTopic?: ITopic;
  /** Log retention of bundled consumers. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * Removal policy of the KMS keys. Deleting a key makes its messages unreadable.
   * @default RemovalPolicy.RETAIN
   */
  readonly keyRemovalPolicy?: RemovalPolicy;
}
