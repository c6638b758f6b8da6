import type { Duration } from "aws-cdk-lib";
import { checkAgeAlarmThresholds } from "../shared/common-rules.js";
import { resolveConsumerTimeout } from "../shared/consumer-function.js";
import { queueConsumerSettings, seconds, sqsConsumerRules } from "../shared/sqs-consumer-rules.js";
import { checkIntegerRange, isUnresolved, type ValidationRule } from "../shared/validation.js";
import { REDRIVABLE_DEFAULTS as D, REDRIVABLE_LIMITS as L } from "./defaults.js";
import type { RedrivableQueueProps } from "./props.js";

/** The consumer timeout the visibility timeout is derived from and checked against. */
export function consumerTimeout(props: RedrivableQueueProps): Duration | undefined {
  return resolveConsumerTimeout(props.consumer, D.consumerTimeout);
}

/** The shared SQS → Lambda consumer rules, applied to the work queue's consumer. */
const SQS = sqsConsumerRules<RedrivableQueueProps>((p) => [
  {
    settings: {
      hasEntry: p.consumer.entry !== undefined,
      hasFunction: p.consumer.function !== undefined,
      consumerTimeout: consumerTimeout(p),
      fifo: p.fifo ?? false,
      ...queueConsumerSettings(p),
    },
  },
]);

/** The validation table of {@link RedrivableQueue}: every rule runs, every failure is reported at once. */
export const REDRIVABLE_RULES: readonly ValidationRule<RedrivableQueueProps>[] = [
  SQS.consumerSource,
  SQS.visibilityTimeout,
  {
    name: "fifo-consistency",
    check: (p) =>
      p.contentBasedDeduplication && !p.fifo
        ? "contentBasedDeduplication is set on a standard queue; allowed: only with fifo: true"
        : undefined,
  },
  SQS.batchSize,
  SQS.batchingWindow,
  SQS.maxConcurrency,
  SQS.maxReceiveCount,
  SQS.retention,
  SQS.messageSize,
  {
    name: "backoff",
    check: (p) => {
      const base = seconds(p.backoff?.base ?? D.backoffBase);
      const max = seconds(p.backoff?.max ?? D.backoffMax);
      const failures: string[] = [];
      if (base !== undefined && (!Number.isInteger(base) || base < 1)) {
        failures.push(
          `backoff.base is ${base} s; allowed: whole seconds ≥ 1 (visibility timeouts are integers)`,
        );
      }
      if (max !== undefined && (!Number.isInteger(max) || max > L.maxVisibilityTimeoutSeconds)) {
        failures.push(
          `backoff.max is ${max} s; allowed: whole seconds ≤ ${L.maxVisibilityTimeoutSeconds} (12 hours)`,
        );
      }
      if (base !== undefined && max !== undefined && max < base) {
        failures.push(`backoff.max (${max} s) is below backoff.base (${base} s); allowed: max ≥ base`);
      }
      return failures;
    },
  },
  {
    name: "redrive",
    check: (p) => {
      const r = p.redrive ?? {};
      const failures: string[] = [];
      if (r.enabled === false && r.schedule) {
        failures.push(
          "redrive.schedule is set but redrive.enabled is false; allowed: a schedule only with the function",
        );
      }
      if (
        r.ratePerSecond !== undefined &&
        !isUnresolved(r.ratePerSecond) &&
        !(r.ratePerSecond >= 1 && r.ratePerSecond <= L.maxRedriveRatePerSecond)
      ) {
        failures.push(
          `redrive.ratePerSecond is ${r.ratePerSecond}; allowed: 1 to ${L.maxRedriveRatePerSecond}`,
        );
      }
      const retries = checkIntegerRange("redrive.retryAttempts", r.retryAttempts, 0, L.maxAsyncRetryAttempts);
      if (retries) failures.push(retries);
      const age = seconds(r.maxEventAge);
      if (age !== undefined && (age < L.minAsyncEventAgeSeconds || age > L.maxAsyncEventAgeSeconds)) {
        failures.push(
          `redrive.maxEventAge is ${age} s; allowed: ${L.minAsyncEventAgeSeconds} s to ${L.maxAsyncEventAgeSeconds} s (6 hours)`,
        );
      }
      const timeout = seconds(r.timeout);
      if (timeout !== undefined && (timeout < 30 || timeout > L.maxLambdaTimeoutSeconds)) {
        failures.push(`redrive.timeout is ${timeout} s; allowed: 30 s to ${L.maxLambdaTimeoutSeconds} s`);
      }
      return failures;
    },
  },
  {
    name: "alarm-thresholds",
    check: (p) =>
      checkAgeAlarmThresholds({
        messageAgeAlarmThreshold: p.messageAgeAlarmThreshold,
        retentionPeriod: p.retentionPeriod ?? D.retentionPeriod,
        deadLetterAgeAlarmThreshold: p.deadLetterAgeAlarmThreshold,
        deadLetterRetentionPeriod: p.deadLetterRetentionPeriod ?? D.deadLetterRetentionPeriod,
      }),
  },
];
