import type { Alarm } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { ITopic } from "aws-cdk-lib/aws-sns";

/**
 * Sends the alarm's state changes to `topic` when one is given: ALARM, and OK so a person sees the
 * failure end. An alarm without an action only changes colour in the console.
 */
export function notify(alarm: Alarm, topic: ITopic | undefined): Alarm {
  if (topic) {
    const action = new SnsAction(topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }
  return alarm;
}
