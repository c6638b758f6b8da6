import { Duration, type RemovalPolicy } from "aws-cdk-lib";
import type { Alarm } from "aws-cdk-lib/aws-cloudwatch";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { Key } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { ITopic, Subscription } from "aws-cdk-lib/aws-sns";
import { SqsSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { createQueueConsumer } from "../shared/consumer-function.js";
import { functionAlarms } from "../shared/function-alarms.js";
import { IDEMPOTENCY_EXPIRES_AFTER_SECONDS, idempotencyExpirySeconds } from "../shared/idempotency-window.js";
import { createKey } from "../shared/kms.js";
import { acknowledgeNag } from "../shared/nag.js";
import type { PatternFunction } from "../shared/node-function.js";
import { dlqDepthAlarm, messageAgeAlarm } from "../shared/queue-alarms.js";
import {
  acknowledgeDeadLetterQueueFindings,
  acknowledgeSqsConsumerFunctionFindings,
} from "../shared/sqs-consumer-nag.js";
import { FANOUT_DEFAULTS, FANOUT_LIMITS } from "./defaults.js";
import type { FanoutSubscriberProps } from "./props.js";
import { consumerTimeout } from "./validate.js";

/** What a {@link FanoutSubscriber} needs from the fan-out construct around it. */
export interface FanoutSubscriberConstructProps {
  /** The subscriber's own settings. */
  readonly subscriber: FanoutSubscriberProps;
  /** The topic to subscribe to. */
  readonly topic: ITopic;
  /** Whether the queues are FIFO (validated to match the topic). */
  readonly fifo: boolean;
  /** Topic notified by the alarms. @default - none */
  readonly alarmTopic?: ITopic;
  /** Log retention of a bundled consumer. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** Removal policy of the subscriber's key. @default RemovalPolicy.RETAIN */
  readonly keyRemovalPolicy?: RemovalPolicy;
}

/** The alarms of one subscriber. */
export interface FanoutSubscriberAlarms {
  /** The queue's DLQ holds messages (records that failed `maxReceiveCount` times or permanently). */
  readonly deadLetterQueueDepth: Alarm;
  /** The queue DLQ's oldest message is older than its threshold: nobody handled it, retention will delete it. */
  readonly deadLetterQueueAge: Alarm;
  /** SNS could not deliver to the queue (e.g. a key or policy problem) and parked messages. */
  readonly subscriptionDeadLetterQueueDepth: Alarm;
  /** The subscription DLQ's oldest message is older than its threshold. */
  readonly subscriptionDeadLetterQueueAge: Alarm;
  /** The oldest message in the queue is older than the threshold: consumers fail or lag. */
  readonly oldestMessageAge: Alarm;
  /** Consumer invocations failed as a whole (threw, timed out, crashed). */
  readonly consumerErrors: Alarm;
  /** Consumer invocations were throttled. */
  readonly consumerThrottles: Alarm;
}

/**
 * One fan-out subscriber: a KMS-encrypted SQS queue subscribed to the topic, its DLQ, an SNS
 * subscription DLQ, a consumer Lambda with partial batch responses, and alarms.
 *
 * The queue, its DLQ and the subscription DLQ share one customer-managed key of their own (never
 * the topic's). CDK grants SNS use of a subscribed queue's key; this construct adds the matching
 * statement for the subscription DLQ explicitly (SNS writes to it directly and CDK does not grant
 * that), so undeliverable messages are parked instead of dropped.
 */
export class FanoutSubscriber extends Construct {
  /** The key that encrypts the queue and both DLQs. */
  public readonly key: Key;
  /** The subscriber's queue. */
  public readonly queue: Queue;
  /** Receives records that failed `maxReceiveCount` times, and permanent failures sent directly. */
  public readonly deadLetterQueue: Queue;
  /** Receives messages SNS could not deliver to `queue` (subscription `RedrivePolicy`). */
  public readonly subscriptionDeadLetterQueue: Queue;
  /** The SNS subscription of `queue`. */
  public readonly subscription: Subscription;
  /** The consumer function. */
  public readonly consumer: IFunction;
  /** The bundled consumer and its log group, when the construct created it from `entry`. */
  public readonly consumerFunction?: PatternFunction;
  /** The SQS event source of the consumer. */
  public readonly eventSource: SqsEventSource;
  /** The subscriber's alarms. */
  public readonly alarms: FanoutSubscriberAlarms;

  constructor(scope: Construct, id: string, props: FanoutSubscriberConstructProps) {
    super(scope, id);
    const s = props.subscriber;
    // Known after validation (an imported function must come with its timeout).
    const timeout = consumerTimeout(s) ?? FANOUT_DEFAULTS.consumerTimeout;
    const retention = s.retentionPeriod ?? FANOUT_DEFAULTS.retentionPeriod;
    const deadLetterRetention = s.deadLetterRetentionPeriod ?? FANOUT_DEFAULTS.deadLetterRetentionPeriod;
    const encryption = { encryption: QueueEncryption.KMS, enforceSSL: true, fifo: props.fifo || undefined };

    this.key = createKey(
      this,
      "Key",
      `Encrypts the queues of fan-out subscriber ${s.id}`,
      props.keyRemovalPolicy,
    );
    this.deadLetterQueue = new Queue(this, "DeadLetterQueue", {
      ...encryption,
      encryptionMasterKey: this.key,
      retentionPeriod: deadLetterRetention,
      maxMessageSizeBytes: FANOUT_LIMITS.deadLetterMessageSizeBytes,
    });
    this.queue = new Queue(this, "Queue", {
      ...encryption,
      encryptionMasterKey: this.key,
      visibilityTimeout:
        s.visibilityTimeout ??
        Duration.seconds(timeout.toSeconds() * FANOUT_DEFAULTS.visibilityTimeoutFactor),
      retentionPeriod: retention,
      maxMessageSizeBytes: s.maxMessageSizeBytes ?? defaultQueueMessageSize(s.rawMessageDelivery ?? false),
      deadLetterQueue: {
        queue: this.deadLetterQueue,
        maxReceiveCount: s.maxReceiveCount ?? FANOUT_DEFAULTS.maxReceiveCount,
      },
    });
    this.subscriptionDeadLetterQueue = new Queue(this, "SubscriptionDeadLetterQueue", {
      ...encryption,
      encryptionMasterKey: this.key,
      retentionPeriod: deadLetterRetention,
      // SNS parks here what the queue refused, a message over the queue's maximum included.
      maxMessageSizeBytes: FANOUT_LIMITS.deadLetterMessageSizeBytes,
    });
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: "AllowSnsToWriteToTheSubscriptionDeadLetterQueue",
        principals: [new ServicePrincipal("sns.amazonaws.com")],
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        resources: ["*"],
        conditions: { ArnEquals: { "aws:SourceArn": props.topic.topicArn } },
      }),
    );

    this.subscription = props.topic.addSubscription(
      new SqsSubscription(this.queue, {
        rawMessageDelivery: s.rawMessageDelivery ?? false,
        filterPolicy: s.filterPolicy,
        filterPolicyWithMessageBody: s.filterPolicyWithMessageBody,
        deadLetterQueue: this.subscriptionDeadLetterQueue,
      }),
    );

    const environment = {
      DLQ_URL: this.deadLetterQueue.queueUrl,
      RAW_MESSAGE_DELIVERY: String(s.rawMessageDelivery ?? false),
      POWERTOOLS_SERVICE_NAME: s.id,
      [IDEMPOTENCY_EXPIRES_AFTER_SECONDS]: String(idempotencyExpirySeconds(retention, deadLetterRetention)),
    };
    const consumer = createQueueConsumer(this, {
      consumer: s.consumer,
      timeout,
      environment,
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      key: this.key,
      batchSize: s.batchSize ?? FANOUT_DEFAULTS.batchSize,
      maxBatchingWindow: s.maxBatchingWindow,
      maxConcurrency: s.maxConcurrency,
      logRetention: props.logRetention,
      description: `Consumes the ${s.id} queue of the fan-out`,
    });
    this.consumer = consumer.consumer;
    this.consumerFunction = consumer.consumerFunction;
    this.eventSource = consumer.eventSource;

    acknowledgeFindings(this);

    const name = `Fan-out subscriber ${s.id}`;
    const dlqAge = s.deadLetterAgeAlarmThreshold ?? FANOUT_DEFAULTS.deadLetterAgeAlarmThreshold;
    const functions = functionAlarms(this, "Consumer", this.consumer, `${name}: consumer`, props.alarmTopic);
    this.alarms = {
      deadLetterQueueDepth: dlqDepthAlarm(
        this,
        "DeadLetterQueueDepthAlarm",
        this.deadLetterQueue,
        `${name}: messages in the DLQ (failed processing); inspect, fix, then redrive`,
        props.alarmTopic,
      ),
      deadLetterQueueAge: messageAgeAlarm(
        this,
        "DeadLetterQueueAgeAlarm",
        this.deadLetterQueue,
        dlqAge,
        `${name}: the oldest DLQ message is getting old; redrive or discard it before retention deletes it`,
        props.alarmTopic,
      ),
      subscriptionDeadLetterQueueDepth: dlqDepthAlarm(
        this,
        "SubscriptionDeadLetterQueueDepthAlarm",
        this.subscriptionDeadLetterQueue,
        `${name}: SNS could not deliver to the queue (policy or key problem)`,
        props.alarmTopic,
      ),
      subscriptionDeadLetterQueueAge: messageAgeAlarm(
        this,
        "SubscriptionDeadLetterQueueAgeAlarm",
        this.subscriptionDeadLetterQueue,
        dlqAge,
        `${name}: the oldest undeliverable message is getting old; fix delivery and redrive it before retention deletes it`,
        props.alarmTopic,
      ),
      oldestMessageAge: messageAgeAlarm(
        this,
        "OldestMessageAgeAlarm",
        this.queue,
        s.messageAgeAlarmThreshold ?? FANOUT_DEFAULTS.messageAgeAlarmThreshold,
        `${name}: the oldest message is getting old (consumer failing or lagging)`,
        props.alarmTopic,
      ),
      consumerErrors: functions.errors,
      consumerThrottles: functions.throttles,
    };
  }
}

/** cdk-nag findings inherent to the fan-out subscriber, each with why it is acceptable. */
function acknowledgeFindings(subscriber: FanoutSubscriber): void {
  for (const dlq of [subscriber.deadLetterQueue, subscriber.subscriptionDeadLetterQueue]) {
    acknowledgeDeadLetterQueueFindings(dlq);
  }
  acknowledgeNag(
    subscriber.subscriptionDeadLetterQueue,
    "AwsSolutions-SQS3",
    "This queue is the SNS subscription's dead-letter queue (subscription RedrivePolicy), which cdk-nag cannot see",
  );
  if (subscriber.consumerFunction)
    acknowledgeSqsConsumerFunctionFindings(subscriber.consumerFunction.function);
}

/**
 * A subscriber queue's default `MaximumMessageSize`. With raw delivery the queue receives exactly what
 * was published, at most SNS's 256 KiB. With the SNS envelope it receives a JSON document around the
 * message (metadata, signature, the body JSON-escaped), which can exceed 256 KiB for a message published
 * near SNS's maximum; SQS would refuse that delivery and SNS would park it in the subscription DLQ. So
 * envelope subscribers get the largest size that still leaves a DLQ copy room for its reason attributes.
 */
function defaultQueueMessageSize(rawMessageDelivery: boolean): number {
  return rawMessageDelivery
    ? FANOUT_DEFAULTS.maxMessageSizeBytes
    : FANOUT_LIMITS.deadLetterMessageSizeBytes - FANOUT_LIMITS.deadLetterReserveBytes;
}
