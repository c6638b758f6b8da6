import { type CfnElement, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { Schedule } from "aws-cdk-lib/aws-events";
import { Code, Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { Topic } from "aws-cdk-lib/aws-sns";
import { describe, expect, it } from "vitest";
import { LAMBDA_RUNTIME } from "../../patterns/shared/runtime.js";
import {
  RedrivableQueue,
  type RedrivableQueueProps,
} from "../../patterns/sqs-dlq-redrive/sqs-dlq-redrive.js";
import { createTestApp, NOOP_HANDLER } from "../helpers/app.js";
import { validationFailures } from "../helpers/validation.js";

type Resource = { Type: string; Properties: Record<string, unknown> };

function synth(
  props: Partial<RedrivableQueueProps> = {},
  extra?: (stack: Stack) => Partial<RedrivableQueueProps>,
) {
  const stack = new Stack(createTestApp(), "Test", { env: { account: "123456789012", region: "eu-west-1" } });
  const construct = new RedrivableQueue(stack, "Jobs", {
    consumer: { entry: NOOP_HANDLER },
    ...props,
    ...extra?.(stack),
  });
  return { stack, construct, template: Template.fromStack(stack) };
}

const resources = (template: Template, type: string) =>
  Object.entries(template.findResources(type) as Record<string, Resource>);

/** The work queue, its DLQ and the redrive function's failure queue, found by the construct's IDs. */
function queues(template: Template, stack: Stack, construct: RedrivableQueue) {
  const all = template.toJSON().Resources as Record<string, Resource>;
  const id = (queue: { node: { defaultChild?: unknown } } | undefined) =>
    queue ? stack.getLogicalId(queue.node.defaultChild as CfnElement) : "";
  const props = (logicalId: string) => all[logicalId]?.Properties ?? {};
  const [workId, dlqId, failureId] = [
    id(construct.queue),
    id(construct.deadLetterQueue),
    id(construct.redriveFailureQueue),
  ];
  return { work: props(workId), workId, dlq: props(dlqId), dlqId, failure: props(failureId), failureId };
}

function functionEnv(template: Template, description: RegExp) {
  const fn = resources(template, "AWS::Lambda::Function").find(([, r]) =>
    description.test(String(r.Properties.Description)),
  );
  if (!fn) throw new Error(`no function ${description}`);
  return fn[1].Properties as { Environment: { Variables: Record<string, unknown> }; Timeout: number };
}

describe("RedrivableQueue with defaults", () => {
  const { template, construct, stack } = synth();
  const { work, dlq, dlqId, failure, failureId } = queues(template, stack, construct);

  it("creates a standard queue, its DLQ and the redrive failure queue with one customer-managed key, TLS only", () => {
    template.resourceCountIs("AWS::SQS::Queue", 3);
    template.resourceCountIs("AWS::KMS::Key", 1);
    template.hasResourceProperties("AWS::KMS::Key", { EnableKeyRotation: true });
    expect(work.KmsMasterKeyId).toEqual(dlq.KmsMasterKeyId);
    expect(failure.KmsMasterKeyId).toEqual(dlq.KmsMasterKeyId);
    expect(work.FifoQueue).toBeUndefined();
    for (const policy of resources(template, "AWS::SQS::QueuePolicy")) {
      expect(JSON.stringify(policy[1].Properties)).toContain('"aws:SecureTransport":"false"');
    }
    expect(resources(template, "AWS::SQS::QueuePolicy")).toHaveLength(3);
  });

  it("gives the asynchronously invoked redrive function an encrypted on-failure destination, no retries, 1 h max age (ASY-01/02)", () => {
    const redriveId = stack.getLogicalId(construct.redriveFunction?.function.node.defaultChild as CfnElement);
    const [config, ...others] = resources(template, "AWS::Lambda::EventInvokeConfig");
    expect(others).toEqual([]);
    expect(config?.[1].Properties).toEqual({
      FunctionName: { Ref: redriveId },
      Qualifier: "$LATEST",
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": [failureId, "Arn"] } } },
    });
    expect(failure.MessageRetentionPeriod).toBe(1_209_600);
    expect(failure.MaximumMessageSize).toBe(1_048_576);
    // The function's role may send there (Lambda sends the failure record with it), nothing broader.
    const redriveRole = construct.redriveFunction?.role;
    const policy = resources(template, "AWS::IAM::Policy").find(([, p]) =>
      JSON.stringify(p.Properties.Roles).includes(
        stack.getLogicalId(redriveRole?.node.defaultChild as CfnElement),
      ),
    );
    if (!policy) throw new Error("no policy for the redrive role");
    const statements = (
      policy[1].Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }
    ).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: "sqs:SendMessage", Resource: { "Fn::GetAtt": [failureId, "Arn"] } }),
    );
    expect(JSON.stringify(statements)).not.toMatch(/kms:[A-Za-z]*\*/);
  });

  it("moves a message to the DLQ after 5 receives; visibility 6 × 30 s; retention 4 days, DLQ 14 days", () => {
    expect(work.RedrivePolicy).toEqual({
      deadLetterTargetArn: { "Fn::GetAtt": [dlqId, "Arn"] },
      maxReceiveCount: 5,
    });
    expect(work.VisibilityTimeout).toBe(180);
    expect(work.MessageRetentionPeriod).toBe(345_600);
    expect(dlq.MessageRetentionPeriod).toBe(1_209_600);
  });

  it("limits the queue to 256 KiB and gives the DLQ SQS's 1 MiB, so a DLQ copy with its reason fits", () => {
    expect(work.MaximumMessageSize).toBe(262_144);
    expect(dlq.MaximumMessageSize).toBe(1_048_576);
  });

  it("lets only the work queue redrive into the DLQ (RedriveAllowPolicy byQueue, by name: no cycle) (IAC-08)", () => {
    const name = String(work.QueueName);
    expect(name).toMatch(/^Test-Jobs[A-Za-z0-9-]*$/);
    expect(name.length).toBeLessThanOrEqual(80);
    expect(dlq.RedriveAllowPolicy).toEqual({
      redrivePermission: "byQueue",
      sourceQueueArns: [`arn:aws:sqs:eu-west-1:123456789012:${name}`],
    });
  });

  it("wires the consumer with partial batch responses and the retry configuration", () => {
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      BatchSize: 10,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    const env = functionEnv(template, /Consumes the redrivable queue/).Environment.Variables;
    expect(env).toMatchObject({
      MAX_RECEIVE_COUNT: "5",
      BACKOFF_BASE_SECONDS: "2",
      BACKOFF_MAX_SECONDS: "900",
      // Queue retention + DLQ retention: a redrive within the DLQ's retention is never applied twice.
      IDEMPOTENCY_EXPIRES_AFTER_SECONDS: String((4 + 14) * 86_400),
    });
    expect(env.QUEUE_URL).toBeDefined();
    expect(env.DLQ_URL).toBeDefined();
  });

  it("lets the consumer send to the DLQ and change visibility on the queue (the backoff)", () => {
    const policies = JSON.stringify(resources(template, "AWS::IAM::Policy").map(([, p]) => p.Properties));
    expect(policies).toContain("sqs:ChangeMessageVisibility");
    expect(policies).toContain("sqs:SendMessage");
  });

  it("creates an unscheduled redrive function that may run move tasks on the DLQ", () => {
    expect(construct.redriveFunction).toBeDefined();
    expect(construct.redriveSchedule).toBeUndefined();
    template.resourceCountIs("AWS::Events::Rule", 0);
    const redrive = functionEnv(template, /Redrives the DLQ/);
    expect(redrive.Timeout).toBe(300);
    expect(redrive.Environment.Variables.REDRIVE_RATE_PER_SECOND).toBeUndefined();
    const statements = resources(template, "AWS::IAM::Policy").flatMap(
      ([, p]) =>
        (p.Properties.PolicyDocument as { Statement: { Action: string[]; Resource: unknown }[] }).Statement,
    );
    const dlqArn = JSON.stringify({ "Fn::GetAtt": [dlqId, "Arn"] });
    const onDlq = statements.filter((st) => JSON.stringify(st.Resource) === dlqArn);
    expect(onDlq.flatMap((st) => st.Action)).toEqual(
      expect.arrayContaining([
        "sqs:StartMessageMoveTask",
        "sqs:ListMessageMoveTasks",
        "sqs:CancelMessageMoveTask",
      ]),
    );
  });

  it("alarms on DLQ depth, DLQ age (1 day), queue age (5 minutes), consumer errors and throttles and redrive failures, without actions", () => {
    template.resourceCountIs("AWS::CloudWatch::Alarm", 6);
    const consumerId = stack.getLogicalId(
      construct.consumerFunction?.function.node.defaultChild as CfnElement,
    );
    for (const metric of ["Errors", "Throttles"]) {
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "AWS/Lambda",
        MetricName: metric,
        Dimensions: [{ Name: "FunctionName", Value: { Ref: consumerId } }],
        Statistic: "Sum",
        Threshold: 1,
      });
    }
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [failureId, "QueueName"] } }],
      Threshold: 1,
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "ApproximateNumberOfMessagesVisible",
      Threshold: 1,
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "ApproximateAgeOfOldestMessage",
      Threshold: 86_400,
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "ApproximateAgeOfOldestMessage",
      Threshold: 300,
    });
    for (const [, alarm] of resources(template, "AWS::CloudWatch::Alarm")) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
  });

  it("gives every function the project runtime and an explicit log group", () => {
    for (const [, fn] of resources(template, "AWS::Lambda::Function")) {
      expect(fn.Properties.Runtime).toBe(LAMBDA_RUNTIME.name);
    }
    template.resourceCountIs("AWS::Logs::LogGroup", 2);
  });
});

describe("RedrivableQueue with every prop set", () => {
  const { template, construct, stack } = synth({}, (stack) => ({
    consumer: {
      entry: NOOP_HANDLER,
      timeout: Duration.seconds(60),
      memorySize: 512,
      environment: { EXTRA: "1" },
      reservedConcurrentExecutions: 5,
    },
    fifo: true,
    contentBasedDeduplication: true,
    maxReceiveCount: 7,
    visibilityTimeout: Duration.seconds(600),
    retentionPeriod: Duration.days(2),
    deadLetterRetentionPeriod: Duration.days(10),
    batchSize: 5,
    maxConcurrency: 4,
    maxMessageSizeBytes: 1_040_384,
    backoff: { base: Duration.seconds(3), max: Duration.minutes(2) },
    redrive: {
      schedule: Schedule.rate(Duration.hours(1)),
      ratePerSecond: 100,
      timeout: Duration.minutes(10),
      retryAttempts: 1,
      maxEventAge: Duration.hours(2),
    },
    messageAgeAlarmThreshold: Duration.minutes(10),
    deadLetterAgeAlarmThreshold: Duration.days(2),
    alarmTopic: new Topic(stack, "Alarms"),
    logRetention: RetentionDays.ONE_WEEK,
    keyRemovalPolicy: RemovalPolicy.DESTROY,
  }));
  const { work, dlq, failure } = queues(template, stack, construct);

  it("keeps the redrive failure queue standard: Lambda's on-failure destinations take no FIFO queue", () => {
    expect(failure.FifoQueue).toBeUndefined();
    expect(failure.KmsMasterKeyId).toEqual(dlq.KmsMasterKeyId);
  });

  it("makes both queues FIFO with content-based deduplication on the work queue", () => {
    expect(work).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: true, VisibilityTimeout: 600 });
    expect(String(work.QueueName)).toMatch(/\.fifo$/);
    expect(dlq.FifoQueue).toBe(true);
    expect((work.RedrivePolicy as { maxReceiveCount: number }).maxReceiveCount).toBe(7);
    expect(work.MessageRetentionPeriod).toBe(172_800);
    expect(dlq.MessageRetentionPeriod).toBe(864_000);
    expect(work.MaximumMessageSize).toBe(1_040_384);
    expect(dlq.MaximumMessageSize).toBe(1_048_576);
  });

  it("applies the consumer, event source and backoff settings", () => {
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      BatchSize: 5,
      ScalingConfig: { MaximumConcurrency: 4 },
    });
    const consumer = functionEnv(template, /Consumes the redrivable queue/) as unknown as {
      Environment: { Variables: Record<string, unknown> };
      Timeout: number;
      MemorySize: number;
      ReservedConcurrentExecutions: number;
    };
    expect(consumer).toMatchObject({ Timeout: 60, MemorySize: 512, ReservedConcurrentExecutions: 5 });
    expect(consumer.Environment.Variables).toMatchObject({
      EXTRA: "1",
      MAX_RECEIVE_COUNT: "7",
      BACKOFF_BASE_SECONDS: "3",
      BACKOFF_MAX_SECONDS: "120",
      IDEMPOTENCY_EXPIRES_AFTER_SECONDS: String((2 + 10) * 86_400),
    });
  });

  it("schedules the redrive function with its rate and timeout", () => {
    expect(construct.redriveSchedule).toBeDefined();
    template.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(1 hour)" });
    const redrive = functionEnv(template, /Redrives the DLQ/);
    expect(redrive.Timeout).toBe(600);
    expect(redrive.Environment.Variables.REDRIVE_RATE_PER_SECOND).toBe("100");
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 7200,
    });
  });

  it("sets alarm thresholds and actions, log retention and the key removal policy", () => {
    template.hasResourceProperties("AWS::CloudWatch::Alarm", { Threshold: 600 });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", { Threshold: 172_800 });
    const alarms = resources(template, "AWS::CloudWatch::Alarm");
    expect(alarms).toHaveLength(6);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
      expect(alarm.Properties.OKActions).toEqual(alarm.Properties.AlarmActions);
    }
    template.allResourcesProperties("AWS::Logs::LogGroup", { RetentionInDays: 7 });
    template.hasResource("AWS::KMS::Key", { DeletionPolicy: "Delete" });
  });
});

describe("RedrivableQueue options", () => {
  it("accepts an existing function and gives it the queue settings", () => {
    const { template } = synth({}, (stack) => ({
      consumer: {
        function: new LambdaFunction(stack, "Existing", {
          runtime: LAMBDA_RUNTIME,
          handler: "index.handler",
          code: Code.fromInline("exports.handler = async () => ({ batchItemFailures: [] })"),
        }),
      },
    }));
    template.resourceCountIs("AWS::Lambda::EventSourceMapping", 1);
    template.hasResourceProperties("AWS::Lambda::Function", {
      Handler: "index.handler",
      Environment: {
        Variables: Match.objectLike({
          MAX_RECEIVE_COUNT: "5",
          IDEMPOTENCY_EXPIRES_AFTER_SECONDS: String(18 * 86_400),
        }),
      },
    });
  });

  it("omits the redrive function when redrive.enabled is false", () => {
    const { construct, template } = synth({ redrive: { enabled: false } });
    expect(construct.redriveFunction).toBeUndefined();
    expect(construct.redriveFailureQueue).toBeUndefined();
    template.resourceCountIs("AWS::Lambda::Function", 1);
    template.resourceCountIs("AWS::SQS::Queue", 2);
    template.resourceCountIs("AWS::Lambda::EventInvokeConfig", 0);
    template.resourceCountIs("AWS::CloudWatch::Alarm", 5);
  });

  it("grantSend gives a producer SendMessage on the queue and the key actions, nothing more", () => {
    const stack = new Stack(createTestApp(), "Grant");
    const jobs = new RedrivableQueue(stack, "Jobs", { consumer: { entry: NOOP_HANDLER } });
    const producer = new LambdaFunction(stack, "Producer", {
      runtime: LAMBDA_RUNTIME,
      handler: "index.handler",
      code: Code.fromInline("exports.handler = async () => ({})"),
    });
    jobs.grantSend(producer);
    const template = Template.fromStack(stack);
    const producerRole = (stack.getLogicalId(producer.role?.node.defaultChild as never) as string) ?? "";
    const policy = resources(template, "AWS::IAM::Policy").find(([, p]) =>
      JSON.stringify(p.Properties.Roles).includes(producerRole),
    );
    const actions = JSON.stringify(policy?.[1].Properties.PolicyDocument);
    expect(actions).toContain("sqs:SendMessage");
    expect(actions).toContain("kms:GenerateDataKey");
    expect(actions).not.toContain("sqs:ReceiveMessage");
    expect(actions).not.toContain("kms:ReEncrypt");
  });
});

describe("RedrivableQueue validation (one rule each; every failure reported)", () => {
  /** The props fail exactly `rule`, with a message saying what is allowed. */
  const fails = (props: Partial<RedrivableQueueProps>, rule: string, message: RegExp) => {
    const failures = validationFailures(() => synth(props));
    expect(failures.map((f) => [f.rule, f.path])).toEqual([[rule, "Test/Jobs"]]);
    expect(failures[0]?.message).toMatch(message);
  };

  it("fails without a consumer entry or function, or with both", () => {
    fails({ consumer: {} }, "consumer-source", /exactly one of `entry`/);
  });
  it("fails when the visibility timeout is below 6 × the consumer timeout (IAC-02)", () => {
    fails(
      { visibilityTimeout: Duration.seconds(179) },
      "visibility-timeout",
      /allowed: ≥ 6 × consumer timeout \(30 s\) = 180 s/,
    );
  });
  it("fails when the visibility timeout exceeds 12 hours", () => {
    fails({ visibilityTimeout: Duration.hours(13) }, "visibility-timeout", /≤ 43200 s/);
  });
  it("fails when content-based deduplication is set on a standard queue", () => {
    fails({ contentBasedDeduplication: true }, "fifo-consistency", /only with fifo: true/);
  });
  it("fails when the batch size is out of range for FIFO", () => {
    fails({ fifo: true, batchSize: 11 }, "batch-size", /from 1 to 10/);
  });
  it("fails when a batch over 10 has no batching window", () => {
    fails({ batchSize: 100 }, "batch-size", /maxBatchingWindow ≥ 1 s/);
  });
  it("fails when a batching window is set on FIFO", () => {
    fails(
      { fifo: true, maxBatchingWindow: Duration.seconds(5) },
      "batching-window",
      /only on standard queues/,
    );
  });
  it("fails when maxConcurrency is below 2", () => {
    fails({ maxConcurrency: 1 }, "max-concurrency", /from 2 to 1000/);
  });
  it("fails when maxReceiveCount is 0", () => {
    fails({ maxReceiveCount: 0 }, "max-receive-count", /from 1 to 1000/);
  });
  it("fails when the DLQ retention does not exceed the queue's", () => {
    fails(
      { retentionPeriod: Duration.days(7), deadLetterRetentionPeriod: Duration.days(7) },
      "retention",
      /must exceed retentionPeriod/,
    );
  });
  it("fails when the queue's message size leaves the DLQ no room for the reason attributes", () => {
    fails({ maxMessageSizeBytes: 1_048_576 }, "message-size", /allowed: an integer from 1024 to 1040384/);
  });
  it("fails when backoff.max is below backoff.base", () => {
    fails(
      { backoff: { base: Duration.seconds(10), max: Duration.seconds(5) } },
      "backoff",
      /allowed: max ≥ base/,
    );
  });
  it("fails when the redrive rate exceeds StartMessageMoveTask's 500/s", () => {
    fails({ redrive: { ratePerSecond: 501 } }, "redrive", /allowed: 1 to 500/);
  });
  it("fails when the redrive function's async retries exceed Lambda's 2", () => {
    fails(
      { redrive: { retryAttempts: 3 } },
      "redrive",
      /redrive.retryAttempts is 3; allowed: an integer from 0 to 2/,
    );
  });
  it("fails when the redrive function's max event age is outside 60 s to 6 hours", () => {
    fails({ redrive: { maxEventAge: Duration.hours(7) } }, "redrive", /allowed: 60 s to 21600 s/);
  });
  it("fails when a redrive schedule is set without the function", () => {
    fails(
      { redrive: { enabled: false, schedule: Schedule.rate(Duration.hours(1)) } },
      "redrive",
      /a schedule only with the function/,
    );
  });
  it("fails when the DLQ age alarm threshold is not below the DLQ retention", () => {
    fails(
      { deadLetterAgeAlarmThreshold: Duration.days(14) },
      "alarm-thresholds",
      /less than deadLetterRetentionPeriod/,
    );
  });
  it("reports every failure in one error with the construct path", () => {
    const failures = validationFailures(() =>
      synth({ maxReceiveCount: 0, maxConcurrency: 1, contentBasedDeduplication: true }),
    );
    expect(failures.map((f) => [f.rule, f.path])).toEqual([
      ["fifo-consistency", "Test/Jobs"],
      ["max-concurrency", "Test/Jobs"],
      ["max-receive-count", "Test/Jobs"],
    ]);
  });
});

describe("RedrivableQueue physical name", () => {
  it("stays within SQS's 80 characters for long stack and construct names, FIFO included", () => {
    const stack = new Stack(createTestApp(), "A".repeat(60));
    new RedrivableQueue(stack, "B".repeat(60), { fifo: true, consumer: { entry: NOOP_HANDLER } });
    const names = Object.values(Template.fromStack(stack).findResources("AWS::SQS::Queue"))
      .map((q) => q.Properties.QueueName)
      .filter((n): n is string => typeof n === "string");
    expect(names).toHaveLength(1);
    expect(names[0]?.length).toBeLessThanOrEqual(80);
    expect(names[0]).toMatch(/\.fifo$/);
  });
});
