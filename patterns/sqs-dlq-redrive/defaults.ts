import { Duration } from "aws-cdk-lib";

/** Defaults of {@link RedrivableQueue}, in one place so docs, validation and tests agree. */
export const REDRIVABLE_DEFAULTS = {
  maxReceiveCount: 5,
  visibilityTimeoutFactor: 6,
  retentionPeriod: Duration.days(4),
  deadLetterRetentionPeriod: Duration.days(14),
  batchSize: 10,
  consumerTimeout: Duration.seconds(30),
  backoffBase: Duration.seconds(2),
  backoffMax: Duration.minutes(15),
  messageAgeAlarmThreshold: Duration.minutes(5),
  deadLetterAgeAlarmThreshold: Duration.days(1),
  redriveTimeout: Duration.minutes(5),
} as const;

/** AWS limits the validation rules check against. */
export const REDRIVABLE_LIMITS = {
  maxVisibilityTimeoutSeconds: 12 * 60 * 60,
  minRetentionSeconds: 60,
  maxRetentionSeconds: 14 * 24 * 60 * 60,
  maxBatchSizeFifo: 10,
  maxBatchSizeStandard: 10_000,
  maxBatchingWindowSeconds: 300,
  minMaxConcurrency: 2,
  maxMaxConcurrency: 1_000,
  maxReceiveCount: 1_000,
  /** StartMessageMoveTask's MaxNumberOfMessagesPerSecond. */
  maxRedriveRatePerSecond: 500,
  maxLambdaTimeoutSeconds: 900,
} as const;
