import type { Alarm } from "aws-cdk-lib/aws-cloudwatch";
import { type IGrantable, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { IKey, Key } from "aws-cdk-lib/aws-kms";
import { type ITopic, Topic } from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { createKey } from "../shared/kms.js";
import { notificationsFailedAlarm } from "../shared/topic-alarms.js";
import { validateProps } from "../shared/validation.js";
import type { SnsSqsFanoutProps } from "./props.js";
import { FanoutSubscriber } from "./subscriber.js";
import { FANOUT_RULES, isFifoSubscriber, isFifoTopic } from "./validate.js";

export type * from "./props.js";
export { FanoutSubscriber, type FanoutSubscriberAlarms } from "./subscriber.js";

/**
 * SNS → SQS fan-out: one topic, N subscribers, each with its own encrypted queue, DLQ, SNS
 * subscription DLQ, optional filter policy, consumer Lambda (partial batch responses) and alarms.
 *
 * Delivery is at least once: SNS retries delivery to SQS, SQS redelivers a record until it is
 * deleted or reaches `maxReceiveCount`. Consumers must therefore be idempotent (the handlers in
 * this repository key idempotency on the CloudEvent `id`). Order holds only with a FIFO topic.
 */
export class SnsSqsFanout extends Construct {
  /** The topic producers publish to. */
  public readonly topic: ITopic;
  /** The topic's customer-managed key, when the construct created the topic. */
  public readonly topicKey?: Key;
  /** The subscribers, by subscriber ID. */
  public readonly subscribers: Readonly<Record<string, FanoutSubscriber>>;
  /** SNS gave up delivering a notification of the topic to a subscriber (`NumberOfNotificationsFailed`). */
  public readonly notificationsFailedAlarm: Alarm;

  constructor(scope: Construct, id: string, props: SnsSqsFanoutProps) {
    super(scope, id);
    validateProps(this, props, FANOUT_RULES);

    if (props.topic) {
      this.topic = props.topic;
    } else {
      this.topicKey = createKey(this, "TopicKey", "Encrypts the fan-out topic", props.keyRemovalPolicy);
      const fifo = isFifoTopic(props);
      this.topic = new Topic(this, "Topic", {
        masterKey: this.topicKey,
        enforceSSL: true,
        fifo: fifo || undefined,
        contentBasedDeduplication: props.topicProps?.contentBasedDeduplication,
        displayName: props.topicProps?.displayName,
      });
    }

    const subscribers: Record<string, FanoutSubscriber> = {};
    for (const subscriber of props.subscribers) {
      subscribers[subscriber.id] = new FanoutSubscriber(this, subscriber.id, {
        subscriber,
        topic: this.topic,
        fifo: isFifoSubscriber(props, subscriber),
        alarmTopic: props.alarmTopic,
        logRetention: props.logRetention,
        keyRemovalPolicy: props.keyRemovalPolicy,
      });
    }
    this.subscribers = subscribers;
    this.notificationsFailedAlarm = notificationsFailedAlarm(
      this,
      "NotificationsFailedAlarm",
      this.topic,
      `${this.node.path}: SNS failed to deliver notifications to a subscriber queue (key, policy or deleted queue); see the subscription DLQs`,
      props.alarmTopic,
    );
  }

  /**
   * Lets `grantee` publish to the topic: `sns:Publish` on the topic and, for an encrypted topic,
   * exactly `kms:GenerateDataKey` and `kms:Decrypt` on its key (SNS needs both to encrypt a
   * message; CDK's own `grantPublish` adds the wildcard `kms:GenerateDataKey*`).
   */
  public grantPublish(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ["sns:Publish"], resources: [this.topic.topicArn] }),
    );
    const key: IKey | undefined = this.topicKey ?? this.topic.masterKey;
    key?.grant(grantee, "kms:GenerateDataKey", "kms:Decrypt");
  }
}
