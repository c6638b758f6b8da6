import { Duration } from "aws-cdk-lib";
import { SQS_CONSUMER_DEFAULTS, SQS_CONSUMER_LIMITS } from "../shared/sqs-consumer-rules.js";

/** Defaults of {@link RedrivableQueue}, in one place so docs, validation and tests agree. */
export const REDRIVABLE_DEFAULTS = {
  ...SQS_CONSUMER_DEFAULTS,
  backoffBase: Duration.seconds(2),
  backoffMax: Duration.minutes(15),
  deadLetterAgeAlarmThreshold: Duration.days(1),
  redriveTimeout: Duration.minutes(5),
} as const;

/** AWS limits the validation rules check against. */
export const REDRIVABLE_LIMITS = {
  ...SQS_CONSUMER_LIMITS,
  /** StartMessageMoveTask's MaxNumberOfMessagesPerSecond. */
  maxRedriveRatePerSecond: 500,
  maxLambdaTimeoutSeconds: 900,
} as const;
