import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { SAGA_FLOW, SAGA_SERVICES } from "../../functions/saga-choreography/flow.js";
import { SagaChoreographyOutputs } from "../../stacks/saga-choreography-outputs.js";
import { SagaChoreographyStack } from "../../stacks/saga-choreography-stack.js";
import { TEST_DEPLOYMENT_CONTEXT } from "../../stacks/test-deployment.js";
import { createTestApp } from "../helpers/app.js";

type Statement = {
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};
type Resource = { Type: string; Properties: Record<string, unknown> };

const idOf = (stack: SagaChoreographyStack, c: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(c.node.defaultChild as never);

function policyStatements(template: Template, roleId: string): Statement[] {
  return Object.values(template.findResources("AWS::IAM::Policy") as Record<string, Resource>)
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

describe("SagaChoreographyStack", () => {
  const stack = new SagaChoreographyStack(createTestApp(), "SagaChoreographyStack");
  const template = Template.fromStack(stack);

  it("declares exactly the outputs of SagaChoreographyOutputs", () => {
    const { services, ...top } = SagaChoreographyOutputs;
    const expected = [...Object.values(top), ...Object.values(services).flatMap((s) => Object.values(s))];
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual([...expected].sort());
  });

  it("routes each service exactly the types the flow table says it consumes", () => {
    for (const service of SAGA_SERVICES) {
      const s = stack.saga.services[service];
      if (!s) throw new Error(service);
      expect(Object.keys(s.rules).sort()).toEqual([...SAGA_FLOW[service].consumes].sort());
    }
    template.resourcePropertiesCountIs(
      "AWS::Events::Rule",
      { EventPattern: { source: ["saga.orders"], "detail-type": ["OrderTimedOut"] } },
      3,
    );
  });

  it("lets place-order put only OrderPlaced and the watchdog only OrderTimedOut and OrderCancelled", () => {
    const puts = (fn: { role: { node: { defaultChild?: unknown } } }) =>
      policyStatements(template, idOf(stack, fn.role)).filter((s) => s.Action === "events:PutEvents");
    expect(puts(stack.placeOrder).map((s) => s.Condition?.StringEquals)).toEqual([
      { "events:source": "saga.orders", "events:detail-type": ["OrderPlaced"] },
    ]);
    expect(puts(stack.watchdog).map((s) => s.Condition?.StringEquals)).toEqual([
      { "events:source": "saga.orders", "events:detail-type": ["OrderTimedOut", "OrderCancelled"] },
    ]);
  });

  it("gives the watchdog Query on the open-orders index only, and no function a Scan", () => {
    const statements = policyStatements(template, idOf(stack, stack.watchdog.role));
    const query = statements.find((s) => s.Action === "dynamodb:Query");
    expect(JSON.stringify(query?.Resource)).toContain("/index/open-by-deadline");
    const all = Object.values(template.findResources("AWS::IAM::Policy") as Record<string, Resource>).flatMap(
      (p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement.flatMap((s) => s.Action),
    );
    expect(all).not.toContain("dynamodb:Scan");
  });

  it("keeps a sparse index of open orders and runs the watchdog every minute with a target DLQ", () => {
    template.hasResourceProperties("AWS::DynamoDB::Table", {
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: "open-by-deadline",
          KeySchema: [
            { AttributeName: "watch", KeyType: "HASH" },
            { AttributeName: "deadline", KeyType: "RANGE" },
          ],
        }),
      ],
    });
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(1 minute)",
      Targets: [
        Match.objectLike({
          DeadLetterConfig: Match.anyValue(),
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
        }),
      ],
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmDescription: Match.stringLikeRegexp("could not invoke the watchdog"),
      MetricName: "ApproximateNumberOfMessagesVisible",
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "MessagingPatterns",
      MetricName: "StuckSagasFound",
      Dimensions: [{ Name: "service", Value: "saga-watchdog" }],
    });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ SAGA_DEADLINE_SECONDS: "300" }) },
    });
  });

  it("passes FAULT_INJECTION to every service consumer only when asked", () => {
    const withFaults = Template.fromStack(
      new SagaChoreographyStack(createTestApp(), "Faults", { faultInjection: "transient=0.05" }),
    );
    withFaults.resourcePropertiesCountIs(
      "AWS::Lambda::Function",
      { Environment: { Variables: Match.objectLike({ FAULT_INJECTION: "transient=0.05" }) } },
      4,
    );
    template.resourcePropertiesCountIs(
      "AWS::Lambda::Function",
      { Environment: { Variables: Match.objectLike({ FAULT_INJECTION: Match.anyValue() }) } },
      0,
    );
  });

  it("shortens retry loops for a test deployment only (3 s timeout, 18 s visibility)", () => {
    const test = Template.fromStack(
      new SagaChoreographyStack(createTestApp({ [TEST_DEPLOYMENT_CONTEXT]: true }), "Test"),
    );
    test.resourcePropertiesCountIs("AWS::SQS::Queue", { VisibilityTimeout: 18 }, 4);
    template.resourcePropertiesCountIs("AWS::SQS::Queue", { VisibilityTimeout: 180 }, 4);
  });
});
