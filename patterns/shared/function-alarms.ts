import { Duration } from "aws-cdk-lib";
import type { Alarm } from "aws-cdk-lib/aws-cloudwatch";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";
import { anyOccurrenceAlarm } from "./any-occurrence-alarm.js";

/** The alarms of one consumer function. */
export interface FunctionAlarms {
  /** An invocation failed as a whole: the handler threw, timed out or ran out of memory. */
  readonly errors: Alarm;
  /** Lambda refused invocations for lack of concurrency (reserved or account limit). */
  readonly throttles: Alarm;
}

/**
 * Alarms on a queue consumer's `Errors` and `Throttles` (sum over 5 minutes ≥ 1). The patterns'
 * handlers report failed records through partial batch responses and never throw for one record, so
 * an invocation error is a bug, a timeout or a crash: every one is worth a look. Throttles mean the
 * event source outpaces the function's concurrency; the messages wait (and age) in the queue.
 */
export function functionAlarms(
  scope: Construct,
  idPrefix: string,
  fn: IFunction,
  description: string,
  action?: ITopic,
): FunctionAlarms {
  const period = { period: Duration.minutes(5), statistic: "Sum" };
  return {
    errors: anyOccurrenceAlarm(
      scope,
      `${idPrefix}ErrorsAlarm`,
      fn.metricErrors(period),
      `${description}: invocations failed (threw or timed out)`,
      action,
    ),
    throttles: anyOccurrenceAlarm(
      scope,
      `${idPrefix}ThrottlesAlarm`,
      fn.metricThrottles(period),
      `${description}: invocations were throttled`,
      action,
    ),
  };
}
