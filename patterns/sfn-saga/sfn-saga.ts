import { type CfnResource, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import { type Alarm, ComparisonOperator, type Metric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { AttributeType, Table } from "aws-cdk-lib/aws-dynamodb";
import type { Key } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Topic } from "aws-cdk-lib/aws-sns";
import {
  DefinitionBody,
  LogLevel,
  QueryLanguage,
  StateMachine,
  StateMachineType,
  type TaskStateBase,
} from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import { createKey } from "../shared/kms.js";
import { acknowledgeNag } from "../shared/nag.js";
import { PatternFunction } from "../shared/node-function.js";
import { tableDefaults } from "../shared/tables.js";
import { validateProps } from "../shared/validation.js";
import { SAGA_DEFAULTS as D } from "./defaults.js";
import { buildResumeDefinition, buildSagaDefinition, type ResolvedSagaStep } from "./definition.js";
import type { SfnSagaProps } from "./props.js";
import type { SagaAction } from "./saga-action.js";
import { SAGA_RULES } from "./validate.js";

/** The alarms of an {@link SfnSaga}. */
export interface SfnSagaAlarms {
  /** Executions ended FAILED: compensated sagas and failed compensations alike (look at the error). */
  readonly executionsFailed: Alarm;
  /** Executions hit the state machine's timeout (a callback never came, or retries ran too long). */
  readonly executionsTimedOut: Alarm;
  /** StartExecution or state transitions were throttled. */
  readonly executionThrottled: Alarm;
  /** A compensation failed for good: a saga needs manual action (see the compensation-failure table). */
  readonly compensationFailures: Alarm;
}

/**
 * An orchestrated saga on Step Functions: declare the steps, each with its action and compensation,
 * and the construct wires the orchestration so the hard parts are right by construction:
 * - results under `$.results.<step>` and errors under `$.failure`, never over the business keys;
 * - bounded retries with full jitter (Lambda service exceptions as AWS recommends, plus the step's own
 *   retryable errors), a `TimeoutSeconds` on every task;
 * - a catch on every forward step into the compensations of exactly the steps that completed, in
 *   reverse order, including the failing step itself when its outcome is unknown (a timeout or an
 *   unexpected error after a possible commit), excluding it for its declared permanent errors;
 * - every compensation retried on its own; one that still fails is recorded in {@link failureTable},
 *   announced on {@link alertTopic} (alarmed), and ends the execution FAILED with the distinct error
 *   `Saga.CompensationFailed`; once the cause is fixed, {@link resumeStateMachine} finishes the
 *   compensation from the recorded state;
 * - Standard workflow by default (exactly-once states, idempotent StartExecution by name), logging ALL
 *   into an explicit log group (states' inputs and outputs only with `logExecutionData`), X-Ray tracing, alarms on failed, timed-out and
 *   throttled executions and on compensation failures.
 */
export class SfnSaga extends Construct {
  /** The state machine. */
  public readonly stateMachine: StateMachine;
  /**
   * Runs the compensation chain from the compensation named by the input's `resumeAt`: start it with a
   * compensation-failure record's `state` plus `resumeAt` once the cause of the failure is fixed.
   */
  public readonly resumeStateMachine: StateMachine;
  /** Its log group (level ALL; execution data only with `logExecutionData`). */
  public readonly logGroup: LogGroup;
  /** Compensation failures for manual action: partition key `sagaKey`, sort key `executionId`. */
  public readonly failureTable: Table;
  /** Receives one message per compensation failure (encrypted with {@link alertKey}). */
  public readonly alertTopic: Topic;
  /** Encrypts {@link alertTopic}. */
  public readonly alertKey: Key;
  /** The bundled functions by step ID (`action` and `compensation`, when given as entries). */
  public readonly functions: ReadonlyMap<
    string,
    { action?: PatternFunction; compensation?: PatternFunction }
  >;
  /** The Task state of each forward step, in order. */
  public readonly forwardStates: readonly TaskStateBase[];
  /** The Task state of each compensation by step ID. */
  public readonly compensationStates: ReadonlyMap<string, TaskStateBase>;
  /** The alarms. */
  public readonly alarms: SfnSagaAlarms;

  constructor(scope: Construct, id: string, props: SfnSagaProps) {
    super(scope, id);
    validateProps(this, props, SAGA_RULES);
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const removalPolicy = props.tableRemovalPolicy ?? RemovalPolicy.RETAIN;

    const functions = new Map<string, { action?: PatternFunction; compensation?: PatternFunction }>();
    const resolved: ResolvedSagaStep[] = props.steps.map((step) => {
      // A callback's wait is the task's timeout, not the function's: its function only hands the token on.
      const timeout = step.callback ? D.stepTimeout : (step.timeout ?? D.stepTimeout);
      const make = (action: SagaAction, role: "Action" | "Compensation") => {
        const c = action.config;
        if (c.kind === "function") return { fn: c.function };
        if (c.kind !== "entry") return {};
        const bundled = new PatternFunction(this, `${step.id}${role}`, {
          entry: c.entry,
          timeout,
          memorySize: c.options.memorySize,
          reservedConcurrentExecutions: c.options.reservedConcurrentExecutions,
          environment: { POWERTOOLS_SERVICE_NAME: step.id, SAGA_STEP: step.id, ...c.options.environment },
          logRetention,
          description: `${role} of the saga step ${step.id} (${this.node.path})`,
        });
        return { fn: bundled.function, bundled };
      };
      const action = make(step.action, "Action");
      const compensation = make(step.compensation, "Compensation");
      functions.set(step.id, { action: action.bundled, compensation: compensation.bundled });
      return { props: step, actionFunction: action.fn, compensationFunction: compensation.fn };
    });
    this.functions = functions;

    this.failureTable = new Table(this, "CompensationFailureTable", {
      ...tableDefaults(removalPolicy),
      partitionKey: { name: "sagaKey", type: AttributeType.STRING },
      sortKey: { name: "executionId", type: AttributeType.STRING },
    });
    this.alertKey = createKey(
      this,
      "AlertKey",
      `Encrypts the compensation-failure topic of ${this.node.path}`,
      props.keyRemovalPolicy,
    );
    this.alertTopic = new Topic(this, "CompensationFailureTopic", {
      masterKey: this.alertKey,
      enforceSSL: true,
      displayName: "Saga compensation failures",
    });

    const definition = buildSagaDefinition(this, {
      steps: resolved,
      businessKeyPath: props.businessKeyPath,
      compensationRetry: props.compensationRetry,
      failureTable: this.failureTable,
      alertTopic: this.alertTopic,
    });
    this.forwardStates = definition.forward;
    this.compensationStates = definition.compensations;

    const logExecutionData = props.logExecutionData ?? false;
    this.logGroup = new LogGroup(this, "LogGroup", {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, "StateMachine", {
      definitionBody: DefinitionBody.fromChainable(definition.start),
      queryLanguage: QueryLanguage.JSON_PATH,
      stateMachineType: props.stateMachineType ?? StateMachineType.STANDARD,
      timeout: props.timeout ?? D.stateMachineTimeout,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: logExecutionData },
    });
    // The same compensations, entered at `$.resumeAt`: how an operator finishes a saga after
    // Saga.CompensationFailed once the cause is fixed (see README, "After Saga.CompensationFailed").
    const resumeScope = new Construct(this, "Resume");
    this.resumeStateMachine = new StateMachine(this, "ResumeStateMachine", {
      definitionBody: DefinitionBody.fromChainable(
        buildResumeDefinition(resumeScope, {
          steps: resolved,
          businessKeyPath: props.businessKeyPath,
          compensationRetry: props.compensationRetry,
          failureTable: this.failureTable,
          alertTopic: this.alertTopic,
        }),
      ),
      queryLanguage: QueryLanguage.JSON_PATH,
      stateMachineType: StateMachineType.STANDARD,
      timeout: props.timeout ?? D.stateMachineTimeout,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: logExecutionData },
    });
    // SNS encrypts with the topic's key on behalf of the publisher.
    this.alertKey.grant(this.stateMachine, "kms:GenerateDataKey", "kms:Decrypt");
    this.alertKey.grant(this.resumeStateMachine, "kms:GenerateDataKey", "kms:Decrypt");
    acknowledgeFindings(
      this,
      [...functions.values()].flatMap((f) => [f.action, f.compensation]),
      resolved.flatMap((r) => [r.actionFunction, r.compensationFunction]),
      new Set(resolved.map((r) => r.compensationFunction)),
    );

    const alarm = (alarmId: string, metric: Metric, description: string) => {
      const created = metric.createAlarm(this, alarmId, {
        alarmDescription: `${this.node.path}: ${description}`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      if (props.alarmTopic) created.addAlarmAction(new SnsAction(props.alarmTopic));
      return created;
    };
    const period = { period: Duration.minutes(1), statistic: "Sum" };
    this.alarms = {
      executionsFailed: alarm(
        "ExecutionsFailedAlarm",
        this.stateMachine.metricFailed(period),
        "saga executions failed (compensated, or Saga.CompensationFailed): see the execution's error",
      ),
      executionsTimedOut: alarm(
        "ExecutionsTimedOutAlarm",
        this.stateMachine.metricTimedOut(period),
        "saga executions timed out before compensating; their steps may be half done",
      ),
      executionThrottled: alarm(
        "ExecutionThrottledAlarm",
        this.stateMachine.metricThrottled(period),
        "Step Functions throttled executions or state transitions of the saga",
      ),
      compensationFailures: alarm(
        "CompensationFailuresAlarm",
        this.alertTopic.metricNumberOfMessagesPublished(period),
        "a saga compensation failed for good; fix the cause, then act on the item in the compensation-failure table",
      ),
    };
  }
}

/** cdk-nag findings inherent to the pattern, each with why it is acceptable. */
function acknowledgeFindings(
  saga: SfnSaga,
  bundled: (PatternFunction | undefined)[],
  invoked: (IFunction | undefined)[],
  invokedCompensations: ReadonlySet<IFunction | undefined>,
): void {
  const stack = Stack.of(saga);
  const seen = new Set<string>();
  for (const fn of invoked) {
    // The Lambda task grants InvokeFunction on the function and on `<arn>:*` (its versions and aliases).
    if (!(fn instanceof LambdaFunction) || Stack.of(fn) !== stack) continue;
    const logicalId = stack.resolve((fn.node.defaultChild as CfnResource).logicalId) as string;
    if (seen.has(logicalId)) continue;
    seen.add(logicalId);
    const isCompensation = invokedCompensations.has(fn);
    for (const machine of isCompensation
      ? [saga.stateMachine, saga.resumeStateMachine]
      : [saga.stateMachine]) {
      acknowledgeNag(
        machine,
        `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        "The Lambda task may invoke only this function and its versions or aliases (`<arn>:*`), as Step Functions' Lambda integration requires for qualified invocations",
      );
    }
  }
  acknowledgeNag(
    saga.stateMachine,
    "AwsSolutions-IAM5[Resource::*]",
    "Step Functions logging (logs:CreateLogDelivery, logs:*LogDelivery*, logs:PutResourcePolicy, logs:Describe*) and X-Ray (xray:PutTraceSegments, xray:GetSampling*) support no resource-level permissions",
  );
  acknowledgeNag(
    saga.resumeStateMachine,
    "AwsSolutions-IAM5[Resource::*]",
    "Step Functions logging (logs:CreateLogDelivery, logs:*LogDelivery*, logs:PutResourcePolicy, logs:Describe*) and X-Ray (xray:PutTraceSegments, xray:GetSampling*) support no resource-level permissions",
  );
  for (const fn of bundled) {
    if (!fn) continue;
    acknowledgeNag(
      fn.function,
      "Serverless-LambdaDLQ",
      "Invoked synchronously by the saga's state machine, which retries, catches and compensates failures; a Lambda DLQ applies only to async invocations",
    );
  }
}
