import type { Duration } from "aws-cdk-lib";
import { checkAgeAlarmThresholds, checkExistingOrProps, checkPartId } from "../shared/common-rules.js";
import { resolveConsumerTimeout } from "../shared/consumer-function.js";
import { queueConsumerSettings, sqsConsumerRules } from "../shared/sqs-consumer-rules.js";
import type { ValidationRule } from "../shared/validation.js";
import { FANOUT_DEFAULTS, FANOUT_LIMITS } from "./defaults.js";
import type { FanoutSubscriberProps, SnsSqsFanoutProps } from "./props.js";

/** Whether the topic the construct uses (existing or created) is FIFO. */
export function isFifoTopic(props: SnsSqsFanoutProps): boolean {
  return props.topic?.fifo ?? props.topicProps?.fifo ?? false;
}

/** Whether a subscriber's queue is FIFO (its own setting, else the topic's). */
export function isFifoSubscriber(props: SnsSqsFanoutProps, subscriber: FanoutSubscriberProps): boolean {
  return subscriber.fifo ?? isFifoTopic(props);
}

/** The consumer timeout a subscriber's visibility timeout is derived from and checked against. */
export function consumerTimeout(subscriber: FanoutSubscriberProps): Duration | undefined {
  return resolveConsumerTimeout(subscriber.consumer, FANOUT_DEFAULTS.consumerTimeout);
}

/** Applies a per-subscriber check and prefixes each failure with the subscriber ID. */
function eachSubscriber(
  check: (
    subscriber: FanoutSubscriberProps,
    props: SnsSqsFanoutProps,
  ) => string | undefined | (string | undefined)[],
): (props: SnsSqsFanoutProps) => string[] {
  return (props) =>
    props.subscribers.flatMap((subscriber) => {
      const result = check(subscriber, props);
      const list = Array.isArray(result) ? result : [result];
      return list.filter((m): m is string => m !== undefined).map((m) => `${label(subscriber)}: ${m}`);
    });
}

const label = (subscriber: FanoutSubscriberProps) => `subscriber '${subscriber.id}'`;

/** The shared SQS → Lambda consumer rules, applied to every subscriber. */
const SQS = sqsConsumerRules<SnsSqsFanoutProps>((props) =>
  props.subscribers.map((s) => ({
    label: label(s),
    settings: {
      hasEntry: s.consumer.entry !== undefined,
      hasFunction: s.consumer.function !== undefined,
      consumerTimeout: consumerTimeout(s),
      fifo: isFifoSubscriber(props, s),
      ...queueConsumerSettings(s),
    },
  })),
);

/** The validation table of {@link SnsSqsFanout}: every rule runs, every failure is reported. */
export const FANOUT_RULES: readonly ValidationRule<SnsSqsFanoutProps>[] = [
  {
    name: "topic-source",
    check: (p) => checkExistingOrProps("topic", p.topic, "topicProps", p.topicProps),
  },
  {
    name: "subscribers",
    check: (p) => {
      if (p.subscribers.length === 0) return "no subscribers; allowed: at least one";
      const failures: string[] = [];
      const seen = new Set<string>();
      for (const s of p.subscribers) {
        failures.push(...checkPartId("subscriber", s.id, seen));
      }
      return failures;
    },
  },
  SQS.consumerSource,
  SQS.visibilityTimeout,
  {
    name: "fifo-consistency",
    check: (p) => {
      const fifoTopic = isFifoTopic(p);
      const failures = eachSubscriber((s) =>
        s.fifo !== undefined && s.fifo !== fifoTopic
          ? `fifo is ${s.fifo} but the topic is ${fifoTopic ? "FIFO" : "standard"}; allowed: FIFO queues exactly when the topic is FIFO`
          : undefined,
      )(p);
      if (p.topicProps?.contentBasedDeduplication && !fifoTopic) {
        failures.push(
          "topicProps.contentBasedDeduplication is set on a standard topic; allowed: only with fifo: true",
        );
      }
      return failures;
    },
  },
  SQS.batchSize,
  SQS.batchingWindow,
  SQS.maxConcurrency,
  SQS.maxReceiveCount,
  {
    name: "filter-policy-scope",
    check: eachSubscriber((s) => {
      if (s.filterPolicy && s.filterPolicyWithMessageBody) {
        return "both filterPolicy and filterPolicyWithMessageBody are set; allowed: one filter scope per subscription (MessageAttributes or MessageBody)";
      }
      const keys = Object.keys(s.filterPolicy ?? s.filterPolicyWithMessageBody ?? {}).length;
      if (keys > FANOUT_LIMITS.maxFilterPolicyKeys) {
        return `the filter policy has ${keys} top-level keys; allowed: at most ${FANOUT_LIMITS.maxFilterPolicyKeys}`;
      }
      return undefined;
    }),
  },
  SQS.retention,
  SQS.messageSize,
  {
    name: "message-age-alarm",
    check: eachSubscriber((s) =>
      checkAgeAlarmThresholds({
        messageAgeAlarmThreshold: s.messageAgeAlarmThreshold,
        retentionPeriod: s.retentionPeriod ?? FANOUT_DEFAULTS.retentionPeriod,
        deadLetterAgeAlarmThreshold: s.deadLetterAgeAlarmThreshold,
        deadLetterRetentionPeriod: s.deadLetterRetentionPeriod ?? FANOUT_DEFAULTS.deadLetterRetentionPeriod,
      }),
    ),
  },
];
