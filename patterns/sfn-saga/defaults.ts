import { Duration } from "aws-cdk-lib";

/** Defaults of {@link SfnSaga}, in one place so docs, validation and tests agree. */
export const SAGA_DEFAULTS = {
  stepTimeout: Duration.seconds(30),
  /** A Lambda task's TimeoutSeconds is its function's timeout plus this. */
  taskTimeoutHeadroom: Duration.seconds(5),
  stateMachineTimeout: Duration.hours(1),
  /** The step's own retryable errors. */
  stepRetry: {
    interval: Duration.seconds(1),
    maxAttempts: 3,
    backoffRate: 2,
    maxDelay: Duration.seconds(30),
  },
  /** Lambda service exceptions (AWS guidance: 2 s, 6 attempts, backoff 2). */
  serviceRetry: {
    interval: Duration.seconds(2),
    maxAttempts: 6,
    backoffRate: 2,
    maxDelay: Duration.seconds(60),
  },
  /** Every compensation, on any error. */
  compensationRetry: {
    interval: Duration.seconds(2),
    maxAttempts: 5,
    backoffRate: 2,
    maxDelay: Duration.seconds(60),
  },
  /** The compensation-failure record and alert (DynamoDB PutItem, SNS Publish). */
  escalationRetry: {
    interval: Duration.seconds(1),
    maxAttempts: 3,
    backoffRate: 2,
    maxDelay: Duration.seconds(10),
  },
} as const;

/** AWS limits the validation rules check against. */
export const SAGA_LIMITS = {
  maxLambdaTimeoutSeconds: 900,
  maxStandardTimeoutSeconds: 365 * 24 * 60 * 60,
  maxExpressTimeoutSeconds: 5 * 60,
  maxRetryAttempts: 10,
  maxBackoffRate: 10,
  maxStepIdLength: 60,
} as const;

/**
 * Errors Lambda's Invoke API raises that are not the function's own (AWS: "handle transient Lambda
 * service exceptions"), plus throttling. Retried on every Lambda task; never compensated while retries last.
 */
export const LAMBDA_SERVICE_ERRORS = [
  "Lambda.ClientExecutionTimeoutException",
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
] as const;

/** Transient DynamoDB errors of the `dynamodb:*` service integrations (throttling, server errors). */
export const DYNAMODB_SERVICE_ERRORS = [
  "DynamoDB.ProvisionedThroughputExceededException",
  "DynamoDB.RequestLimitExceeded",
  "DynamoDB.ThrottlingException",
  "DynamoDB.InternalServerErrorException",
] as const;

/** Keys of the state the saga writes; the business key path must not start with them. */
export const SAGA_STATE_KEYS = ["results", "failure", "compensations", "compensationFailures"] as const;

/** The error an execution ends with when a compensation failed for good. */
export const COMPENSATION_FAILED_ERROR = "Saga.CompensationFailed";

/** Fixed state names of the definition (step IDs must not produce them). */
export const SAGA_STATE_NAMES = {
  succeeded: "SagaSucceeded",
  failed: "SagaFailed",
  recordCompensationFailure: "RecordCompensationFailure",
  alertCompensationFailure: "AlertCompensationFailure",
  compensationFailed: "CompensationFailed",
} as const;

/** State name of a step's compensation. */
export function compensationStateName(stepId: string): string {
  return `Compensate${stepId}`;
}
