import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { SqsDlqRedriveStack } from "../../stacks/sqs-dlq-redrive-stack.js";
import { createTestApp } from "../helpers/app.js";
import { expectAlarmsWiredToTopic } from "./alarm-topic.js";

describe("SqsDlqRedriveStack", () => {
  const stack = new SqsDlqRedriveStack(createTestApp(), "SqsDlqRedriveStack");
  const template = Template.fromStack(stack);

  it("outputs everything a scenario or an operator needs", () => {
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual([
      "DlqArn",
      "DlqUrl",
      "IdempotencyTableName",
      "JobsTableName",
      "QueueArn",
      "QueueUrl",
      "RedriveFunctionName",
      "WorkerFunctionName",
    ]);
  });

  it("dead-letters after AWS's recommended 5 receives, backoff 1 s to 60 s for a fast demo", () => {
    template.hasResourceProperties("AWS::SQS::Queue", {
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
    });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: {
          MAX_RECEIVE_COUNT: "5",
          BACKOFF_BASE_SECONDS: "1",
          BACKOFF_MAX_SECONDS: "60",
          JOBS_TABLE_NAME: { Ref: stack.getLogicalId(stack.jobsTable.node.defaultChild as never) },
          IDEMPOTENCY_TABLE_NAME: {
            Ref: stack.getLogicalId(stack.idempotencyTable.node.defaultChild as never),
          },
          QUEUE_URL: { Ref: stack.getLogicalId(stack.jobs.queue.node.defaultChild as never) },
          DLQ_URL: { Ref: stack.getLogicalId(stack.jobs.deadLetterQueue.node.defaultChild as never) },
          POWERTOOLS_SERVICE_NAME: "jobs",
          POWERTOOLS_METRICS_NAMESPACE: "MessagingPatterns",
          NODE_OPTIONS: "--enable-source-maps",
          IDEMPOTENCY_EXPIRES_AFTER_SECONDS: String((4 + 14) * 86_400),
        },
      },
    });
  });

  it("sends every alarm to its encrypted alarm topic, e-mailing nobody unless asked", () => {
    expectAlarmsWiredToTopic(stack, template, stack.alarms);
    template.resourceCountIs("AWS::CloudWatch::Alarm", 6);
  });

  it("subscribes the alarmEmail context address to the alarm topic", () => {
    const withEmail = new SqsDlqRedriveStack(createTestApp({ alarmEmail: "ops@example.com" }), "WithEmail");
    const topicId = withEmail.getLogicalId(withEmail.alarms.topic.node.defaultChild as never);
    Template.fromStack(withEmail).hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "ops@example.com",
      TopicArn: { Ref: topicId },
    });
  });

  it("keeps the tables (and their TTL) with point-in-time recovery", () => {
    template.resourceCountIs("AWS::DynamoDB::Table", 2);
    template.allResourcesProperties("AWS::DynamoDB::Table", {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    template.hasResourceProperties("AWS::DynamoDB::Table", {
      TimeToLiveSpecification: { AttributeName: "expiration", Enabled: true },
    });
    template.hasResource("AWS::DynamoDB::Table", { DeletionPolicy: "Retain" });
  });
});
