import { Duration } from "aws-cdk-lib";
import { type Alarm, ComparisonOperator, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { notify } from "./alarm-action.js";
import { anyOccurrenceAlarm } from "./any-occurrence-alarm.js";

/**
 * Alarm when a dead-letter queue holds any message: every message there is a failure a person has
 * to look at (and redrive), so the threshold is one message, evaluated each minute.
 */
export function dlqDepthAlarm(
  scope: Construct,
  id: string,
  dlq: IQueue,
  description: string,
  action?: ITopic,
): Alarm {
  return anyOccurrenceAlarm(
    scope,
    id,
    dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: "Maximum" }),
    description,
    action,
  );
}

/**
 * Alarm when the oldest message of a queue is older than `threshold`: consumers are failing,
 * throttled or too slow, and messages approach their retention period (after which SQS deletes them).
 */
export function messageAgeAlarm(
  scope: Construct,
  id: string,
  queue: IQueue,
  threshold: Duration,
  description: string,
  action?: ITopic,
): Alarm {
  const alarm = queue
    .metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: "Maximum" })
    .createAlarm(scope, id, {
      alarmDescription: description,
      threshold: threshold.toSeconds(),
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  return notify(alarm, action);
}
