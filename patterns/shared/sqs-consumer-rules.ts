import { Duration } from "aws-cdk-lib";
import type { QueueConsumerSettingsProps } from "./consumer-function.js";
import { checkIntegerRange, isUnresolved, type ValidationRule } from "./validation.js";

/** Defaults every SQS → Lambda consumer in this repository shares. */
export const SQS_CONSUMER_DEFAULTS = {
  maxReceiveCount: 5,
  /** AWS guidance for Lambda event sources: visibility timeout ≥ 6 × function timeout. */
  visibilityTimeoutFactor: 6,
  retentionPeriod: Duration.days(4),
  deadLetterRetentionPeriod: Duration.days(14),
  batchSize: 10,
  consumerTimeout: Duration.seconds(30),
  messageAgeAlarmThreshold: Duration.minutes(5),
  /** A DLQ message nobody redrove for a day: it will be deleted when the DLQ's retention ends. */
  deadLetterAgeAlarmThreshold: Duration.days(1),
  /** What SNS (and the patterns' publishers) can send end to end: 256 KiB, body and attributes. */
  maxMessageSizeBytes: 262_144,
} as const;

/** SQS and Lambda event source limits the rules check against. */
export const SQS_CONSUMER_LIMITS = {
  maxVisibilityTimeoutSeconds: 12 * 60 * 60,
  minRetentionSeconds: 60,
  maxRetentionSeconds: 14 * 24 * 60 * 60,
  maxBatchSizeFifo: 10,
  maxBatchSizeStandard: 10_000,
  maxBatchingWindowSeconds: 300,
  minMaxConcurrency: 2,
  maxMaxConcurrency: 1_000,
  maxReceiveCount: 1_000,
  /** SQS's smallest allowed `MaximumMessageSize`. */
  minMessageSizeBytes: 1_024,
  /** SQS's largest `MaximumMessageSize` (1 MiB since 2026-01): every DLQ gets it. */
  deadLetterMessageSizeBytes: 1_048_576,
  /**
   * Room a DLQ copy needs on top of the original message: `error.type` and `error.reason` (at most
   * 1,024 characters, up to 4 bytes each in UTF-8) with their names and data types, and the redrive
   * tool's `redrive-count`. A consumed queue may be at most the DLQ's maximum minus this.
   */
  deadLetterReserveBytes: 8_192,
} as const;

/** The settings of one SQS queue consumed by one Lambda function, as the rules see them. */
export interface SqsConsumerSettings {
  /** Whether the consumer is given as an entry to bundle. */
  readonly hasEntry: boolean;
  /** Whether the consumer is given as an existing function. */
  readonly hasFunction: boolean;
  /** The consumer timeout; `undefined` when it cannot be known (an imported function without `timeout`). */
  readonly consumerTimeout: Duration | undefined;
  readonly visibilityTimeout?: Duration;
  readonly fifo: boolean;
  readonly batchSize?: number;
  readonly maxBatchingWindow?: Duration;
  readonly maxConcurrency?: number;
  readonly maxReceiveCount?: number;
  readonly retentionPeriod?: Duration;
  readonly deadLetterRetentionPeriod?: Duration;
  readonly maxMessageSizeBytes?: number;
}

/** One consumer to check, with a label prefixed to its failures (e.g. `subscriber 'billing'`). */
export interface SqsConsumerTarget {
  readonly label?: string;
  readonly settings: SqsConsumerSettings;
}

/**
 * The queue and event-source settings of {@link SqsConsumerSettings}, copied from a pattern's props
 * (every consumed queue's props extend {@link QueueConsumerSettingsProps}); the caller adds what only
 * it knows: the consumer source, its timeout and whether the queue is FIFO.
 */
export function queueConsumerSettings(
  props: QueueConsumerSettingsProps,
): Omit<SqsConsumerSettings, "hasEntry" | "hasFunction" | "consumerTimeout" | "fifo"> {
  return {
    visibilityTimeout: props.visibilityTimeout,
    batchSize: props.batchSize,
    maxBatchingWindow: props.maxBatchingWindow,
    maxConcurrency: props.maxConcurrency,
    maxReceiveCount: props.maxReceiveCount,
    retentionPeriod: props.retentionPeriod,
    deadLetterRetentionPeriod: props.deadLetterRetentionPeriod,
    maxMessageSizeBytes: props.maxMessageSizeBytes,
  };
}

/** Seconds of a duration, or `undefined` when it is unset or a deploy-time token (rules skip it). */
export function seconds(duration: Duration | undefined): number | undefined {
  if (duration === undefined) return undefined;
  const value = duration.toSeconds();
  return isUnresolved(value) ? undefined : value;
}

type Check = (s: SqsConsumerSettings) => string | undefined | (string | undefined)[];

const L = SQS_CONSUMER_LIMITS;
const D = SQS_CONSUMER_DEFAULTS;

const CHECKS = {
  consumerSource: (s) => {
    if (s.hasEntry === s.hasFunction) {
      return "consumer needs exactly one of `entry` (a handler to bundle) or `function` (an existing function)";
    }
    if (s.consumerTimeout === undefined) {
      return "consumer.function is an imported function whose timeout is unknown; allowed: also pass consumer.timeout (its configured timeout), which the visibility timeout is checked against";
    }
    return undefined;
  },
  visibilityTimeout: (s) => {
    const visibility = seconds(s.visibilityTimeout);
    const timeout = seconds(s.consumerTimeout);
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
  batchSize: (s) => {
    const max = s.fifo ? L.maxBatchSizeFifo : L.maxBatchSizeStandard;
    const range = checkIntegerRange(`batchSize (${s.fifo ? "FIFO" : "standard"} queue)`, s.batchSize, 1, max);
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
  },
  batchingWindow: (s) => {
    const window = seconds(s.maxBatchingWindow);
    if (window === undefined) return undefined;
    if (s.fifo) return "maxBatchingWindow is set on a FIFO queue; allowed: only on standard queues";
    if (window < 0 || window > L.maxBatchingWindowSeconds) {
      return `maxBatchingWindow is ${window} s; allowed: 0 to ${L.maxBatchingWindowSeconds} s`;
    }
    return undefined;
  },
  maxConcurrency: (s) =>
    checkIntegerRange("maxConcurrency", s.maxConcurrency, L.minMaxConcurrency, L.maxMaxConcurrency),
  maxReceiveCount: (s) => checkIntegerRange("maxReceiveCount", s.maxReceiveCount, 1, L.maxReceiveCount),
  retention: (s) => {
    const queue = seconds(s.retentionPeriod ?? D.retentionPeriod);
    const dlq = seconds(s.deadLetterRetentionPeriod ?? D.deadLetterRetentionPeriod);
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
  messageSize: (s) =>
    checkIntegerRange(
      "maxMessageSizeBytes",
      s.maxMessageSizeBytes,
      L.minMessageSizeBytes,
      L.deadLetterMessageSizeBytes - L.deadLetterReserveBytes,
    ),
} satisfies Record<string, Check>;

const RULE_NAMES: Record<keyof typeof CHECKS, string> = {
  consumerSource: "consumer-source",
  visibilityTimeout: "visibility-timeout",
  batchSize: "batch-size",
  batchingWindow: "batching-window",
  maxConcurrency: "max-concurrency",
  maxReceiveCount: "max-receive-count",
  retention: "retention",
  messageSize: "message-size",
};

/**
 * The validation rules every SQS → Lambda consumer shares (consumer source, visibility timeout ≥ 6 ×
 * function timeout, batch size and window limits, maximum concurrency, maxReceiveCount, retention,
 * message size below the DLQ's maximum),
 * applied to each consumer `targets` selects from a construct's props. Returned by rule so a
 * construct's table can interleave its own rules.
 */
export function sqsConsumerRules<P>(
  targets: (props: P) => readonly SqsConsumerTarget[],
): Record<keyof typeof CHECKS, ValidationRule<P>> {
  const rule = (key: keyof typeof CHECKS): ValidationRule<P> => ({
    name: RULE_NAMES[key],
    check: (props) =>
      targets(props).flatMap(({ label, settings }) => {
        const result = CHECKS[key](settings);
        const list = Array.isArray(result) ? result : [result];
        return list.filter((m): m is string => m !== undefined).map((m) => (label ? `${label}: ${m}` : m));
      }),
  });
  return {
    consumerSource: rule("consumerSource"),
    visibilityTimeout: rule("visibilityTimeout"),
    batchSize: rule("batchSize"),
    batchingWindow: rule("batchingWindow"),
    maxConcurrency: rule("maxConcurrency"),
    maxReceiveCount: rule("maxReceiveCount"),
    retention: rule("retention"),
    messageSize: rule("messageSize"),
  };
}
