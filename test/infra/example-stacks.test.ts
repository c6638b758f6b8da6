import type { Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { SnsSqsFanoutStack } from "../../stacks/sns-sqs-fanout-stack.js";
import { SqsDlqRedriveStack } from "../../stacks/sqs-dlq-redrive-stack.js";
import { createTestApp } from "../helpers/app.js";

type Resource = { Type: string; Properties: Record<string, unknown> };

/** Every example stack, built as stacks/app.ts builds it: the checks below hold for all of them. */
const STACKS: [string, () => Stack][] = [
  ["SnsSqsFanoutStack", () => new SnsSqsFanoutStack(createTestApp(), "SnsSqsFanoutStack")],
  ["SqsDlqRedriveStack", () => new SqsDlqRedriveStack(createTestApp(), "SqsDlqRedriveStack")],
];

describe.each(STACKS)("%s", (_name, build) => {
  const template = Template.fromStack(build());
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

  it("dead-letters every consumed queue after ≥ 5 receives into a DLQ kept 14 days, longer than the queue (IAC-03, RDV-06)", () => {
    const sources = ofType("AWS::SQS::Queue").filter(([, q]) => q.Properties.RedrivePolicy !== undefined);
    expect(sources.length).toBeGreaterThan(0);
    for (const [, queue] of sources) {
      const policy = queue.Properties.RedrivePolicy as {
        maxReceiveCount: number;
        deadLetterTargetArn: { "Fn::GetAtt": [string, string] };
      };
      expect(policy.maxReceiveCount).toBeGreaterThanOrEqual(5);
      const dlq = resources[policy.deadLetterTargetArn["Fn::GetAtt"][0]];
      expect(dlq?.Properties.MessageRetentionPeriod).toBe(14 * 86_400);
      expect(Number(queue.Properties.MessageRetentionPeriod)).toBeLessThan(14 * 86_400);
    }
  });

  it("reports partial batch failures on every SQS event source (IAC-04)", () => {
    const mappings = ofType("AWS::Lambda::EventSourceMapping");
    expect(mappings.length).toBeGreaterThan(0);
    for (const [, mapping] of mappings) {
      expect(mapping.Properties.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    }
  });

  it("denies plain HTTP on every queue and topic (SEC-01)", () => {
    const policies = [...ofType("AWS::SQS::QueuePolicy"), ...ofType("AWS::SNS::TopicPolicy")];
    const covered = new Set(
      policies.flatMap(([, p]) => {
        const targets = (p.Properties.Queues ?? p.Properties.Topics) as { Ref: string }[];
        const denies = JSON.stringify(p.Properties.PolicyDocument).includes('"aws:SecureTransport":"false"');
        return denies ? targets.map((t) => t.Ref) : [];
      }),
    );
    for (const [id] of [...ofType("AWS::SQS::Queue"), ...ofType("AWS::SNS::Topic")]) {
      expect(covered.has(id), id).toBe(true);
    }
  });
});
