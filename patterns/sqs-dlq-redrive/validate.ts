import type { Duration } from "aws-cdk-lib";
import { checkIntegerRange, isUnresolved, type ValidationRule } from "../shared/validation.js";
import { REDRIVABLE_DEFAULTS as D, REDRIVABLE_LIMITS as L } from "./defaults.js";
import type { RedrivableQueueProps } from "./props.js";

/** Seconds of a duration, or `undefined` when unset or a deploy-time token. */
function seconds(duration: Duration | undefined): number | undefined {
  if (duration === undefined) return undefined;
  const value = duration.toSeconds();
  return isUnresolved(value) ? undefined : value;
}

/** The consumer timeout the visibility timeout is derived from and checked against. */
export function consumerTimeout(props: RedrivableQueueProps): Duration {
  return props.consumer.timeout ?? D.consumerTimeout;
}

/** The validation table of {@link RedrivableQueue}: every rule runs, every failure is reported at once. */
export const REDRIVABLE_RULES: readonly ValidationRule<RedrivableQueueProps>[] = [
  {
    name: "consumer-source",
    check: (p) =>
      (p.consumer.entry === undefined) === (p.consumer.function === undefined)
        ? "consumer needs exactly one of `entry` (a handler to bundle) or `function` (an existing function)"
        : undefined,
  },
  {
    name: "visibility-timeout",
    check: (p) => {
      const visibility = seconds(p.visibilityTimeout);
      const timeout = seconds(consumerTimeout(p));
      if (visibility === undefined || timeout === undefined) return undefined;
      const minimum = D.visibilityTimeoutFactor * timeout;
      if (visibility < minimum) {
        return `visibilityTimeout is ${visibility} s; allowed: ≥ ${D.visibilityTimeoutFactor} × consumer timeout (${timeout} s) = ${minimum} s`;
      }
      if (visibility > L.maxVisibilityTimeoutSeconds) {
        return `visibilityTimeout is ${visibility} s; allowed: ≤ ${L.maxVisibilityTimeoutSeconds} s (12 hours)`;
      }
      return undefined;
    },
  },
  {
    name: "fifo-consistency",
    check: (p) =>
      p.contentBasedDeduplication && !p.fifo
        ? "contentBasedDeduplication is set on a standard queue; allowed: only with fifo: true"
        : undefined,
  },
  {
    name: "batch-size",
    check: (p) => {
      const max = p.fifo ? L.maxBatchSizeFifo : L.maxBatchSizeStandard;
      const range = checkIntegerRange(
        `batchSize (${p.fifo ? "FIFO" : "standard"} queue)`,
        p.batchSize,
        1,
        max,
      );
      if (range) return range;
      const window = seconds(p.maxBatchingWindow);
      if (
        p.batchSize !== undefined &&
        !isUnresolved(p.batchSize) &&
        p.batchSize > 10 &&
        !(window && window >= 1)
      ) {
        return `batchSize is ${p.batchSize}; allowed: > 10 only with maxBatchingWindow ≥ 1 s`;
      }
      return undefined;
    },
  },
  {
    name: "batching-window",
    check: (p) => {
      const window = seconds(p.maxBatchingWindow);
      if (window === undefined) return undefined;
      if (p.fifo) return "maxBatchingWindow is set on a FIFO queue; allowed: only on standard queues";
      if (window < 0 || window > L.maxBatchingWindowSeconds) {
        return `maxBatchingWindow is ${window} s; allowed: 0 to ${L.maxBatchingWindowSeconds} s`;
      }
      return undefined;
    },
  },
  {
    name: "max-concurrency",
    check: (p) =>
      checkIntegerRange("maxConcurrency", p.maxConcurrency, L.minMaxConcurrency, L.maxMaxConcurrency),
  },
  {
    name: "max-receive-count",
    check: (p) => checkIntegerRange("maxReceiveCount", p.maxReceiveCount, 1, L.maxReceiveCount),
  },
  {
    name: "retention",
    check: (p) => {
      const queue = seconds(p.retentionPeriod ?? D.retentionPeriod);
      const dlq = seconds(p.deadLetterRetentionPeriod ?? D.deadLetterRetentionPeriod);
      const failures: string[] = [];
      for (const [label, value] of [
        ["retentionPeriod", queue],
        ["deadLetterRetentionPeriod", dlq],
      ] as const) {
        if (value !== undefined && (value < L.minRetentionSeconds || value > L.maxRetentionSeconds)) {
          failures.push(
            `${label} is ${value} s; allowed: ${L.minRetentionSeconds} s to ${L.maxRetentionSeconds} s (14 days)`,
          );
        }
      }
      if (queue !== undefined && dlq !== undefined && dlq <= queue) {
        failures.push(
          `deadLetterRetentionPeriod (${dlq} s) must exceed retentionPeriod (${queue} s): a dead-lettered message keeps its original enqueue time`,
        );
      }
      return failures;
    },
  },
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
      const timeout = seconds(r.timeout);
      if (timeout !== undefined && (timeout < 30 || timeout > L.maxLambdaTimeoutSeconds)) {
        failures.push(`redrive.timeout is ${timeout} s; allowed: 30 s to ${L.maxLambdaTimeoutSeconds} s`);
      }
      return failures;
    },
  },
  {
    name: "alarm-thresholds",
    check: (p) => {
      const failures: string[] = [];
      const pairs = [
        [
          "messageAgeAlarmThreshold",
          p.messageAgeAlarmThreshold,
          p.retentionPeriod ?? D.retentionPeriod,
          "retentionPeriod",
        ],
        [
          "deadLetterAgeAlarmThreshold",
          p.deadLetterAgeAlarmThreshold,
          p.deadLetterRetentionPeriod ?? D.deadLetterRetentionPeriod,
          "deadLetterRetentionPeriod",
        ],
      ] as const;
      for (const [label, threshold, retention, retentionLabel] of pairs) {
        const t = seconds(threshold);
        const r = seconds(retention);
        if (t === undefined || r === undefined) continue;
        if (t <= 0 || t >= r) {
          failures.push(`${label} is ${t} s; allowed: more than 0 and less than ${retentionLabel} (${r} s)`);
        }
      }
      return failures;
    },
  },
];
