import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { MskLambdaStreamOutputs } from "../../stacks/msk-lambda-stream-outputs.js";
import { MskLambdaStreamStack } from "../../stacks/msk-lambda-stream-stack.js";
import { createTestApp } from "../helpers/app.js";

describe("MskLambdaStreamStack", () => {
  const stack = new MskLambdaStreamStack(createTestApp(), "MskLambdaStreamStack");
  const template = Template.fromStack(stack);

  it("outputs exactly the names of stacks/msk-lambda-stream-outputs.ts", () => {
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual(
      Object.values(MskLambdaStreamOutputs).sort(),
    );
  });

  it("gives the consumer its tables and the stream's topic, and grants it only what it writes", () => {
    const ref = (c: { node: { defaultChild?: unknown } }) => ({
      Ref: stack.getLogicalId(c.node.defaultChild as never),
    });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: {
          EFFECTS_TABLE_NAME: ref(stack.effectsTable),
          IDEMPOTENCY_TABLE_NAME: ref(stack.idempotencyTable),
          TOPIC_NAME: "orders",
          IDEMPOTENCY_EXPIRES_AFTER_SECONDS: String(7 * 86400),
        },
      },
    });
    const policies = JSON.stringify(template.findResources("AWS::IAM::Policy"));
    expect(policies).not.toContain("dynamodb:*");
    expect(policies).not.toContain("dynamodb:Scan");
  });

  it("grants the consumer exactly the batch idempotency's actions on the idempotency table", () => {
    const tableArn = {
      "Fn::GetAtt": [stack.getLogicalId(stack.idempotencyTable.node.defaultChild as never), "Arn"],
    };
    const statements = Object.values(template.findResources("AWS::IAM::Policy")).flatMap(
      (policy) =>
        (
          policy as {
            Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } };
          }
        ).Properties.PolicyDocument.Statement,
    );
    const onTable = statements.filter((s) =>
      (Array.isArray(s.Resource) ? s.Resource : [s.Resource]).some(
        (r) => JSON.stringify(r) === JSON.stringify(tableArn),
      ),
    );
    expect(onTable.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort()).toEqual([
      "dynamodb:BatchGetItem",
      "dynamodb:BatchWriteItem",
    ]);
  });

  it("keeps its tables with point-in-time recovery", () => {
    template.resourceCountIs("AWS::DynamoDB::Table", 2);
    template.allResourcesProperties("AWS::DynamoDB::Table", {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    template.hasResource("AWS::DynamoDB::Table", { DeletionPolicy: "Retain" });
  });
});
