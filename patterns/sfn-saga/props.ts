import type { Duration, RemovalPolicy } from "aws-cdk-lib";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { StateMachineType } from "aws-cdk-lib/aws-stepfunctions";
import type { SagaAction, SagaRetryProps } from "./saga-action.js";

/** One forward step of a saga and the compensation that undoes it. */
export interface SagaStepProps {
  /**
   * The step's ID: its state name, the key of its result (`$.results.<id>`) and of its compensation's
   * result (`$.compensations.<id>`). Letters and digits, starting with a letter, unique in the saga.
   */
  readonly id: string;
  /** What the step does. */
  readonly action: SagaAction;
  /**
   * What undoes it, run when a later step fails for good (or this one fails with an unknown outcome).
   * It must be idempotent and tolerate "nothing to undo": after a timeout the action may or may not
   * have committed. `SagaAction.none(reason)` declares a step with nothing to undo.
   */
  readonly compensation: SagaAction;
  /**
   * Errors the action raises only when it changed nothing (business refusals such as `OutOfStock`,
   * `PaymentDeclined`): never retried, and the step itself is not compensated (only the steps before
   * it). Every other error, after the retries, also compensates this step (unknown outcome).
   * @default - none
   */
  readonly permanentErrors?: string[];
  /** The action's own transient errors, retried with {@link SagaStepProps.retry}. @default - none */
  readonly retryableErrors?: string[];
  /** Retry of `retryableErrors`. @default interval 1 s, 3 attempts, backoff 2, max delay 30 s, full jitter */
  readonly retry?: SagaRetryProps;
  /**
   * The bundled functions' timeout; a Lambda task's `TimeoutSeconds` is this plus 5 s (so the
   * function's own timeout error comes first; `States.Timeout` then means the invocation hung), a
   * DynamoDB task's is this. A timed-out step's outcome is unknown, so it is compensated too. For a `callback` step it is the
   * wait for the token (its functions keep the 30 s default).
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * The action is a callback (`.waitForTaskToken`): its payload carries `taskToken` and the step
   * completes when someone calls `SendTaskSuccess`/`SendTaskFailure`. Lambda actions only; Standard only.
   * @default false
   */
  readonly callback?: boolean;
  /**
   * The step must run at most once per execution. Standard workflows run each state exactly once
   * (unless Retry says otherwise); Express workflows are at-least-once, so they are refused while any
   * step keeps this `true`. Set `false` only for a step whose action and compensation are idempotent.
   * @default true
   */
  readonly exactlyOnce?: boolean;
}

/** Props of {@link SfnSaga}. */
export interface SfnSagaProps {
  /** The forward steps, in order (at least one). */
  readonly steps: SagaStepProps[];
  /**
   * JSONPath of the business key in the execution input (e.g. `$.orderId`): every step gets its value as
   * `sagaKey` (the idempotency key with the step ID), and the compensation-failure record is keyed by it.
   * Results and errors are written under `$.results`, `$.failure`, `$.compensations` and
   * `$.compensationFailures`, never over the input, so this path must not start with those.
   */
  readonly businessKeyPath: string;
  /**
   * Standard (the default: exactly-once states, executions named by the business key are idempotent
   * for 90 days, redrive, callbacks) or Express (at-least-once, ≤ 5 minutes; refused while any step
   * needs exactly-once or a callback).
   * @default StateMachineType.STANDARD
   */
  readonly stateMachineType?: StateMachineType;
  /** Timeout of a whole execution (≤ 1 year Standard, ≤ 5 minutes Express). @default Duration.hours(1) */
  readonly timeout?: Duration;
  /** Topic every alarm notifies. @default - alarms without actions */
  readonly alarmTopic?: ITopic;
  /** Retention of the state machine's log group and the bundled functions' log groups. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * Whether the execution log (level ALL) includes each state's input and output. Off by default:
   * the saga's inputs (orders, payments, addresses) would be copied into CloudWatch Logs on every
   * transition, where they outlive the execution and escape the tables' encryption and access
   * controls, and they are several KB of log ingestion per execution. The event types, state names,
   * errors and causes are logged either way; `GetExecutionHistory` keeps the data for 90 days.
   * @default false
   */
  readonly logExecutionData?: boolean;
  /**
   * Retry of every compensation (any error: a compensation must eventually succeed or be escalated).
   * @default interval 2 s, 5 attempts, backoff 2, max delay 60 s, full jitter
   */
  readonly compensationRetry?: SagaRetryProps;
  /** Removal policy of the compensation-failure table. @default RemovalPolicy.RETAIN */
  readonly tableRemovalPolicy?: RemovalPolicy;
  /** Removal policy of the alert topic's KMS key. @default RemovalPolicy.RETAIN */
  readonly keyRemovalPolicy?: RemovalPolicy;
}
