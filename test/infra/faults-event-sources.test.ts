import type { Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { SnsSqsFanoutStack } from "../../stacks/sns-sqs-fanout-stack.js";
import { SqsDlqRedriveStack } from "../../stacks/sqs-dlq-redrive-stack.js";
import { createTestApp } from "../helpers/app.js";

/**
 * Fault catalogue cases about the SQS event source mappings of the example stacks, proven on the
 * synthesized templates:
 * - SQS-09: a record an ESM `FilterCriteria` excludes is DELETED by Lambda, unprocessed; so no ESM
 *   filters (routing is done by SNS filter policies, whose drops are counted by SNS and never reach
 *   the queue). That the local poller deletes filtered records as AWS does is proven in
 *   test/local/cloud/event-sources.test.ts ("event filtering (FilterCriteria)").
 * - SQS-10: a handler that re-sends a record to the queue it consumes ("retry later") loops until
 *   Lambda's recursion detection stops it after 16 hops; retries belong to the queue (visibility
 *   timeout, `ChangeMessageVisibility`). No consumer's role may send to the queue it consumes.
 */

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

const STACKS: [string, () => Stack][] = [
  ["SnsSqsFanoutStack", () => new SnsSqsFanoutStack(createTestApp(), "SnsSqsFanoutStack")],
  ["SqsDlqRedriveStack", () => new SqsDlqRedriveStack(createTestApp(), "SqsDlqRedriveStack")],
];

const logicalId = (value: unknown): string | undefined => {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as { Ref?: string; "Fn::GetAtt"?: [string, string] };
  return v.Ref ?? v["Fn::GetAtt"]?.[0];
};

/**
 * Every way a consuming function's role may send to the queue it consumes. The role is what counts:
 * a worker may well know its queue's URL (the redrive worker changes the visibility timeout for its
 * backoff), but without `sqs:SendMessage` on it AWS refuses a self-send.
 */
function selfSends(template: Template): string[] {
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const of = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const problems: string[] = [];
  for (const [esmId, esm] of of("AWS::Lambda::EventSourceMapping")) {
    const queueId = logicalId(esm.Properties.EventSourceArn);
    const functionId = logicalId(esm.Properties.FunctionName);
    if (!queueId || !functionId || resources[queueId]?.Type !== "AWS::SQS::Queue") continue;
    const fn = resources[functionId];
    const roleId = logicalId(fn?.Properties.Role);
    for (const [policyId, policy] of of("AWS::IAM::Policy")) {
      const roles = (policy.Properties.Roles as unknown[] | undefined) ?? [];
      if (!roles.some((r) => logicalId(r) === roleId)) continue;
      const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
      for (const s of statements) {
        const actions = ([] as string[]).concat(s.Action);
        const sends = actions.some(
          (a) => /^sqs:(SendMessage|SendMessageBatch|Send\*|\*)$/.test(a) || a === "*",
        );
        const onQueue = ([] as unknown[])
          .concat(s.Resource)
          .some((r) => logicalId(r) === queueId || r === "*");
        if (s.Effect === "Allow" && sends && onQueue) {
          problems.push(`${esmId}: ${policyId} lets ${functionId} send to its own queue ${queueId}`);
        }
      }
    }
  }
  return problems;
}

describe.each(STACKS)("%s event sources", (_name, build) => {
  const template = Template.fromStack(build());
  const mappings = Object.values(template.findResources("AWS::Lambda::EventSourceMapping")) as Resource[];

  it("SQS-09: has SQS event source mappings, none with FilterCriteria (an ESM filter deletes what it excludes)", () => {
    expect(mappings.length).toBeGreaterThan(0);
    for (const mapping of mappings) expect(mapping.Properties.FilterCriteria).toBeUndefined();
  });

  it("SQS-10: no consumer's role may send to the queue it consumes", () => {
    expect(selfSends(template)).toEqual([]);
  });
});

describe("the SQS-10 check itself", () => {
  it("SQS-10: flags a worker granted SendMessage on its own queue", () => {
    const stack = new SqsDlqRedriveStack(createTestApp(), "SqsDlqRedriveStack");
    stack.jobs.queue.grantSendMessages(stack.jobs.consumer);
    const problems = selfSends(Template.fromStack(stack));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/lets .* send to its own queue/);
  });

  it("SQS-10: flags a fan-out consumer allowed sqs:* on its own queue", () => {
    const stack = new SnsSqsFanoutStack(createTestApp(), "SnsSqsFanoutStack");
    const billing = stack.fanout.subscribers.billing;
    if (!billing) throw new Error("billing subscriber missing");
    billing.queue.grant(billing.consumer, "sqs:*");
    expect(selfSends(Template.fromStack(stack))).toEqual([
      expect.stringMatching(/lets Orders.*send to its own queue/),
    ]);
  });
});
