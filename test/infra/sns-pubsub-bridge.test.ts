/** SnsPubsubBridge and its example stack: Template assertions and the validation table. */
import { Duration, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { Topic } from "aws-cdk-lib/aws-sns";
import { describe, expect, it } from "vitest";
import {
  awsExternalAccountConfiguration,
  SnsPubsubBridge,
  type SnsPubsubBridgeProps,
} from "../../patterns/sns-pubsub-bridge/index.js";
import { SnsPubsubBridgeOutputs } from "../../stacks/sns-pubsub-bridge-outputs.js";
import { SnsPubsubBridgeStack } from "../../stacks/sns-pubsub-bridge-stack.js";
import { createTestApp } from "../helpers/app.js";

const WIF = awsExternalAccountConfiguration({
  projectNumber: "123456789012",
  poolId: "aws-bridge",
  providerId: "aws",
  serviceAccountEmail: "bridge@my-gcp-project.iam.gserviceaccount.com",
});

function props(
  overrides: Partial<SnsPubsubBridgeProps["toGoogle"]> = {},
  from: Partial<SnsPubsubBridgeProps["fromGoogle"]> = {},
): SnsPubsubBridgeProps {
  return {
    toGoogle: {
      pubsubTopic: "projects/my-gcp-project/topics/aws-events",
      eventTypes: ["order.created"],
      credentials: { configuration: WIF },
      ...overrides,
    },
    fromGoogle: {
      serviceAccountEmail: "pubsub-push@my-gcp-project.iam.gserviceaccount.com",
      eventTypes: ["order.created"],
      ...from,
    },
  };
}

function build(p: SnsPubsubBridgeProps): { stack: Stack; bridge: SnsPubsubBridge } {
  const stack = new Stack(createTestApp(), "Test");
  return { stack, bridge: new SnsPubsubBridge(stack, "Bridge", p) };
}

describe("SnsPubsubBridgeStack", () => {
  const stack = new SnsPubsubBridgeStack(createTestApp(), "SnsPubsubBridgeStack");
  const template = Template.fromStack(stack);

  it("outputs exactly the names of stacks/sns-pubsub-bridge-outputs.ts", () => {
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual(Object.keys(SnsPubsubBridgeOutputs).sort());
  });

  it("stores a Workload Identity Federation configuration, not a key, and lets only the forwarder read it", () => {
    const [parameter] = Object.values(template.findResources("AWS::SSM::Parameter"));
    const value = JSON.parse((parameter as { Properties: { Value: string } }).Properties.Value) as Record<
      string,
      unknown
    >;
    expect(value.type).toBe("external_account");
    expect(value).not.toHaveProperty("private_key");
    expect((value.credential_source as Record<string, unknown>).environment_id).toBe("aws1");
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          PUBSUB_TOPIC: "projects/my-gcp-project/topics/aws-events",
          RAW_MESSAGE_DELIVERY: "true",
          FORWARDED_EVENT_TYPES: "order.created,order.cancelled,order.shipped",
          PUBLISH_TIMEOUT_MS: "20000",
          GOOGLE_CREDENTIALS_PARAMETER: { Ref: Match.anyValue() },
        }),
      },
    });
  });

  it("the push endpoint is a function URL without IAM auth or CORS, and the receiver knows its audience and signer", () => {
    template.hasResourceProperties("AWS::Lambda::Url", {
      AuthType: "NONE",
      InvokeMode: "BUFFERED",
      Cors: Match.absent(),
    });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Timeout: 10,
      Environment: {
        Variables: Match.objectLike({
          PUSH_SERVICE_ACCOUNT_EMAIL: "pubsub-push@my-gcp-project.iam.gserviceaccount.com",
          PUSH_AUDIENCE: "sns-pubsub-bridge:SnsPubsubBridgeStack/SnsPubsubBridgeStack/Bridge",
          ACCEPTED_EVENT_TYPES: "order.created,order.cancelled,order.shipped",
          IDEMPOTENCY_EXPIRES_AFTER_SECONDS: String(7 * 24 * 3600),
        }),
      },
    });
  });
});

describe("SnsPubsubBridge", () => {
  it("forward queue: KMS, 256 KiB, DLQs of 1 MiB, redrive after 5 receives, visibility 6 × timeout, raw SNS delivery with a subscription DLQ", () => {
    const { stack } = build(props());
    const t = Template.fromStack(stack);
    t.hasResourceProperties("AWS::SQS::Queue", {
      MaximumMessageSize: 262144,
      VisibilityTimeout: 180,
      KmsMasterKeyId: Match.anyValue(),
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
    });
    t.resourcePropertiesCountIs("AWS::SQS::Queue", { MaximumMessageSize: 1048576 }, 2);
    t.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "sqs",
      RawMessageDelivery: true,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
    });
    t.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BatchSize: 10,
    });
    t.resourceCountIs("AWS::CloudWatch::Alarm", 5);
  });

  it("the push receiver may publish to the target topic and use the idempotency table, nothing broader", () => {
    const { stack, bridge } = build(props());
    const t = Template.fromStack(stack);
    const role = stack.getLogicalId(bridge.pushReceiver.role.node.defaultChild as never);
    const policies = t.findResources("AWS::IAM::Policy", { Properties: { Roles: [{ Ref: role }] } });
    const actions = Object.values(policies).flatMap((p) =>
      (
        p as { Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } } }
      ).Properties.PolicyDocument.Statement.flatMap((s) => s.Action),
    );
    expect(new Set(actions)).toEqual(
      new Set([
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "sns:Publish",
        "kms:GenerateDataKey",
        "kms:Decrypt",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
      ]),
    );
  });

  it("a FIFO source topic makes the forward queue FIFO", () => {
    const stack = new Stack(createTestApp(), "Fifo");
    const sourceTopic = new Topic(stack, "Source", { fifo: true, topicName: "orders.fifo" });
    new SnsPubsubBridge(stack, "Bridge", props({ sourceTopic }));
    Template.fromStack(stack).hasResourceProperties("AWS::SQS::Queue", {
      FifoQueue: true,
      MaximumMessageSize: 262144,
    });
  });

  it("refuses a service-account key with the reason", () => {
    const key = {
      type: "service_account",
      private_key: "-----BEGIN PRIVATE KEY-----\n…",
      client_email: "x@p.iam.gserviceaccount.com",
    };
    expect(() => build(props({ credentials: { configuration: key } }))).toThrow(
      /\[google-credentials\] credentials.configuration is a service-account key; refused: a key is a long-lived secret/,
    );
  });

  it("lists every failure at once", () => {
    let message = "";
    try {
      build(
        props(
          {
            pubsubTopic: "aws-events",
            eventTypes: [],
            credentials: {},
            visibilityTimeout: Duration.seconds(30),
          },
          { serviceAccountEmail: "someone@gmail.com", timeout: Duration.minutes(20) },
        ),
      );
    } catch (error) {
      message = (error as Error).message;
    }
    for (const rule of [
      "pubsub-topic",
      "google-credentials",
      "event-types",
      "push-identity",
      "push-timeout",
      "visibility-timeout",
    ]) {
      expect(message).toContain(`[${rule}]`);
    }
  });
});
