import { Duration } from "aws-cdk-lib";
import type { Alarm } from "aws-cdk-lib/aws-cloudwatch";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";
import { anyOccurrenceAlarm } from "./any-occurrence-alarm.js";

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
  return anyOccurrenceAlarm(
    scope,
    id,
    topic.metricNumberOfNotificationsFailed({ period: Duration.minutes(5), statistic: "Sum" }),
    description,
    action,
  );
}
