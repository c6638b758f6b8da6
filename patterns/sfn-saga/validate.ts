import { StateMachineType } from "aws-cdk-lib/aws-stepfunctions";
import { seconds } from "../shared/sqs-consumer-rules.js";
import { checkIntegerRange, isUnresolved, type ValidationRule } from "../shared/validation.js";
import {
  compensationStateName,
  SAGA_DEFAULTS as D,
  SAGA_LIMITS as L,
  SAGA_STATE_KEYS,
  SAGA_STATE_NAMES,
} from "./defaults.js";
import type { SagaStepProps, SfnSagaProps } from "./props.js";
import type { SagaRetryProps } from "./saga-action.js";

const STEP_ID = /^[A-Za-z][A-Za-z0-9]*$/;
const KEY_PATH = /^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/;

/** The timeout of a step's task, in seconds (its default when unset); `undefined` when a token. */
export function stepTimeoutSeconds(step: SagaStepProps): number | undefined {
  return seconds(step.timeout ?? D.stepTimeout);
}

function label(step: SagaStepProps, index: number): string {
  return `steps[${index}] '${step.id}'`;
}

function eachStep(p: SfnSagaProps, check: (step: SagaStepProps, at: string) => (string | undefined)[]) {
  return (p.steps ?? []).flatMap((step, i) =>
    check(step, label(step, i)).filter((m): m is string => m !== undefined),
  );
}

function retryFailures(at: string, retry: SagaRetryProps | undefined): (string | undefined)[] {
  if (!retry) return [];
  const interval = seconds(retry.interval);
  const maxDelay = seconds(retry.maxDelay);
  const backoff = retry.backoffRate;
  return [
    checkIntegerRange(`${at}.maxAttempts`, retry.maxAttempts, 0, L.maxRetryAttempts),
    interval !== undefined && (!Number.isInteger(interval) || interval < 1)
      ? `${at}.interval is ${interval} s; allowed: whole seconds ≥ 1`
      : undefined,
    backoff !== undefined && !isUnresolved(backoff) && (backoff < 1 || backoff > L.maxBackoffRate)
      ? `${at}.backoffRate is ${backoff}; allowed: 1 to ${L.maxBackoffRate}`
      : undefined,
    maxDelay !== undefined && interval !== undefined && maxDelay < interval
      ? `${at}.maxDelay (${maxDelay} s) is below its interval (${interval} s); allowed: ≥ interval`
      : undefined,
  ];
}

function machineTimeoutSeconds(p: SfnSagaProps): number | undefined {
  return seconds(p.timeout ?? D.stateMachineTimeout);
}

/**
 * The validation table of {@link SfnSaga}: every rule runs and every failure is reported at once,
 * with the step it concerns and what is allowed.
 */
export const SAGA_RULES: readonly ValidationRule<SfnSagaProps>[] = [
  {
    name: "steps",
    check: (p) => ((p.steps ?? []).length === 0 ? "steps is empty; allowed: at least one step" : undefined),
  },
  {
    name: "step-ids",
    check: (p) => {
      const failures = eachStep(p, (s, at) => [
        STEP_ID.test(s.id ?? "") && s.id.length <= L.maxStepIdLength
          ? undefined
          : `${at}: id must be letters and digits starting with a letter, at most ${L.maxStepIdLength} characters (it names states and JSONPath keys)`,
      ]);
      const names = new Map<string, string>();
      for (const fixed of Object.values(SAGA_STATE_NAMES)) names.set(fixed, "a state of the saga itself");
      for (const [i, s] of (p.steps ?? []).entries()) {
        for (const name of [s.id, compensationStateName(s.id)]) {
          const owner = names.get(name);
          if (owner) failures.push(`${label(s, i)}: state name '${name}' is already used by ${owner}`);
          else names.set(name, label(s, i));
        }
      }
      return failures;
    },
  },
  {
    name: "compensation",
    check: (p) =>
      eachStep(p, (s, at) => [
        s.action?.config.kind === "none"
          ? `${at}: action is SagaAction.none; allowed: an entry, a function or a DynamoDB update`
          : undefined,
        s.compensation === undefined
          ? `${at}: compensation is missing; allowed: a SagaAction, or SagaAction.none(reason) for a step with nothing to undo`
          : undefined,
        s.compensation?.config.kind === "none" && s.compensation.config.reason.trim().length < 10
          ? `${at}: SagaAction.none needs a reason of at least 10 characters (why there is nothing to undo)`
          : undefined,
      ]),
  },
  {
    name: "business-key-path",
    check: (p) => {
      if (typeof p.businessKeyPath !== "string" || !KEY_PATH.test(p.businessKeyPath)) {
        return `businessKeyPath is '${p.businessKeyPath}'; allowed: a JSONPath such as $.orderId ($ and dot-separated field names)`;
      }
      const first = p.businessKeyPath.split(".")[1] as string;
      return (SAGA_STATE_KEYS as readonly string[]).includes(first)
        ? `businessKeyPath starts with $.${first}, where the saga writes its own state; allowed: any other field`
        : undefined;
    },
  },
  {
    name: "errors",
    check: (p) =>
      eachStep(p, (s, at) => {
        const permanent = s.permanentErrors ?? [];
        const retryable = s.retryableErrors ?? [];
        const both = permanent.filter((e) => retryable.includes(e));
        const wildcard = [...permanent, ...retryable].filter((e) => e.startsWith("States."));
        return [
          both.length > 0
            ? `${at}: ${both.join(", ")} both permanent and retryable; allowed: one of them`
            : undefined,
          wildcard.length > 0
            ? `${at}: ${wildcard.join(", ")} in permanentErrors/retryableErrors; allowed: the action's own error names (States.* errors are handled by the saga: timeouts compensate, they are not retried)`
            : undefined,
        ];
      }),
  },
  {
    name: "retry",
    check: (p) => [
      ...eachStep(p, (s, at) => retryFailures(`${at}.retry`, s.retry)),
      ...retryFailures("compensationRetry", p.compensationRetry).filter((m): m is string => m !== undefined),
    ],
  },
  {
    name: "timeouts",
    check: (p) => {
      const express = p.stateMachineType === StateMachineType.EXPRESS;
      const machine = machineTimeoutSeconds(p);
      const max = express ? L.maxExpressTimeoutSeconds : L.maxStandardTimeoutSeconds;
      const failures: string[] = [];
      if (machine !== undefined && (machine < 1 || machine > max)) {
        failures.push(
          `timeout is ${machine} s; allowed: 1 s to ${max} s (${express ? "5 minutes, Express" : "1 year, Standard"})`,
        );
      }
      failures.push(
        ...eachStep(p, (s, at) => {
          const t = stepTimeoutSeconds(s);
          if (t === undefined) return [];
          const lambdaLimit = s.action?.isLambda && !s.callback;
          return [
            !Number.isInteger(t) || t < 1
              ? `${at}: timeout is ${t} s; allowed: whole seconds ≥ 1`
              : undefined,
            lambdaLimit && t > L.maxLambdaTimeoutSeconds
              ? `${at}: timeout is ${t} s; allowed: ≤ ${L.maxLambdaTimeoutSeconds} s (Lambda's maximum)`
              : undefined,
          ];
        }),
      );
      const total = (p.steps ?? []).map(stepTimeoutSeconds);
      if (machine !== undefined && total.every((t) => t !== undefined)) {
        const sum = (total as number[]).reduce((a, b) => a + b, 0);
        if (sum > machine) {
          failures.push(
            `the steps' timeouts add up to ${sum} s, more than the state machine's timeout (${machine} s); allowed: a timeout ≥ their sum`,
          );
        }
      }
      return failures;
    },
  },
  {
    name: "callback",
    check: (p) =>
      eachStep(p, (s, at) => [
        s.callback && !s.action?.isLambda
          ? `${at}: callback is set on a DynamoDB update; allowed: only on Lambda actions (.waitForTaskToken)`
          : undefined,
      ]),
  },
  {
    name: "express",
    check: (p) => {
      if (p.stateMachineType !== StateMachineType.EXPRESS) return undefined;
      return eachStep(p, (s, at) => [
        s.callback
          ? `${at}: a callback step needs a Standard workflow (Express supports no .waitForTaskToken); allowed: stateMachineType STANDARD`
          : undefined,
        (s.exactlyOnce ?? true)
          ? `${at}: needs exactly-once execution (exactlyOnce defaults to true) and Express workflows are at-least-once; allowed: stateMachineType STANDARD, or exactlyOnce: false for an idempotent step`
          : undefined,
      ]);
    },
  },
];
