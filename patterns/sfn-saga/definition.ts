import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import {
  type Chain,
  Choice,
  Condition,
  Fail,
  IntegrationPattern,
  JitterType,
  JsonPath,
  type RetryProps,
  type State,
  Succeed,
  TaskInput,
  type TaskStateBase,
  Timeout,
} from "aws-cdk-lib/aws-stepfunctions";
import {
  DynamoAttributeValue,
  DynamoPutItem,
  DynamoUpdateItem,
  LambdaInvoke,
  SnsPublish,
} from "aws-cdk-lib/aws-stepfunctions-tasks";
import type { Construct } from "constructs";
import {
  COMPENSATION_FAILED_ERROR,
  compensationStateName,
  SAGA_DEFAULTS as D,
  DYNAMODB_SERVICE_ERRORS,
  LAMBDA_SERVICE_ERRORS,
  SAGA_STATE_NAMES as N,
} from "./defaults.js";
import type { SagaStepProps } from "./props.js";
import type { SagaAction, SagaRetryProps } from "./saga-action.js";

/** A step with its Lambda functions resolved (bundled or given). */
export interface ResolvedSagaStep {
  readonly props: SagaStepProps;
  readonly actionFunction?: IFunction;
  readonly compensationFunction?: IFunction;
}

/** What {@link buildSagaDefinition} needs besides the steps. */
export interface SagaDefinitionProps {
  readonly steps: readonly ResolvedSagaStep[];
  readonly businessKeyPath: string;
  readonly compensationRetry?: SagaRetryProps;
  /** Where a failed compensation is recorded for manual action (`sagaKey` + `executionId`). */
  readonly failureTable: ITable;
  /** Where a failed compensation is announced. */
  readonly alertTopic: ITopic;
}

/** The states of the definition, for the construct's public API and tests. */
export interface SagaDefinition {
  readonly start: Chain | State;
  readonly forward: readonly TaskStateBase[];
  readonly compensations: ReadonlyMap<string, TaskStateBase>;
}

function retry(errors: readonly string[], base: Required<SagaRetryProps>, own?: SagaRetryProps): RetryProps {
  return {
    errors: [...errors],
    interval: own?.interval ?? base.interval,
    maxAttempts: own?.maxAttempts ?? base.maxAttempts,
    backoffRate: own?.backoffRate ?? base.backoffRate,
    maxDelay: own?.maxDelay ?? base.maxDelay,
    jitterStrategy: JitterType.FULL,
  };
}

/**
 * Builds the saga's definition (JSONPath):
 * - each forward step is a Task whose result goes to `$.results.<id>` (never over the input), with
 *   bounded retries (service exceptions; the step's own retryable errors), a `TimeoutSeconds`, and two
 *   catches writing `$.failure`: the step's permanent errors enter the compensations of the steps
 *   before it, everything else (timeouts, unknown errors: the outcome is unknown) enters the chain
 *   from this step's own compensation;
 * - the compensations run in reverse order, each retried on any error, result at `$.compensations.<id>`,
 *   and end in `SagaFailed` (the forward error and cause via `ErrorPath`/`CausePath`);
 * - a compensation that still fails is caught (`$.compensationFailures.<id>`) into
 *   `RecordCompensationFailure` (DynamoDB PutItem) → `AlertCompensationFailure` (SNS Publish) →
 *   `CompensationFailed` (Fail, error `Saga.CompensationFailed`); a failing record or alert still
 *   reaches the Fail state, so the saga never ends as a silent success.
 */
export function buildSagaDefinition(scope: Construct, props: SagaDefinitionProps): SagaDefinition {
  const keyPath = props.businessKeyPath;
  const { compensations, chainBefore } = buildCompensations(scope, props);
  const succeeded = new Succeed(scope, N.succeeded);
  const forward = props.steps.map((step, i) => {
    const { id } = step.props;
    const task = createTask(scope, id, step, "action", keyPath);
    task.addRetry(retry(serviceErrors(step.props.action), D.serviceRetry));
    if (step.props.retryableErrors?.length) {
      task.addRetry(retry(step.props.retryableErrors, D.stepRetry, step.props.retry));
    }
    const before = chainBefore[i] as State;
    if (step.props.permanentErrors?.length) {
      task.addCatch(before, { errors: step.props.permanentErrors, resultPath: "$.failure" });
    }
    task.addCatch(compensations.get(id) ?? before, { errors: ["States.ALL"], resultPath: "$.failure" });
    return task;
  });
  for (const [i, task] of forward.entries()) task.next(forward[i + 1] ?? succeeded);
  return { start: forward[0] as TaskStateBase, forward, compensations };
}

/**
 * The compensation chain (each compensation retried, then caught into record → alert → Fail) and, for
 * each step index, the state where the compensation of the steps before it starts.
 */
function buildCompensations(
  scope: Construct,
  props: SagaDefinitionProps,
): { compensations: Map<string, TaskStateBase>; chainBefore: State[] } {
  const keyPath = props.businessKeyPath;
  const sagaKeyString = JsonPath.format("{}", JsonPath.stringAt(keyPath));

  const compensationFailed = new Fail(scope, N.compensationFailed, {
    error: COMPENSATION_FAILED_ERROR,
    cause:
      "A compensation failed after its retries; the saga is recorded in the compensation-failure table for manual action",
  });
  const alert = new SnsPublish(scope, N.alertCompensationFailure, {
    topic: props.alertTopic,
    subject: "Saga compensation failed",
    message: TaskInput.fromObject({
      error: COMPENSATION_FAILED_ERROR,
      sagaKey: sagaKeyString,
      executionId: JsonPath.executionId,
      failure: JsonPath.objectAt("$.failure"),
      compensationFailures: JsonPath.objectAt("$.compensationFailures"),
      failureTable: props.failureTable.tableName,
    }),
    resultPath: JsonPath.DISCARD,
  });
  alert.addRetry(retry(["States.ALL"], D.escalationRetry));
  alert.addCatch(compensationFailed, { errors: ["States.ALL"], resultPath: JsonPath.DISCARD });
  alert.next(compensationFailed);

  const record = new DynamoPutItem(scope, N.recordCompensationFailure, {
    table: props.failureTable,
    item: {
      sagaKey: DynamoAttributeValue.fromString(sagaKeyString),
      executionId: DynamoAttributeValue.fromString(JsonPath.executionId),
      status: DynamoAttributeValue.fromString("COMPENSATION_FAILED"),
      recordedAt: DynamoAttributeValue.fromString(JsonPath.stringAt("$$.State.EnteredTime")),
      failure: DynamoAttributeValue.fromString(JsonPath.jsonToString(JsonPath.objectAt("$.failure"))),
      compensationFailures: DynamoAttributeValue.fromString(
        JsonPath.jsonToString(JsonPath.objectAt("$.compensationFailures")),
      ),
      state: DynamoAttributeValue.fromString(JsonPath.jsonToString(JsonPath.objectAt("$"))),
    },
    resultPath: JsonPath.DISCARD,
  });
  record.addRetry(retry(["States.ALL"], D.escalationRetry));
  record.addCatch(alert, { errors: ["States.ALL"], resultPath: JsonPath.DISCARD });
  record.next(alert);

  const sagaFailed = new Fail(scope, N.failed, {
    errorPath: "$.failure.Error",
    causePath: "$.failure.Cause",
  });

  // Compensations, built from the first step so each can point at the one before it.
  const compensations = new Map<string, TaskStateBase>();
  let previous: State = sagaFailed;
  /** Where the compensation of the steps before index i starts. */
  const chainBefore: State[] = [];
  for (const step of props.steps) {
    chainBefore.push(previous);
    const { id } = step.props;
    if (step.props.compensation.config.kind === "none") continue;
    const task = createTask(scope, compensationStateName(id), step, "compensation", keyPath);
    task.addRetry(retry(serviceErrors(step.props.compensation), D.serviceRetry));
    task.addRetry(retry(["States.ALL"], D.compensationRetry, props.compensationRetry));
    task.addCatch(record, { errors: ["States.ALL"], resultPath: `$.compensationFailures.${id}` });
    task.next(previous);
    compensations.set(id, task);
    previous = task;
  }
  return { compensations, chainBefore };
}

/** The input field naming the compensation a resume execution starts at. */
export const RESUME_AT_FIELD = "resumeAt";

/**
 * The definition of the resume state machine: the same compensation chain (with the same record →
 * alert → `Saga.CompensationFailed` escalation), entered at the compensation named by `$.resumeAt`.
 * An operator starts it with a failure record's `state` plus `resumeAt` once the cause is fixed; the
 * compensations are idempotent, so re-running the one that failed is safe.
 */
export function buildResumeDefinition(scope: Construct, props: SagaDefinitionProps): State {
  const { compensations } = buildCompensations(scope, props);
  const invalid = new Fail(scope, "InvalidResumePoint", {
    error: "Saga.InvalidResumePoint",
    cause: `the input's ${RESUME_AT_FIELD} names no compensation of this saga`,
  });
  const choice = new Choice(scope, "ResumeAt");
  for (const [id, task] of compensations) {
    choice.when(
      Condition.and(
        Condition.isPresent(`$.${RESUME_AT_FIELD}`),
        Condition.stringEquals(`$.${RESUME_AT_FIELD}`, id),
      ),
      task,
    );
  }
  return choice.otherwise(invalid);
}

function serviceErrors(action: SagaAction): readonly string[] {
  return action.isLambda ? LAMBDA_SERVICE_ERRORS : DYNAMODB_SERVICE_ERRORS;
}

function createTask(
  scope: Construct,
  stateName: string,
  step: ResolvedSagaStep,
  phase: "action" | "compensation",
  keyPath: string,
): TaskStateBase {
  const props = step.props;
  const action = phase === "action" ? props.action : props.compensation;
  const resultPath = phase === "action" ? `$.results.${props.id}` : `$.compensations.${props.id}`;
  // A callback step's timeout is the wait for its token; its compensation is a plain invocation.
  const timeout =
    phase === "compensation" && props.callback ? D.stepTimeout : (props.timeout ?? D.stepTimeout);
  const config = action.config;
  if (config.kind === "dynamoDbUpdate") {
    const u = config.update;
    return new DynamoUpdateItem(scope, stateName, {
      table: u.table,
      key: u.key,
      updateExpression: u.updateExpression,
      expressionAttributeValues: u.expressionAttributeValues,
      expressionAttributeNames: u.expressionAttributeNames,
      conditionExpression: u.conditionExpression,
      taskTimeout: Timeout.duration(timeout),
      resultPath,
    });
  }
  const fn = phase === "action" ? step.actionFunction : step.compensationFunction;
  if (!fn) throw new Error(`saga step '${props.id}': no function for its ${phase}`);
  const callback = phase === "action" && props.callback === true;
  return new LambdaInvoke(scope, stateName, {
    lambdaFunction: fn,
    payload: TaskInput.fromObject({
      sagaKey: JsonPath.stringAt(keyPath),
      step: props.id,
      phase,
      executionId: JsonPath.executionId,
      input: JsonPath.entirePayload,
      ...(callback ? { taskToken: JsonPath.taskToken } : {}),
    }),
    // The function's return value is the result (not the Invoke response around it).
    ...(callback
      ? { integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN }
      : { payloadResponseOnly: true }),
    // The construct adds its own bounded retrier with jitter (and a max delay) instead of CDK's default.
    retryOnServiceExceptions: false,
    // A little above the function's own timeout, so a slow invocation ends with the function's precise
    // error (its timeout) and States.Timeout only means the invocation itself hung. A callback waits `timeout`.
    taskTimeout: Timeout.duration(callback ? timeout : timeout.plus(D.taskTimeoutHeadroom)),
    resultPath,
  });
}
