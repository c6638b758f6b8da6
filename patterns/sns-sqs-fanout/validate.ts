import type { Duration } from "aws-cdk-lib";
import { checkIntegerRange, isUnresolved, type ValidationRule } from "../shared/validation.js";
import { FANOUT_DEFAULTS, FANOUT_LIMITS } from "./defaults.js";
import type { FanoutSubscriberProps, SnsSqsFanoutProps } from "./props.js";

const SUBSCRIBER_ID = /^[A-Za-z][A-Za-z0-9-]{0,39}$/;

/** Seconds of a duration, or `undefined` when it is unset or a deploy-time token. */
function seconds(duration: Duration | undefined): number | undefined {
  if (duration === undefined) return undefined;
  const value = duration.toSeconds();
  return isUnresolved(value) ? undefined : value;
}

/** Whether the topic the construct uses (existing or created) is FIFO. */
export function isFifoTopic(props: SnsSqsFanoutProps): boolean {
  return props.topic?.fifo ?? props.topicProps?.fifo ?? false;
}

/** Whether a subscriber's queue is FIFO (its own setting, else the topic's). */
export function isFifoSubscriber(props: SnsSqsFanoutProps, subscriber: FanoutSubscriberProps): boolean {
  return subscriber.fifo ?? isFifoTopic(props);
}

/** The consumer timeout a subscriber's visibility timeout is derived from and checked against. */
export function consumerTimeout(subscriber: FanoutSubscriberProps): Duration {
  return subscriber.consumer.timeout ?? FANOUT_DEFAULTS.consumerTimeout;
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
      return list
        .filter((m): m is string => m !== undefined)
        .map((m) => `subscriber '${subscriber.id}': ${m}`);
    });
}

/** The validation table of {@link SnsSqsFanout}: every rule runs, every failure is reported. */
export const FANOUT_RULES: readonly ValidationRule<SnsSqsFanoutProps>[] = [
  {
    name: "topic-source",
    check: (p) =>
      p.topic && p.topicProps
        ? "both `topic` and `topicProps` are set; allowed: an existing `topic` or `topicProps`, not both"
        : undefined,
  },
  {
    name: "subscribers",
    check: (p) => {
      if (p.subscribers.length === 0) return "no subscribers; allowed: at least one";
      const failures: string[] = [];
      const seen = new Set<string>();
      for (const s of p.subscribers) {
        if (!SUBSCRIBER_ID.test(s.id)) {
          failures.push(
            `subscriber id '${s.id}' is invalid; allowed: a letter, then letters, digits or '-' (≤ 40)`,
          );
        }
        if (seen.has(s.id)) failures.push(`subscriber id '${s.id}' is used twice; allowed: unique ids`);
        seen.add(s.id);
      }
      return failures;
    },
  },
  {
    name: "consumer-source",
    check: eachSubscriber((s) =>
      (s.consumer.entry === undefined) === (s.consumer.function === undefined)
        ? "consumer needs exactly one of `entry` (a handler to bundle) or `function` (an existing function)"
        : undefined,
    ),
  },
  {
    name: "visibility-timeout",
    check: eachSubscriber((s) => {
      const visibility = seconds(s.visibilityTimeout);
      const timeout = seconds(consumerTimeout(s));
      if (visibility === undefined || timeout === undefined) return undefined;
      const minimum = FANOUT_DEFAULTS.visibilityTimeoutFactor * timeout;
      if (visibility < minimum) {
        return `visibilityTimeout is ${visibility} s; allowed: ≥ ${FANOUT_DEFAULTS.visibilityTimeoutFactor} × consumer timeout (${timeout} s) = ${minimum} s`;
      }
      if (visibility > FANOUT_LIMITS.maxVisibilityTimeoutSeconds) {
        return `visibilityTimeout is ${visibility} s; allowed: ≤ ${FANOUT_LIMITS.maxVisibilityTimeoutSeconds} s (12 hours)`;
      }
      return undefined;
    }),
  },
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
  {
    name: "batch-size",
    check: eachSubscriber((s, p) => {
      const fifo = isFifoSubscriber(p, s);
      const max = fifo ? FANOUT_LIMITS.maxBatchSizeFifo : FANOUT_LIMITS.maxBatchSizeStandard;
      const range = checkIntegerRange(`batchSize (${fifo ? "FIFO" : "standard"} queue)`, s.batchSize, 1, max);
      if (range) return range;
      const window = seconds(s.maxBatchingWindow);
      if (
        s.batchSize !== undefined &&
        !isUnresolved(s.batchSize) &&
        s.batchSize > 10 &&
        !(window && window >= 1)
      ) {
        return `batchSize is ${s.batchSize}; allowed: > 10 only with maxBatchingWindow ≥ 1 s`;
      }
      return undefined;
    }),
  },
  {
    name: "batching-window",
    check: eachSubscriber((s, p) => {
      const window = seconds(s.maxBatchingWindow);
      if (window === undefined) return undefined;
      if (isFifoSubscriber(p, s))
        return "maxBatchingWindow is set on a FIFO queue; allowed: only on standard queues";
      if (window < 0 || window > FANOUT_LIMITS.maxBatchingWindowSeconds) {
        return `maxBatchingWindow is ${window} s; allowed: 0 to ${FANOUT_LIMITS.maxBatchingWindowSeconds} s`;
      }
      return undefined;
    }),
  },
  {
    name: "max-concurrency",
    check: eachSubscriber((s) =>
      checkIntegerRange(
        "maxConcurrency",
        s.maxConcurrency,
        FANOUT_LIMITS.minMaxConcurrency,
        FANOUT_LIMITS.maxMaxConcurrency,
      ),
    ),
  },
  {
    name: "max-receive-count",
    check: eachSubscriber((s) =>
      checkIntegerRange("maxReceiveCount", s.maxReceiveCount, 1, FANOUT_LIMITS.maxReceiveCount),
    ),
  },
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
  {
    name: "retention",
    check: eachSubscriber((s) => {
      const queue = seconds(s.retentionPeriod ?? FANOUT_DEFAULTS.retentionPeriod);
      const dlq = seconds(s.deadLetterRetentionPeriod ?? FANOUT_DEFAULTS.deadLetterRetentionPeriod);
      const { minRetentionSeconds: min, maxRetentionSeconds: max } = FANOUT_LIMITS;
      const failures: (string | undefined)[] = [];
      for (const [label, value] of [
        ["retentionPeriod", queue],
        ["deadLetterRetentionPeriod", dlq],
      ] as const) {
        if (value !== undefined && (value < min || value > max)) {
          failures.push(`${label} is ${value} s; allowed: ${min} s to ${max} s (14 days)`);
        }
      }
      if (queue !== undefined && dlq !== undefined && dlq <= queue) {
        failures.push(
          `deadLetterRetentionPeriod (${dlq} s) must exceed retentionPeriod (${queue} s): a moved message keeps its original enqueue time`,
        );
      }
      return failures;
    }),
  },
  {
    name: "message-age-alarm",
    check: eachSubscriber((s) => {
      const threshold = seconds(s.messageAgeAlarmThreshold);
      const retention = seconds(s.retentionPeriod ?? FANOUT_DEFAULTS.retentionPeriod);
      if (threshold === undefined || retention === undefined) return undefined;
      if (threshold <= 0 || threshold >= retention) {
        return `messageAgeAlarmThreshold is ${threshold} s; allowed: more than 0 and less than retentionPeriod (${retention} s)`;
      }
      return undefined;
    }),
  },
];
