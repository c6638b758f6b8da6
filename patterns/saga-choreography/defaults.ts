import { Duration } from "aws-cdk-lib";
import { SQS_CONSUMER_DEFAULTS, SQS_CONSUMER_LIMITS } from "../shared/sqs-consumer-rules.js";

/** Defaults of {@link SagaChoreography}, in one place so docs, validation and tests agree. */
export const CHOREOGRAPHY_DEFAULTS = {
  ...SQS_CONSUMER_DEFAULTS,
  /**
   * Attempts EventBridge makes to deliver an event to a service's queue before it parks it in the
   * target DLQ. 185 and 24 hours are EventBridge's own maxima: a queue target fails only on a key or
   * policy problem, and the saga must survive the time it takes a person to fix that.
   */
  targetRetryAttempts: 185,
  targetMaxEventAge: Duration.hours(24),
} as const;

/** AWS limits the validation rules check against. */
export const CHOREOGRAPHY_LIMITS = {
  ...SQS_CONSUMER_LIMITS,
  /** `RetryPolicy.MaximumRetryAttempts` of a rule target: 0-185. */
  maxTargetRetryAttempts: 185,
  /** `RetryPolicy.MaximumEventAgeInSeconds`: 60 s to 24 h. */
  minTargetEventAgeSeconds: 60,
  maxTargetEventAgeSeconds: 24 * 60 * 60,
  /** `Source` and `DetailType` of a PutEvents entry: at most 256 characters. */
  maxSourceLength: 256,
  maxDetailTypeLength: 256,
  /** Rules per event bus (default quota, adjustable). */
  maxRulesPerBus: 300,
} as const;
