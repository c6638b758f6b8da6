import { describe, expect, it } from "vitest";
import { describeFilter, mermaidDiagram, referencedIds } from "../../../tools/local/diagram.ts";
import type { Template } from "../../../tools/local/template.ts";

const template: Template = {
  Resources: {
    Topic: { Type: "AWS::SNS::Topic", Metadata: { "aws:cdk:path": "S/Orders/Topic/Resource" } },
    Queue: {
      Type: "AWS::SQS::Queue",
      Properties: {
        RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": ["Dlq", "Arn"] }, maxReceiveCount: 5 },
      },
    },
    Dlq: { Type: "AWS::SQS::Queue" },
    Sub: {
      Type: "AWS::SNS::Subscription",
      Properties: {
        Protocol: "sqs",
        TopicArn: { Ref: "Topic" },
        Endpoint: { "Fn::GetAtt": ["Queue", "Arn"] },
        FilterPolicy: { data: { status: ["paid"] } },
        FilterPolicyScope: "MessageBody",
        RawMessageDelivery: true,
      },
    },
    Fn: {
      Type: "AWS::Lambda::Function",
      Properties: { Environment: { Variables: { TABLE: { Ref: "Table" } } } },
    },
    Table: { Type: "AWS::DynamoDB::Table" },
    Esm: {
      Type: "AWS::Lambda::EventSourceMapping",
      Properties: {
        EventSourceArn: { "Fn::GetAtt": ["Queue", "Arn"] },
        FunctionName: { Ref: "Fn" },
        BatchSize: 5,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
      },
    },
    Role: { Type: "AWS::IAM::Role" },
  },
};

describe("Mermaid diagram", () => {
  it("draws topics, queues, functions and tables with subscription, redrive, mapping and environment edges", () => {
    const diagram = mermaidDiagram(template, "demo");
    expect(diagram).toContain("flowchart LR");
    expect(diagram).toContain('Topic{{"Orders/Topic<br/><small>SNS topic</small>"}}');
    expect(diagram).toContain('Topic -->|"body filter data.status = paid, raw"| Queue');
    expect(diagram).toContain('Queue -.->|"after 5 receives"| Dlq');
    expect(diagram).toContain('Queue -->|"batch 5, partial failures"| Fn');
    expect(diagram).toContain('Fn -->|"TABLE"| Table');
    expect(diagram).not.toContain("Role");
  });

  it("finds references and describes filter policies", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub template
    expect(referencedIds({ "Fn::Sub": "${A}/${B.Arn}", x: [{ Ref: "C" }] }).sort()).toEqual(["A", "B", "C"]);
    expect(describeFilter({ type: ["order.created", "order.paid"] })).toBe(
      "type in order.created | order.paid",
    );
  });
});
