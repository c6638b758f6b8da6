import { type CfnElement, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import { Role } from "aws-cdk-lib/aws-iam";
import { Code, Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { FilterOrPolicy, SubscriptionFilter, Topic } from "aws-cdk-lib/aws-sns";
import { SqsSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { describe, expect, it } from "vitest";
import { LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME } from "../../patterns/shared/runtime.js";
import { PatternValidationError } from "../../patterns/shared/validation.js";
import {
  type FanoutSubscriberProps,
  SnsSqsFanout,
  type SnsSqsFanoutProps,
} from "../../patterns/sns-sqs-fanout/sns-sqs-fanout.js";
import { createTestApp, NOOP_HANDLER } from "../helpers/app.js";
import { validationFailures } from "../helpers/validation.js";

type Resource = { Type: string; Properties: Record<string, unknown> };

function synth(props: Partial<SnsSqsFanoutProps> = {}, build?: (stack: Stack) => Partial<SnsSqsFanoutProps>) {
  const stack = new Stack(createTestApp(), "Test");
  const extra = build?.(stack) ?? {};
  const fanout = new SnsSqsFanout(stack, "Fanout", {
    subscribers: [{ id: "billing", consumer: { entry: NOOP_HANDLER } }],
    ...props,
    ...extra,
  });
  return { stack, fanout, template: Template.fromStack(stack) };
}

function build(props: Partial<SnsSqsFanoutProps>): () => void {
  return () => synth(props);
}

function subscriber(overrides: Partial<FanoutSubscriberProps> = {}): FanoutSubscriberProps {
  return { id: "billing", consumer: { entry: NOOP_HANDLER }, ...overrides };
}

const byType = (template: Template, type: string) =>
  Object.entries(template.findResources(type) as Record<string, Resource>);

/** Logical ID behind `{ "Fn::GetAtt": [id, "Arn"] }` or `{ Ref: id }`. */
function logicalId(value: unknown): string {
  const v = value as { "Fn::GetAtt"?: [string, string]; Ref?: string };
  const id = v["Fn::GetAtt"]?.[0] ?? v.Ref;
  if (!id) throw new Error(`not a reference: ${JSON.stringify(value)}`);
  return id;
}

describe("SnsSqsFanout with defaults", () => {
  const { template, fanout, stack } = synth();

  it("creates an encrypted standard topic with its own key and TLS-only policy", () => {
    template.resourceCountIs("AWS::SNS::Topic", 1);
    const [[, topic]] = byType(template, "AWS::SNS::Topic") as [[string, Resource]];
    expect(topic.Properties.FifoTopic).toBeUndefined();
    const topicKey = logicalId(topic.Properties.KmsMasterKeyId);
    expect(template.toJSON().Resources[topicKey].Type).toBe("AWS::KMS::Key");
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
  });

  it("creates a queue, a DLQ and a subscription DLQ, all KMS-encrypted with rotation, TLS-only", () => {
    const queues = byType(template, "AWS::SQS::Queue");
    expect(queues).toHaveLength(3);
    for (const [, queue] of queues) expect(queue.Properties.KmsMasterKeyId).toBeDefined();
    template.resourceCountIs("AWS::KMS::Key", 2);
    template.allResourcesProperties("AWS::KMS::Key", { EnableKeyRotation: true });
    template.resourcePropertiesCountIs(
      "AWS::SQS::QueuePolicy",
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Condition: { Bool: { "aws:SecureTransport": "false" } } }),
          ]),
        },
      },
      3,
    );
  });

  it("sets visibility timeout to 6 × the consumer timeout and maxReceiveCount 5", () => {
    template.hasResourceProperties("AWS::SQS::Queue", {
      VisibilityTimeout: 180,
      MessageRetentionPeriod: 4 * 86400,
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
    });
    template.resourcePropertiesCountIs("AWS::SQS::Queue", { MessageRetentionPeriod: 14 * 86400 }, 2);
  });

  it("sizes an envelope subscriber's queue for the SNS envelope (1 MiB − 8 KiB) and gives both DLQs SQS's 1 MiB", () => {
    const billing = fanout.subscribers.billing;
    if (!billing) throw new Error("billing missing");
    const size = (queue: { node: { defaultChild?: unknown } }) =>
      template.toJSON().Resources[stack.getLogicalId(queue.node.defaultChild as CfnElement)].Properties
        .MaximumMessageSize;
    // The envelope around a message published near SNS's 256 KiB is larger than 256 KiB.
    expect(size(billing.queue)).toBe(1_040_384);
    expect(size(billing.deadLetterQueue)).toBe(1_048_576);
    expect(size(billing.subscriptionDeadLetterQueue)).toBe(1_048_576);
  });

  it("limits a raw-delivery subscriber's queue to what SNS publishes (256 KiB)", () => {
    const raw = synth({ subscribers: [subscriber({ rawMessageDelivery: true })] });
    const queue = raw.fanout.subscribers.billing?.queue;
    if (!queue) throw new Error("billing missing");
    const id = raw.stack.getLogicalId(queue.node.defaultChild as CfnElement);
    expect(raw.template.toJSON().Resources[id].Properties.MaximumMessageSize).toBe(262_144);
  });

  it("subscribes the queue with the SNS envelope, no filter and a subscription DLQ", () => {
    const [[, subscription]] = byType(template, "AWS::SNS::Subscription") as [[string, Resource]];
    expect(subscription.Properties).toMatchObject({ Protocol: "sqs", RawMessageDelivery: false });
    expect(subscription.Properties.FilterPolicy).toBeUndefined();
    const dlq = logicalId(
      (subscription.Properties.RedrivePolicy as { deadLetterTargetArn: unknown }).deadLetterTargetArn,
    );
    const queue = fanout.subscribers.billing?.subscriptionDeadLetterQueue;
    expect(queue).toBeDefined();
    if (queue) expect(dlq).toBe(stack.getLogicalId(queue.node.defaultChild as CfnElement));
  });

  it("creates a Node.js 24 arm64 consumer with tracing, a log group and partial batch responses", () => {
    template.hasResourceProperties("AWS::Lambda::Function", {
      Runtime: LAMBDA_RUNTIME.name,
      Architectures: [LAMBDA_ARCHITECTURE.name],
      Timeout: 30,
      MemorySize: 256,
      TracingConfig: { Mode: "Active" },
      Environment: {
        Variables: Match.objectLike({ RAW_MESSAGE_DELIVERY: "false", DLQ_URL: Match.anyValue() }),
      },
    });
    template.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 30 });
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      BatchSize: 10,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
  });

  it("tells the consumer to keep idempotency records for queue + DLQ retention (4 + 14 days)", () => {
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({ IDEMPOTENCY_EXPIRES_AFTER_SECONDS: String(18 * 86_400) }),
      },
    });
  });

  it("uses no managed policy and no wildcard action for the consumer", () => {
    for (const [, role] of byType(template, "AWS::IAM::Role")) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    const actions = byType(template, "AWS::IAM::Policy").flatMap(([, policy]) =>
      (policy.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement.flatMap(
        (s) => s.Action,
      ),
    );
    expect(actions).toContain("sqs:SendMessage");
    expect(actions.filter((a) => a.endsWith("*"))).toEqual([]);
  });

  it("alarms on depth and age of both DLQs, queue age, consumer errors and throttles, failed notifications; no actions (IAC-11)", () => {
    const billing = fanout.subscribers.billing;
    if (!billing) throw new Error("billing missing");
    const id = (c: { node: { defaultChild?: unknown } }) =>
      stack.getLogicalId(c.node.defaultChild as CfnElement);
    template.resourceCountIs("AWS::CloudWatch::Alarm", 8);
    for (const queue of [billing.deadLetterQueue, billing.subscriptionDeadLetterQueue]) {
      const dimensions = [{ Name: "QueueName", Value: { "Fn::GetAtt": [id(queue), "QueueName"] } }];
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: dimensions,
        Threshold: 1,
      });
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        MetricName: "ApproximateAgeOfOldestMessage",
        Dimensions: dimensions,
        Threshold: 86_400,
      });
    }
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "ApproximateAgeOfOldestMessage",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [id(billing.queue), "QueueName"] } }],
      Threshold: 300,
    });
    const consumer = billing.consumerFunction?.function;
    if (!consumer) throw new Error("consumer missing");
    for (const metric of ["Errors", "Throttles"]) {
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "AWS/Lambda",
        MetricName: metric,
        Dimensions: [{ Name: "FunctionName", Value: { Ref: id(consumer) } }],
        Statistic: "Sum",
        Threshold: 1,
      });
    }
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/SNS",
      MetricName: "NumberOfNotificationsFailed",
      Dimensions: [{ Name: "TopicName", Value: { "Fn::GetAtt": [id(fanout.topic as Topic), "TopicName"] } }],
      Statistic: "Sum",
      Threshold: 1,
    });
    for (const [, alarm] of byType(template, "AWS::CloudWatch::Alarm")) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
  });

  it("lets only its topic send to each subscriber queue (SEC-02: aws:SourceArn)", () => {
    const [[topicId]] = byType(template, "AWS::SNS::Topic") as [[string, Resource]];
    const billing = fanout.subscribers.billing;
    if (!billing) throw new Error("billing missing");
    const queueId = stack.getLogicalId(billing.queue.node.defaultChild as CfnElement);
    const policies = byType(template, "AWS::SQS::QueuePolicy").filter(([, p]) =>
      JSON.stringify(p.Properties.Queues).includes(queueId),
    );
    expect(policies).toHaveLength(1);
    const [policy] = policies;
    if (!policy) throw new Error("no queue policy");
    const statements = (policy[1].Properties.PolicyDocument as { Statement: Record<string, unknown>[] })
      .Statement;
    const allows = statements.filter((st) => st.Effect === "Allow");
    expect(allows).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "sns.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: { "Fn::GetAtt": [queueId, "Arn"] },
        Condition: { ArnEquals: { "aws:SourceArn": { Ref: topicId } } },
      },
    ]);
    // Everything else is a Deny (TLS only).
    expect(statements.filter((st) => st.Effect !== "Allow").map((st) => st.Effect)).toEqual(["Deny"]);
  });

  it("exposes every created resource", () => {
    const billing = fanout.subscribers.billing;
    expect(billing).toBeDefined();
    // Each exposed construct is the one in the template (a resource of the right type under its ID).
    const inTemplate = (construct: { node: { defaultChild?: unknown } } | undefined) =>
      (template.toJSON().Resources[stack.getLogicalId(construct?.node.defaultChild as never)] as Resource)
        ?.Type;
    expect(inTemplate(fanout.topicKey)).toBe("AWS::KMS::Key");
    expect(inTemplate(billing?.consumerFunction?.function)).toBe("AWS::Lambda::Function");
    expect(inTemplate(billing?.consumerFunction?.logGroup as never)).toBe("AWS::Logs::LogGroup");
    expect(inTemplate(billing?.alarms.oldestMessageAge)).toBe("AWS::CloudWatch::Alarm");
    const mapping = stack.resolve(billing?.eventSource.eventSourceMappingId) as { Ref: string };
    expect((template.toJSON().Resources[mapping.Ref] as Resource).Type).toBe(
      "AWS::Lambda::EventSourceMapping",
    );
  });
});

describe("KMS keys", () => {
  const { template } = synth({
    subscribers: [subscriber(), subscriber({ id: "audit" })],
  });
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const [[topicId, topic]] = byType(template, "AWS::SNS::Topic") as [[string, Resource]];
  const topicKey = logicalId(topic.Properties.KmsMasterKeyId);

  const snsStatements = (keyId: string) =>
    (
      (resources[keyId]?.Properties.KeyPolicy as { Statement?: Record<string, unknown>[] } | undefined)
        ?.Statement ?? []
    ).filter((s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: "sns.amazonaws.com" }));

  it("never shares a key between the topic and any queue (IAC-07)", () => {
    for (const [, queue] of byType(template, "AWS::SQS::Queue")) {
      expect(logicalId(queue.Properties.KmsMasterKeyId)).not.toBe(topicKey);
    }
    template.resourceCountIs("AWS::KMS::Key", 3);
  });

  it("grants SNS, for this topic only, on the keys of subscribed queues and subscription DLQs (IAC-05)", () => {
    for (const [, subscription] of byType(template, "AWS::SNS::Subscription")) {
      const queueId = logicalId(subscription.Properties.Endpoint);
      const dlqId = logicalId(
        (subscription.Properties.RedrivePolicy as { deadLetterTargetArn: unknown }).deadLetterTargetArn,
      );
      for (const id of [queueId, dlqId]) {
        const keyId = logicalId(resources[id]?.Properties.KmsMasterKeyId);
        const statements = snsStatements(keyId);
        expect(statements.length).toBeGreaterThan(0);
        for (const statement of statements) {
          expect(statement.Action).toEqual(expect.arrayContaining(["kms:GenerateDataKey", "kms:Decrypt"]));
          expect(statement.Condition).toEqual({ ArnEquals: { "aws:SourceArn": { Ref: topicId } } });
        }
      }
    }
  });

  it("retains keys by default and honours keyRemovalPolicy", () => {
    template.allResources("AWS::KMS::Key", { DeletionPolicy: "Retain" });
    synth({ keyRemovalPolicy: RemovalPolicy.DESTROY }).template.allResources("AWS::KMS::Key", {
      DeletionPolicy: "Delete",
    });
  });
});

describe("SnsSqsFanout with every prop set", () => {
  it("builds a FIFO fan-out with filters, tuning, alarm actions and an existing consumer", () => {
    const { template, fanout } = synth({}, (stack) => {
      const existing = new LambdaFunction(stack, "Existing", {
        runtime: LAMBDA_RUNTIME,
        architecture: LAMBDA_ARCHITECTURE,
        handler: "index.handler",
        code: Code.fromInline("exports.handler = async () => ({ batchItemFailures: [] })"),
        timeout: Duration.seconds(10),
      });
      return {
        topicProps: { fifo: true, contentBasedDeduplication: true, displayName: "Orders" },
        alarmTopic: new Topic(stack, "Alarms"),
        logRetention: RetentionDays.ONE_WEEK,
        keyRemovalPolicy: RemovalPolicy.DESTROY,
        subscribers: [
          {
            id: "billing",
            consumer: {
              entry: NOOP_HANDLER,
              timeout: Duration.seconds(20),
              memorySize: 512,
              environment: { EXTRA: "1" },
              reservedConcurrentExecutions: 5,
            },
            filterPolicy: { type: SubscriptionFilter.stringFilter({ allowlist: ["order.created"] }) },
            rawMessageDelivery: true,
            fifo: true,
            maxReceiveCount: 3,
            visibilityTimeout: Duration.minutes(3),
            retentionPeriod: Duration.days(2),
            deadLetterRetentionPeriod: Duration.days(7),
            batchSize: 5,
            maxConcurrency: 4,
            messageAgeAlarmThreshold: Duration.minutes(2),
            deadLetterAgeAlarmThreshold: Duration.days(3),
            maxMessageSizeBytes: 131_072,
          },
          {
            id: "shipping",
            consumer: { function: existing, timeout: Duration.seconds(10) },
            filterPolicyWithMessageBody: {
              data: FilterOrPolicy.policy({
                status: FilterOrPolicy.filter(SubscriptionFilter.stringFilter({ allowlist: ["paid"] })),
              }),
            },
          },
        ],
      };
    });
    template.hasResourceProperties("AWS::SNS::Topic", {
      FifoTopic: true,
      ContentBasedDeduplication: true,
      DisplayName: "Orders",
    });
    template.allResourcesProperties("AWS::SQS::Queue", { FifoQueue: true });
    template.hasResourceProperties("AWS::SQS::Queue", {
      VisibilityTimeout: 180,
      MessageRetentionPeriod: 2 * 86400,
      RedrivePolicy: { maxReceiveCount: 3, deadLetterTargetArn: Match.anyValue() },
    });
    template.hasResourceProperties("AWS::SQS::Queue", { VisibilityTimeout: 60 });
    template.hasResourceProperties("AWS::SQS::Queue", {
      VisibilityTimeout: 180,
      MaximumMessageSize: 131_072,
    });
    template.hasResourceProperties("AWS::SQS::Queue", {
      VisibilityTimeout: 60,
      MaximumMessageSize: 1_040_384,
    });
    template.resourcePropertiesCountIs("AWS::SQS::Queue", { MessageRetentionPeriod: 7 * 86400 }, 2);
    template.hasResourceProperties("AWS::SNS::Subscription", {
      RawMessageDelivery: true,
      FilterPolicy: { type: ["order.created"] },
    });
    template.hasResourceProperties("AWS::SNS::Subscription", {
      RawMessageDelivery: false,
      FilterPolicyScope: "MessageBody",
      FilterPolicy: { data: { status: ["paid"] } },
    });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Timeout: 20,
      MemorySize: 512,
      ReservedConcurrentExecutions: 5,
      Environment: {
        Variables: Match.objectLike({
          EXTRA: "1",
          RAW_MESSAGE_DELIVERY: "true",
          IDEMPOTENCY_EXPIRES_AFTER_SECONDS: String((2 + 7) * 86_400),
        }),
      },
    });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Timeout: 10,
      Environment: {
        Variables: Match.objectLike({
          RAW_MESSAGE_DELIVERY: "false",
          DLQ_URL: Match.anyValue(),
          IDEMPOTENCY_EXPIRES_AFTER_SECONDS: String((4 + 14) * 86_400),
        }),
      },
    });
    template.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 7 });
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      BatchSize: 5,
      ScalingConfig: { MaximumConcurrency: 4 },
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "ApproximateAgeOfOldestMessage",
      Threshold: 120,
    });
    // 7 per subscriber (2 DLQ depths, 2 DLQ ages, queue age, consumer errors and throttles) + the topic's.
    template.resourceCountIs("AWS::CloudWatch::Alarm", 15);
    template.allResourcesProperties("AWS::CloudWatch::Alarm", {
      AlarmActions: [Match.anyValue()],
      OKActions: [Match.anyValue()],
    });
    template.resourcePropertiesCountIs("AWS::CloudWatch::Alarm", { Threshold: 3 * 86_400 }, 2);
    expect(fanout.subscribers.shipping?.consumerFunction).toBeUndefined();
  });

  it("uses an existing topic without creating a topic or a topic key", () => {
    const { template, fanout } = synth({}, (stack) => ({ topic: new Topic(stack, "Existing") }));
    template.resourceCountIs("AWS::SNS::Topic", 1);
    expect(fanout.topicKey).toBeUndefined();
    template.resourceCountIs("AWS::KMS::Key", 1);
  });

  it("derives the visibility timeout from an existing function's own timeout", () => {
    const { template } = synth({}, (stack) => ({
      subscribers: [
        {
          id: "billing",
          consumer: {
            function: new LambdaFunction(stack, "Slow", {
              runtime: LAMBDA_RUNTIME,
              handler: "index.handler",
              code: Code.fromInline("exports.handler = async () => ({ batchItemFailures: [] })"),
              timeout: Duration.minutes(5),
            }),
          },
        },
      ],
    }));
    template.hasResourceProperties("AWS::SQS::Queue", {
      VisibilityTimeout: 1800,
      RedrivePolicy: Match.anyValue(),
    });
  });

  it("warns which variables to set on an imported consumer it cannot configure", () => {
    const { stack } = synth({}, (s) => ({
      subscribers: [
        {
          id: "billing",
          consumer: {
            function: LambdaFunction.fromFunctionAttributes(s, "Imported", {
              functionArn: `arn:${s.partition}:lambda:${s.region}:${s.account}:function:x`,
              role: Role.fromRoleArn(s, "ImportedRole", `arn:${s.partition}:iam::${s.account}:role/x`),
              sameEnvironment: true,
            }),
            timeout: Duration.seconds(30),
          },
        },
      ],
    }));
    Annotations.fromStack(stack).hasWarning(
      "/Test/Fanout/billing",
      Match.stringLikeRegexp("set DLQ_URL, RAW_MESSAGE_DELIVERY"),
    );
  });

  it("sets a batching window on a standard queue", () => {
    synth({
      subscribers: [subscriber({ batchSize: 100, maxBatchingWindow: Duration.seconds(5) })],
    }).template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 5,
    });
  });
});

describe("validation", () => {
  const cases: [
    string,
    string,
    Partial<SnsSqsFanoutProps> | ((stack: Stack) => Partial<SnsSqsFanoutProps>),
  ][] = [
    [
      "topic-source",
      "both `topic` and `topicProps` are set",
      (s) => ({ topic: new Topic(s, "T"), topicProps: {} }),
    ],
    ["subscribers", "no subscribers", { subscribers: [] }],
    ["subscribers", "subscriber id 'a b' is invalid", { subscribers: [subscriber({ id: "a b" })] }],
    ["subscribers", "is used twice", { subscribers: [subscriber(), subscriber()] }],
    ["consumer-source", "exactly one of `entry`", { subscribers: [subscriber({ consumer: {} })] }],
    [
      "visibility-timeout",
      "allowed: ≥ 6 × consumer timeout (30 s) = 180 s",
      { subscribers: [subscriber({ visibilityTimeout: Duration.seconds(60) })] },
    ],
    [
      "visibility-timeout",
      "allowed: ≤ 43200 s",
      { subscribers: [subscriber({ visibilityTimeout: Duration.hours(13) })] },
    ],
    [
      "fifo-consistency",
      "fifo is true but the topic is standard",
      { subscribers: [subscriber({ fifo: true })] },
    ],
    [
      "fifo-consistency",
      "contentBasedDeduplication is set on a standard topic",
      { topicProps: { contentBasedDeduplication: true } },
    ],
    [
      "batch-size",
      "batchSize (FIFO queue) is 11; allowed: an integer from 1 to 10",
      { topicProps: { fifo: true }, subscribers: [subscriber({ batchSize: 11 })] },
    ],
    [
      "batch-size",
      "allowed: > 10 only with maxBatchingWindow",
      { subscribers: [subscriber({ batchSize: 50 })] },
    ],
    [
      "batching-window",
      "maxBatchingWindow is set on a FIFO queue",
      { topicProps: { fifo: true }, subscribers: [subscriber({ maxBatchingWindow: Duration.seconds(1) })] },
    ],
    [
      "batching-window",
      "allowed: 0 to 300 s",
      { subscribers: [subscriber({ maxBatchingWindow: Duration.seconds(301) })] },
    ],
    [
      "max-concurrency",
      "maxConcurrency is 1; allowed: an integer from 2 to 1000",
      { subscribers: [subscriber({ maxConcurrency: 1 })] },
    ],
    ["max-receive-count", "maxReceiveCount is 0", { subscribers: [subscriber({ maxReceiveCount: 0 })] }],
    [
      "filter-policy-scope",
      "one filter scope per subscription",
      {
        subscribers: [
          subscriber({
            filterPolicy: { type: SubscriptionFilter.stringFilter({ allowlist: ["a"] }) },
            filterPolicyWithMessageBody: { type: FilterOrPolicy.filter(SubscriptionFilter.existsFilter()) },
          }),
        ],
      },
    ],
    [
      "filter-policy-scope",
      "6 top-level keys; allowed: at most 5",
      {
        subscribers: [
          subscriber({
            filterPolicy: Object.fromEntries(
              ["a", "b", "c", "d", "e", "f"].map((k) => [k, SubscriptionFilter.existsFilter()]),
            ),
          }),
        ],
      },
    ],
    [
      "retention",
      "must exceed retentionPeriod",
      {
        subscribers: [
          subscriber({ retentionPeriod: Duration.days(5), deadLetterRetentionPeriod: Duration.days(5) }),
        ],
      },
    ],
    [
      "retention",
      "retentionPeriod is 30 s; allowed: 60 s to 1209600 s",
      { subscribers: [subscriber({ retentionPeriod: Duration.seconds(30) })] },
    ],
    [
      "message-age-alarm",
      "deadLetterAgeAlarmThreshold is 1209600 s; allowed: more than 0 and less than deadLetterRetentionPeriod (1209600 s)",
      { subscribers: [subscriber({ deadLetterAgeAlarmThreshold: Duration.days(14) })] },
    ],
    [
      "message-size",
      "maxMessageSizeBytes is 1040385; allowed: an integer from 1024 to 1040384",
      { subscribers: [subscriber({ maxMessageSizeBytes: 1_040_385 })] },
    ],
    [
      "message-size",
      "maxMessageSizeBytes is 1023",
      { subscribers: [subscriber({ maxMessageSizeBytes: 1_023 })] },
    ],
    [
      "message-age-alarm",
      "messageAgeAlarmThreshold is 432000 s",
      { subscribers: [subscriber({ messageAgeAlarmThreshold: Duration.days(5) })] },
    ],
  ];

  it.each(cases)("fails [%s] when %s", (rule, message, props) => {
    const run = typeof props === "function" ? () => synth({}, props) : build(props);
    const failures = validationFailures(run);
    expect(failures.map((f) => [f.rule, f.path])).toEqual([[rule, "Test/Fanout"]]);
    expect(failures[0]?.message).toContain(message);
  });

  it("reports every failure at once, each with its rule, the construct path and the subscriber", () => {
    const failures = validationFailures(
      build({
        subscribers: [
          subscriber({ maxReceiveCount: 0, maxConcurrency: 1, visibilityTimeout: Duration.seconds(1) }),
        ],
      }),
    );
    expect(failures.map((f) => f.rule)).toEqual([
      "visibility-timeout",
      "max-concurrency",
      "max-receive-count",
    ]);
    for (const failure of failures) {
      expect(failure.path).toBe("Test/Fanout");
      expect(failure.message.startsWith("subscriber 'billing': ")).toBe(true);
    }
  });

  it("keeps the message a person reads: the path, then one '[rule] message' line per failure", () => {
    let error: unknown;
    try {
      synth({ subscribers: [subscriber({ maxReceiveCount: 0, maxConcurrency: 1 })] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PatternValidationError);
    const { message, failures, name } = error as PatternValidationError;
    expect(name).toBe("PatternValidationError");
    expect(message).toBe(
      `Invalid props for Test/Fanout:\n${failures.map((f) => `  - [${f.rule}] ${f.message}`).join("\n")}`,
    );
  });

  it("accepts the boundary values", () => {
    expect(
      build({
        subscribers: [
          subscriber({
            visibilityTimeout: Duration.seconds(180),
            maxConcurrency: 2,
            maxReceiveCount: 1,
            batchSize: 10_000,
            maxBatchingWindow: Duration.seconds(300),
            maxMessageSizeBytes: 1_040_384,
          }),
        ],
      }),
    ).not.toThrow();
  });
});

describe("why each subscriber has its own customer-managed key (IAC-06)", () => {
  it("CDK refuses to subscribe a queue encrypted with the AWS-managed alias/aws/sqs key to SNS", () => {
    const stack = new Stack(createTestApp(), "Managed");
    const queue = new Queue(stack, "Queue", { encryption: QueueEncryption.KMS_MANAGED });
    const topic = new Topic(stack, "Topic");
    expect(() => topic.addSubscription(new SqsSubscription(queue))).toThrow(
      /alias\/aws\/sqs|KMS_MANAGED|managed/i,
    );
  });
});
