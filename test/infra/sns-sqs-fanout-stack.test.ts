import type { CfnElement } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { SnsSqsFanoutStack } from "../../stacks/sns-sqs-fanout-stack.js";
import { createTestApp } from "../helpers/app.js";
import { expectAlarmsWiredToTopic } from "./alarm-topic.js";

function synthStack(context: Record<string, unknown> = {}) {
  const stack = new SnsSqsFanoutStack(createTestApp(context), "SnsSqsFanoutStack");
  return { stack, template: Template.fromStack(stack) };
}

function synth(context: Record<string, unknown> = {}) {
  return synthStack(context).template;
}

describe("SnsSqsFanoutStack", () => {
  const { stack, template } = synthStack();

  it("sends every alarm to its encrypted alarm topic, e-mailing nobody unless asked", () => {
    expectAlarmsWiredToTopic(stack, template, stack.alarms);
    // 3 subscribers × 7 + the orders topic's failed notifications.
    template.resourceCountIs("AWS::CloudWatch::Alarm", 22);
  });

  it("subscribes the alarmEmail context address to the alarm topic", () => {
    synth({ alarmEmail: "ops@example.com" }).hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "ops@example.com",
    });
  });

  it("outputs everything a scenario needs to drive and observe the pattern", () => {
    const outputs = Object.keys(template.toJSON().Outputs);
    const expected = ["TopicArn", "PublisherFunctionName", "IdempotencyTableName", "EffectsTableName"];
    for (const s of ["Billing", "Shipping", "Audit"]) {
      expected.push(`${s}QueueUrl`, `${s}DlqUrl`, `${s}SubscriptionDlqUrl`, `${s}FunctionName`);
    }
    expect(outputs.sort()).toEqual(expected.sort());
  });

  it("routes order.created to billing by attribute and paid orders to shipping by body", () => {
    template.hasResourceProperties("AWS::SNS::Subscription", {
      RawMessageDelivery: true,
      FilterPolicy: { type: ["order.created"] },
    });
    template.hasResourceProperties("AWS::SNS::Subscription", {
      RawMessageDelivery: true,
      FilterPolicyScope: "MessageBody",
      FilterPolicy: { data: { status: ["paid"] } },
    });
    template.hasResourceProperties("AWS::SNS::Subscription", {
      RawMessageDelivery: false,
      FilterPolicy: Match.absent(),
    });
  });

  it("creates idempotency and effects tables with point-in-time recovery, retained", () => {
    template.hasResource("AWS::DynamoDB::Table", {
      DeletionPolicy: "Retain",
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        TimeToLiveSpecification: { AttributeName: "expiration", Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        BillingMode: "PAY_PER_REQUEST",
      }),
    });
    template.hasResourceProperties("AWS::DynamoDB::Table", {
      KeySchema: [
        { AttributeName: "subscriber", KeyType: "HASH" },
        { AttributeName: "eventId", KeyType: "RANGE" },
      ],
    });
  });

  it("configures each consumer with its subscriber name and tables, and no fault injection", () => {
    for (const name of ["billing", "shipping", "audit"]) {
      template.hasResourceProperties("AWS::Lambda::Function", {
        Environment: {
          Variables: Match.objectLike({
            SUBSCRIBER_NAME: name,
            IDEMPOTENCY_TABLE_NAME: Match.anyValue(),
            EFFECTS_TABLE_NAME: Match.anyValue(),
            DLQ_URL: Match.anyValue(),
            IDEMPOTENCY_EXPIRES_AFTER_SECONDS: String((4 + 14) * 86_400),
            FAULT_INJECTION: Match.absent(),
          }),
        },
      });
    }
  });

  it("turns fault injection on from the faultInjection context", () => {
    const functions = Object.values(
      synth({ faultInjection: "transient=0.05" }).findResources("AWS::Lambda::Function", {
        Properties: { Environment: { Variables: { FAULT_INJECTION: "transient=0.05" } } },
      }),
    );
    expect(functions).toHaveLength(3);
  });

  it("lets the publisher publish to the topic and use the topic key, nothing more on SNS", () => {
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({ TOPIC_ARN: Match.anyValue(), EVENT_SOURCE: "orders-service" }),
      },
    });
    template.hasResourceProperties("AWS::IAM::Policy", {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: "sns:Publish", Effect: "Allow" })]),
      },
    });
    const actions = Object.values(template.findResources("AWS::IAM::Policy")).flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap(
        (s) => s.Action,
      ),
    );
    expect([...new Set(actions.filter((a) => a.startsWith("sns:")))]).toEqual(["sns:Publish"]);
    expect(actions.filter((a) => a.startsWith("kms:") && a.includes("*"))).toEqual([]);
  });

  it("grants consumers only the DynamoDB actions idempotency and the effect use", () => {
    const actions = new Set(
      Object.values(template.findResources("AWS::IAM::Policy")).flatMap((policy) =>
        (policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap(
          (s) => s.Action,
        ),
      ),
    );
    const dynamodb = [...actions].filter((a) => a.startsWith("dynamodb:")).sort();
    expect(dynamodb).toEqual([
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
    ]);
  });

  it("lets each consumer update and read back its effects (the read tells an SDK retry from a second application)", () => {
    const effectsTable = stack.getLogicalId(stack.effectsTable.node.defaultChild as CfnElement);
    const onEffects = Object.values(template.findResources("AWS::IAM::Policy")).flatMap((policy) =>
      (
        policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]
      ).filter((s) => JSON.stringify(s.Resource).includes(`"${effectsTable}"`)),
    );
    expect(onEffects).toHaveLength(3);
    for (const statement of onEffects) {
      expect([statement.Action].flat().sort()).toEqual(["dynamodb:GetItem", "dynamodb:UpdateItem"]);
    }
  });
});
