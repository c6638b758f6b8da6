import type { Duration } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { DynamoAttributeValue } from "aws-cdk-lib/aws-stepfunctions-tasks";

/** Settings of a handler the construct bundles (see {@link SagaAction.fromEntry}). */
export interface SagaEntryOptions {
  /** Memory in MB. @default 256 */
  readonly memorySize?: number;
  /** Extra environment, merged over the construct's own. @default - none */
  readonly environment?: Record<string, string>;
  /** Reserved concurrency. @default - unreserved */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * An `UpdateItem` that Step Functions runs itself (the `arn:aws:states:::dynamodb:updateItem`
 * service integration): no Lambda, no cold start, one state transition. Use it for a step that
 * only records state (e.g. `SET #status = :confirmed`); make the update idempotent (`SET`, not `ADD`).
 */
export interface SagaDynamoDbUpdateOptions {
  /** The table to update. */
  readonly table: ITable;
  /** The item's key, usually built from the business key: `DynamoAttributeValue.fromString(JsonPath.stringAt("$.orderId"))`. */
  readonly key: Record<string, DynamoAttributeValue>;
  /** The `UpdateExpression`. */
  readonly updateExpression: string;
  /** `ExpressionAttributeValues`. @default - none */
  readonly expressionAttributeValues?: Record<string, DynamoAttributeValue>;
  /** `ExpressionAttributeNames`. @default - none */
  readonly expressionAttributeNames?: Record<string, string>;
  /**
   * `ConditionExpression`; a failed condition is the error `DynamoDB.ConditionalCheckFailedException`
   * (list it in the step's `permanentErrors` when it means "nothing was changed"). @default - none
   */
  readonly conditionExpression?: string;
}

/** What a {@link SagaAction} runs. */
export type SagaActionConfig =
  | { readonly kind: "entry"; readonly entry: string; readonly options: SagaEntryOptions }
  | { readonly kind: "function"; readonly function: IFunction }
  | { readonly kind: "dynamoDbUpdate"; readonly update: SagaDynamoDbUpdateOptions }
  | { readonly kind: "none"; readonly reason: string };

/**
 * The action or the compensation of one saga step.
 *
 * A Lambda action (entry or existing function) receives a {@link SagaStepEvent}-shaped payload
 * (see functions/sfn-saga/saga-event.ts): `{ sagaKey, step, phase, executionId, input }`, where
 * `sagaKey` is the value at the saga's business key path. Key idempotency on `(sagaKey, step)`:
 * Step Functions retries a task after an error or a timeout that may have followed a commit.
 * Throw an error whose `name` is the Step Functions error name (`OutOfStock`): Lambda reports the
 * error's type, which Retry and Catch match.
 */
export class SagaAction {
  /** A TypeScript handler entry the construct bundles (Node.js 24, arm64, X-Ray, explicit log group). */
  static fromEntry(entry: string, options: SagaEntryOptions = {}): SagaAction {
    return new SagaAction({ kind: "entry", entry, options });
  }

  /** An existing function; the construct only grants the state machine `lambda:InvokeFunction` on it. */
  static fromFunction(fn: IFunction): SagaAction {
    return new SagaAction({ kind: "function", function: fn });
  }

  /** A DynamoDB `UpdateItem` run by Step Functions itself (no Lambda). */
  static dynamoDbUpdate(update: SagaDynamoDbUpdateOptions): SagaAction {
    return new SagaAction({ kind: "dynamoDbUpdate", update });
  }

  /**
   * No compensation, for a step with nothing to undo (a read, a notification that needs no retraction).
   * The reason is required so a missing compensation is always a decision, never an omission.
   */
  static none(reason: string): SagaAction {
    return new SagaAction({ kind: "none", reason });
  }

  private constructor(public readonly config: SagaActionConfig) {}

  /** Whether this action runs a Lambda function. */
  get isLambda(): boolean {
    return this.config.kind === "entry" || this.config.kind === "function";
  }
}

/** The retry of a step's own retryable errors (Lambda service exceptions have their own, fixed retrier). */
export interface SagaRetryProps {
  /** Delay before the first retry. @default Duration.seconds(1) */
  readonly interval?: Duration;
  /** Retries after the first attempt (0-10). @default 3 */
  readonly maxAttempts?: number;
  /** Multiplier of the delay per retry (1-10). @default 2 */
  readonly backoffRate?: number;
  /** Cap on one delay. @default Duration.seconds(30) */
  readonly maxDelay?: Duration;
}
