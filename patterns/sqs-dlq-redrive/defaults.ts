import { Duration } from "aws-cdk-lib";
import { SQS_CONSUMER_DEFAULTS, SQS_CONSUMER_LIMITS } from "../shared/sqs-consumer-rules.js";

/** Defaults of {@link RedrivableQueue}, in one place so docs, validation and tests agree. */
export const REDRIVABLE_DEFAULTS = {
  ...SQS_CONSUMER_DEFAULTS,
  backoffBase: Duration.seconds(2),
  backoffMax: Duration.minutes(15),
  redriveTimeout: Duration.minutes(5),
  redriveRetryAttempts: 0,
  redriveMaxEventAge: Duration.hours(1),
} as const;

/** AWS limits the validation rules check against. */
export const REDRIVABLE_LIMITS = {
  ...SQS_CONSUMER_LIMITS,
  /** StartMessageMoveTask's MaxNumberOfMessagesPerSecond. */
  maxRedriveRatePerSecond: 500,
  maxLambdaTimeoutSeconds: 900,
  /** Lambda asynchronous invocation: MaximumRetryAttempts 0-2, MaximumEventAgeInSeconds 60-21,600. */
  maxAsyncRetryAttempts: 2,
  minAsyncEventAgeSeconds: 60,
  maxAsyncEventAgeSeconds: 21_600,
} as const;
