import { Duration } from "aws-cdk-lib";

/** Defaults of {@link MskLambdaStream}, in one place so docs, validation and tests agree. */
export const MSK_STREAM_DEFAULTS = {
  /** Partitions of the topic: the ceiling of consumer parallelism (one poller batch per partition at a time). */
  partitions: 6,
  /** Topic retention: long enough to replay after a weekend outage. */
  topicRetention: Duration.days(7),
  /** Records per invocation (Lambda's own default for MSK is 100). */
  batchSize: 100,
  /** Time to gather a batch: small, so a trickle of records is still processed within a second. */
  maxBatchingWindow: Duration.seconds(1),
  /** Retries of a failing batch before its records go to the on-failure destination (Lambda's default is infinite). */
  retryAttempts: 3,
  /** Records older than this are sent to the on-failure destination instead of the function (Lambda's default is infinite). */
  maxRecordAge: Duration.hours(6),
  /** Provisioned pollers: error controls exist only in provisioned mode. */
  minimumPollers: 1,
  maximumPollers: 3,
  consumerTimeout: Duration.seconds(60),
  producerTimeout: Duration.seconds(30),
  topicAdminTimeout: Duration.minutes(2),
  /** Retention of the on-failure queue: SQS's maximum, these records are the only trace of a skipped offset. */
  failureRetentionPeriod: Duration.days(14),
  /** OffsetLag (records behind the head of the topic) that raises the lag alarm. */
  offsetLagAlarmThreshold: 1_000,
  /** Age of the on-failure queue's oldest message that raises its alarm. */
  failureAgeAlarmThreshold: Duration.days(1),
  /** Provisioned cluster broker size and storage. */
  brokerInstanceType: "kafka.m7g.large",
  brokerVolumeSizeGiB: 100,
  kafkaVersion: "3.8.x",
} as const;

/** AWS limits the validation rules check against. */
export const MSK_STREAM_LIMITS = {
  /** An MSK event source allows a function timeout of at most 14 minutes (FAULTS MSK-05). */
  maxConsumerTimeoutSeconds: 14 * 60,
  maxLambdaTimeoutSeconds: 15 * 60,
  /** MaximumRetryAttempts: 0-10,000 (−1, infinite, is rejected here: it blocks the partition). */
  maxRetryAttempts: 10_000,
  /** MaximumRecordAgeInSeconds: 60-604,800 (−1, infinite, is rejected here). */
  minRecordAgeSeconds: 60,
  maxRecordAgeSeconds: 604_800,
  maxBatchSize: 10_000,
  maxBatchingWindowSeconds: 300,
  maxMinimumPollers: 200,
  maxMaximumPollers: 2_000,
  /** Kafka topic names: 1-249 characters of [a-zA-Z0-9._-]. */
  topicNamePattern: /^[a-zA-Z0-9._-]{1,249}$/,
  /** Consumer group IDs of an event source mapping: 1-200 characters of this set. */
  consumerGroupIdPattern: /^[a-zA-Z0-9\-/*:_+=.@]{1,200}$/,
  minRetentionSeconds: 60,
  maxSqsRetentionSeconds: 14 * 24 * 60 * 60,
  /** Port of IAM-authenticated client connections (MSK Serverless and provisioned). */
  iamPort: 9098,
} as const;
