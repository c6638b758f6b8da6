import { type App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { describe, expect, it } from "vitest";
import { MskLambdaStreamStack } from "../../stacks/msk-lambda-stream-stack.js";
import { SagaChoreographyStack } from "../../stacks/saga-choreography-stack.js";
import { SfnSagaStack } from "../../stacks/sfn-saga-stack.js";
import { SnsPubsubBridgeStack } from "../../stacks/sns-pubsub-bridge-stack.js";
import { SnsSqsFanoutStack } from "../../stacks/sns-sqs-fanout-stack.js";
import { SqsDlqRedriveStack } from "../../stacks/sqs-dlq-redrive-stack.js";
import { createTestApp } from "../helpers/app.js";
import {
  acknowledgementCoverage,
  nagAcknowledgements,
  nagFindings,
  staleAcknowledgements,
} from "../helpers/nag.js";

/**
 * Every deployable stack, built the way stacks/app.ts builds it. cdk-nag's AwsSolutions and
 * Serverless packs must report nothing unacknowledged, and every acknowledgement must carry a
 * specific reason and still match a finding.
 */
const STACKS: [string, (app: App) => void][] = [
  ["SnsSqsFanoutStack", (app) => new SnsSqsFanoutStack(app, "SnsSqsFanoutStack")],
  ["SqsDlqRedriveStack", (app) => new SqsDlqRedriveStack(app, "SqsDlqRedriveStack")],
  ["SagaChoreographyStack", (app) => new SagaChoreographyStack(app, "SagaChoreographyStack")],
  ["SfnSagaStack", (app) => new SfnSagaStack(app, "SfnSagaStack")],
  ["SnsPubsubBridgeStack", (app) => new SnsPubsubBridgeStack(app, "SnsPubsubBridgeStack")],
  ["MskLambdaStreamStack", (app) => new MskLambdaStreamStack(app, "MskLambdaStreamStack")],
];

/** A policy statement as synthesized (only what the wildcard check reads). */
interface PolicyJson {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/**
 * Actions that AWS documents without resource-level permissions, so they need `Resource: *`: X-Ray
 * segment and sampling calls, the CloudWatch Logs delivery calls Step Functions logging makes, and the
 * ENI calls of functions in a VPC.
 */
const RESOURCE_LESS_ACTIONS = new Set([
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:DescribeResourcePolicies",
  "logs:DescribeLogGroups",
  // A function in a VPC (and the Kafka event source's pollers) manage their ENIs: Lambda's own
  // AWSLambdaVPCAccessExecutionRole and AWSLambdaMSKExecutionRole grant these on `*` too.
  "ec2:CreateNetworkInterface",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DeleteNetworkInterface",
  "ec2:AssignPrivateIpAddresses",
  "ec2:UnassignPrivateIpAddresses",
  "ec2:DescribeVpcs",
  "ec2:DescribeSubnets",
  "ec2:DescribeSecurityGroups",
]);

describe.each(STACKS)("cdk-nag on %s", (_name, build) => {
  it("reports no unacknowledged AwsSolutions or Serverless finding (IAC-01)", () => {
    expect(nagFindings(build).map((f) => `${f.rule} at ${f.path}: ${f.description}`)).toEqual([]);
  });

  it("gives every acknowledgement a specific reason of at least 40 characters", () => {
    const app = createTestApp();
    build(app);
    const acknowledgements = nagAcknowledgements(app);
    expect(acknowledgements.length).toBeGreaterThan(0);
    expect(acknowledgements.filter((a) => a.reason.trim().length < 40)).toEqual([]);
  });

  it("acknowledges exactly one finding with each acknowledgement, none stale", () => {
    const coverage = acknowledgementCoverage(build);
    expect(
      coverage
        .filter((a) => a.findings.length !== 1)
        .map((a) => `${a.id} at ${a.path}: ${a.findings.map((f) => f.path).join(", ") || "no finding"}`),
    ).toEqual([]);
  });

  it("acknowledges a wildcard resource only on tracing policies, state machines and VPC function roles", () => {
    const wildcard = acknowledgementCoverage(build).filter((a) => a.id === "AwsSolutions-IAM5[Resource::*]");
    expect(wildcard.length).toBeGreaterThan(0);
    for (const ack of wildcard) {
      // Step Functions puts its log-delivery and X-Ray statements in the state machine role's default
      // policy, and a function in a VPC needs its ENI actions in its role's; the next test pins which
      // actions may have `Resource: *` anywhere, so these acknowledgements hide no other wildcard.
      expect(ack.path).toMatch(/\/(TracingPolicy|StateMachine|ResumeStateMachine|Role)$/);
      const policy = /StateMachine$/.test(ack.path)
        ? `${ack.path}/Role/DefaultPolicy`
        : ack.path.endsWith("/Role")
          ? `${ack.path}/DefaultPolicy`
          : ack.path;
      expect(ack.findings.map((f) => f.path)).toEqual([`${policy}/Resource`]);
    }
  });

  it("grants Resource * only for actions that support no resource-level permissions (IAC-12)", () => {
    const app = createTestApp();
    build(app);
    const wildcardActions = new Set<string>();
    for (const stack of app.node.children.filter((c): c is Stack => c instanceof Stack)) {
      const policies = Template.fromStack(stack).findResources("AWS::IAM::Policy");
      for (const policy of Object.values(policies)) {
        for (const statement of policy.Properties.PolicyDocument.Statement as PolicyJson[]) {
          const resources = [statement.Resource].flat();
          if (statement.Effect !== "Allow" || !resources.includes("*")) continue;
          for (const action of [statement.Action].flat()) wildcardActions.add(action);
        }
      }
    }
    expect([...wildcardActions].filter((action) => !RESOURCE_LESS_ACTIONS.has(action))).toEqual([]);
  });
});

describe("a new wildcard grant", () => {
  const wildcard = new PolicyStatement({ actions: ["sqs:ListQueues", "dynamodb:Scan"], resources: ["*"] });

  it("on the worker role of SqsDlqRedriveStack fails the nag check (IAC-12)", () => {
    const findings = nagFindings((app) => {
      const stack = new SqsDlqRedriveStack(app, "SqsDlqRedriveStack");
      stack.jobs.consumerFunction?.role.addToPrincipalPolicy(wildcard);
    });
    expect(findings.map((f) => `${f.rule} at ${f.path}`)).toEqual([
      "AwsSolutions-IAM5[Resource::*] at SqsDlqRedriveStack/Jobs/Consumer/Role/DefaultPolicy/Resource",
    ]);
  });

  it("on a fan-out consumer role of SnsSqsFanoutStack fails the nag check (IAC-12)", () => {
    const findings = nagFindings((app) => {
      const stack = new SnsSqsFanoutStack(app, "SnsSqsFanoutStack");
      stack.fanout.subscribers.billing?.consumerFunction?.role.addToPrincipalPolicy(wildcard);
    });
    expect(findings.map((f) => `${f.rule} at ${f.path}`)).toEqual([
      "AwsSolutions-IAM5[Resource::*] at SnsSqsFanoutStack/Orders/billing/Consumer/Role/DefaultPolicy/Resource",
    ]);
  });
});

describe("the staleness check itself", () => {
  it("flags an acknowledgement that matches no finding", async () => {
    const { acknowledgeNag } = await import("../../patterns/shared/nag.js");
    const stale = staleAcknowledgements((app) => {
      const stack = new SnsSqsFanoutStack(app, "Stale");
      acknowledgeNag(
        stack.effectsTable,
        "AwsSolutions-DDB3",
        "Point-in-time recovery is enabled, so this matches nothing",
      );
    });
    expect(stale.map((a) => a.id)).toEqual(["AwsSolutions-DDB3"]);
  });
});
