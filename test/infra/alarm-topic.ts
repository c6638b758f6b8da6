import type { Stack } from "aws-cdk-lib";
import { Match, type Template } from "aws-cdk-lib/assertions";
import { expect } from "vitest";
import type { AlarmTopic } from "../../patterns/shared/alarm-topic.js";

type Resource = { Type: string; Properties: Record<string, unknown> };

/**
 * Asserts that an example stack wires every alarm to its encrypted, TLS-only alarm topic (ALARM and
 * OK), that CloudWatch may publish to it and use its key, and that it has no e-mail subscription.
 */
export function expectAlarmsWiredToTopic(stack: Stack, template: Template, alarms: AlarmTopic): void {
  const topicId = stack.getLogicalId(alarms.topic.node.defaultChild as never);
  const keyId = stack.getLogicalId(alarms.key.node.defaultChild as never);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  expect(resources[topicId]?.Properties.KmsMasterKeyId).toEqual({ "Fn::GetAtt": [keyId, "Arn"] });

  const alarmResources = Object.values(template.findResources("AWS::CloudWatch::Alarm"));
  expect(alarmResources.length).toBeGreaterThan(0);
  for (const alarm of alarmResources) {
    expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
  }

  template.hasResourceProperties("AWS::SNS::TopicPolicy", {
    Topics: [{ Ref: topicId }],
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        Match.objectLike({
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: "sns:Publish",
          Condition: Match.objectLike({ StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } }),
        }),
      ]),
    },
  });
  const keyPolicy = resources[keyId]?.Properties.KeyPolicy as
    | { Statement?: Record<string, unknown>[] }
    | undefined;
  const keyStatements = keyPolicy?.Statement ?? [];
  expect(keyStatements).toContainEqual(
    expect.objectContaining({
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
    }),
  );
  template.resourcePropertiesCountIs("AWS::SNS::Subscription", { Protocol: "email" }, 0);
}
