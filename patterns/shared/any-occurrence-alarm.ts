import { type Alarm, ComparisonOperator, type Metric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";
import { notify } from "./alarm-action.js";

/**
 * Alarm when `metric` (already given its period and statistic) reaches 1 in a single period: for
 * metrics where any occurrence is a failure a person must look at (a message in a DLQ, a failed SNS
 * delivery, a function error or throttle). Missing data is "not breaching": these metrics report
 * nothing while nothing goes wrong. State changes go to `action` when given ({@link notify}).
 */
export function anyOccurrenceAlarm(
  scope: Construct,
  id: string,
  metric: Metric,
  description: string,
  action?: ITopic,
): Alarm {
  const alarm = metric.createAlarm(scope, id, {
    alarmDescription: description,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  return notify(alarm, action);
}
