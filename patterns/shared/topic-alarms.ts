import { Duration } from "aws-cdk-lib";
import { type Alarm, ComparisonOperator, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";
import { notify } from "./alarm-action.js";

/**
 * Alarm when SNS failed to deliver any notification of `topic` (`NumberOfNotificationsFailed`, sum
 * over 5 minutes ≥ 1): after its retries SNS gave up on a subscriber (a key or policy problem, a
 * deleted queue). With a subscription DLQ the message is parked there; without one it is lost.
 */
export function notificationsFailedAlarm(
  scope: Construct,
  id: string,
  topic: ITopic,
  description: string,
  action?: ITopic,
): Alarm {
  const alarm = topic
    .metricNumberOfNotificationsFailed({ period: Duration.minutes(5), statistic: "Sum" })
    .createAlarm(scope, id, {
      alarmDescription: description,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  return notify(alarm, action);
}
