import { type CfnElement, Duration, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { EventBus } from "aws-cdk-lib/aws-events";
import { Topic } from "aws-cdk-lib/aws-sns";
import { describe, expect, it } from "vitest";
import {
  type ChoreographyServiceProps,
  SagaChoreography,
  type SagaChoreographyProps,
} from "../../patterns/saga-choreography/index.js";
import { createTestApp, NOOP_HANDLER } from "../helpers/app.js";

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = {
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
  Sid?: string;
};

const consumer = { entry: NOOP_HANDLER };

/** The order saga of the example stack, reduced to its event flow. */
const ORDER_SERVICES: ChoreographyServiceProps[] = [
  {
    id: "orders",
    emits: ["OrderPlaced", "OrderTimedOut", "OrderConfirmed", "OrderCancelled"],
    consumes: ["InventoryRejected", "PaymentFailed", "ShippingFailed", "ShipmentScheduled"],
    consumer,
  },
  {
    id: "inventory",
    emits: ["InventoryReserved", "InventoryRejected"],
    consumes: ["OrderPlaced", "PaymentFailed", "ShippingFailed", "OrderTimedOut"],
    consumer,
  },
  {
    id: "payments",
    emits: ["PaymentCharged", "PaymentFailed"],
    consumes: ["InventoryReserved", "ShippingFailed", "OrderTimedOut"],
    consumer,
  },
  {
    id: "shipping",
    emits: ["ShipmentScheduled", "ShippingFailed"],
    consumes: ["PaymentCharged", "OrderTimedOut"],
    consumer,
  },
];
const ORDER_PROPS: SagaChoreographyProps = {
  services: ORDER_SERVICES,
  externalEvents: { emitted: ["OrderConfirmed", "OrderCancelled"] },
};

function synth(
  props: SagaChoreographyProps = ORDER_PROPS,
  build?: (stack: Stack) => Partial<SagaChoreographyProps>,
) {
  const stack = new Stack(createTestApp(), "Test");
  const saga = new SagaChoreography(stack, "Saga", { ...props, ...build?.(stack) });
  return { stack, saga, template: Template.fromStack(stack) };
}

const byType = (template: Template, type: string) =>
  Object.entries(template.findResources(type) as Record<string, Resource>);
const idOf = (stack: Stack, construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);
const getAtt = (stack: Stack, construct: { node: { defaultChild?: unknown } }) => ({
  "Fn::GetAtt": [idOf(stack, construct), "Arn"],
});

describe("SagaChoreography with the order saga", () => {
  const { template, saga, stack } = synth();
  const service = (id: string) => {
    const s = saga.services[id];
    if (!s) throw new Error(`no service ${id}`);
    return s;
  };

  it("creates a custom bus with its own rotating key and a bus DLQ", () => {
    template.resourceCountIs("AWS::Events::EventBus", 1);
    const bus = saga.eventBus as EventBus;
    const key = saga.eventBusKey;
    const dlq = saga.eventBusDeadLetterQueue;
    if (!key || !dlq) throw new Error("bus key and DLQ expected");
    template.hasResourceProperties("AWS::Events::EventBus", {
      KmsKeyIdentifier: getAtt(stack, key),
      DeadLetterConfig: { Arn: getAtt(stack, dlq) },
    });
    expect(stack.resolve(bus.eventBusName)).toEqual({ Ref: idOf(stack, bus) });
    // EventBridge may use the bus key only for this bus (SourceArn), also to write the bus DLQ.
    const keyResource = template.toJSON().Resources[idOf(stack, key)] as Resource;
    const statements = (keyResource.Properties.KeyPolicy as { Statement: Statement[] }).Statement;
    const forEvents = statements.filter((s) => JSON.stringify(s).includes("events.amazonaws.com"));
    expect(forEvents.length).toBe(2);
    for (const s of forEvents) expect(JSON.stringify(s.Condition)).toContain("event-bus/");
  });

  it("gives each service its own key, queue, DLQ and target DLQ, all encrypted with it", () => {
    template.resourceCountIs("AWS::KMS::Key", 5);
    template.allResourcesProperties("AWS::KMS::Key", { EnableKeyRotation: true });
    template.resourceCountIs("AWS::SQS::Queue", 1 + 3 * 4);
    for (const id of ["orders", "inventory", "payments", "shipping"]) {
      const s = service(id);
      for (const queue of [s.queue, s.deadLetterQueue, s.targetDeadLetterQueue]) {
        const resource = template.toJSON().Resources[idOf(stack, queue)] as Resource;
        expect(resource.Properties.KmsMasterKeyId).toEqual(getAtt(stack, s.key));
      }
    }
  });

  it("sizes queues by the contract: consumed 256 KiB, DLQs 1 MiB; VT 6 × timeout; retention 4 d / 14 d", () => {
    template.resourcePropertiesCountIs(
      "AWS::SQS::Queue",
      {
        MaximumMessageSize: 262_144,
        VisibilityTimeout: 180,
        MessageRetentionPeriod: 4 * 86400,
        RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
      },
      4,
    );
    template.resourcePropertiesCountIs(
      "AWS::SQS::Queue",
      { MaximumMessageSize: 1_048_576, MessageRetentionPeriod: 14 * 86400 },
      9,
    );
  });

  it("routes to each service exactly the types it consumes, by source and detail-type of the emitter", () => {
    const rules = byType(template, "AWS::Events::Rule").map(([, r]) => r.Properties);
    expect(rules).toHaveLength(4 + 4 + 3 + 2);
    const routed = new Map<string, string[]>();
    for (const rule of rules) {
      const target = (rule.Targets as { Arn: { "Fn::GetAtt": [string] } }[])[0];
      const queueId = target?.Arn["Fn::GetAtt"][0] as string;
      const pattern = rule.EventPattern as { source: string[]; "detail-type": string[] };
      expect(Object.keys(pattern).sort()).toEqual(["detail-type", "source"]);
      expect(pattern.source).toHaveLength(1);
      expect(pattern["detail-type"]).toHaveLength(1);
      routed.set(queueId, [
        ...(routed.get(queueId) ?? []),
        `${pattern.source[0]}:${pattern["detail-type"][0]}`,
      ]);
    }
    expect(routed.get(idOf(stack, service("payments").queue))?.sort()).toEqual([
      "saga.inventory:InventoryReserved",
      "saga.orders:OrderTimedOut",
      "saga.shipping:ShippingFailed",
    ]);
    expect(routed.get(idOf(stack, service("shipping").queue))?.sort()).toEqual([
      "saga.orders:OrderTimedOut",
      "saga.payments:PaymentCharged",
    ]);
    expect(routed.get(idOf(stack, service("inventory").queue))).toHaveLength(4);
    expect(routed.get(idOf(stack, service("orders").queue))).toHaveLength(4);
  });

  it("delivers the CloudEvent ($.detail) with a target DLQ and an explicit retry policy", () => {
    const rules = byType(template, "AWS::Events::Rule").map(([, r]) => r.Properties);
    for (const rule of rules) {
      const [target] = rule.Targets as Record<string, unknown>[];
      expect(target).toMatchObject({
        InputPath: "$.detail",
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
        DeadLetterConfig: { Arn: expect.anything() },
      });
    }
    const inventoryRule = service("inventory").rules.OrderPlaced;
    if (!inventoryRule) throw new Error("rule expected");
    const [target] = (template.toJSON().Resources[idOf(stack, inventoryRule)] as Resource).Properties
      .Targets as { DeadLetterConfig: { Arn: unknown } }[];
    expect(target?.DeadLetterConfig.Arn).toEqual(getAtt(stack, service("inventory").targetDeadLetterQueue));
  });

  it("lets only the service's own rules send to its queue and target DLQ and use its key", () => {
    const s = service("shipping");
    const names = Object.values(s.ruleNames);
    expect(names).toHaveLength(2);
    const policies = byType(template, "AWS::SQS::QueuePolicy").map(([, p]) => p.Properties);
    for (const queue of [s.queue, s.targetDeadLetterQueue]) {
      const policy = policies.find(
        (p) => JSON.stringify(p.Queues) === JSON.stringify([{ Ref: idOf(stack, queue) }]),
      );
      const allow = (policy?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement.find(
        (st) => st.Sid === "AllowTheServiceRulesToSend",
      );
      expect(allow?.Action).toBe("sqs:SendMessage");
      const arns = JSON.stringify(allow?.Condition?.ArnEquals?.["aws:SourceArn"]);
      for (const name of names) expect(arns).toContain(`/${name}`);
      expect(allow?.Condition?.ArnEquals?.["aws:SourceArn"]).toHaveLength(2);
    }
    const key = template.toJSON().Resources[idOf(stack, s.key)] as Resource;
    const keyAllow = (key.Properties.KeyPolicy as { Statement: Statement[] }).Statement.find(
      (st) => st.Sid === "AllowTheServiceRulesToEncrypt",
    );
    expect(keyAllow?.Action).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
    expect(keyAllow?.Condition?.ArnEquals?.["aws:SourceArn"]).toHaveLength(2);
  });

  it("grants each consumer events:PutEvents on the bus for its own source and types only", () => {
    const policies = byType(template, "AWS::IAM::Policy").map(([, p]) => p.Properties);
    const puts = policies.flatMap((p) =>
      (p.PolicyDocument as { Statement: Statement[] }).Statement.filter(
        (s) => s.Action === "events:PutEvents",
      ),
    );
    expect(puts).toHaveLength(4);
    const payments = puts.find((s) => s.Condition?.StringEquals?.["events:source"] === "saga.payments");
    expect(payments?.Condition?.StringEquals?.["events:detail-type"]).toEqual([
      "PaymentCharged",
      "PaymentFailed",
    ]);
    const actions = policies.flatMap((p) =>
      (p.PolicyDocument as { Statement: Statement[] }).Statement.flatMap((s) => s.Action),
    );
    expect(actions.filter((a) => a.endsWith("*"))).toEqual([]);
  });

  it("gives consumers partial batch responses and the pipeline's environment", () => {
    template.resourcePropertiesCountIs(
      "AWS::Lambda::EventSourceMapping",
      { BatchSize: 10, FunctionResponseTypes: ["ReportBatchItemFailures"] },
      4,
    );
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          EVENT_SOURCE: "saga.inventory",
          EVENT_BUS_NAME: { Ref: idOf(stack, saga.eventBus as EventBus) },
          DLQ_URL: { Ref: idOf(stack, service("inventory").deadLetterQueue) },
          IDEMPOTENCY_EXPIRES_AFTER_SECONDS: String(18 * 86400),
          POWERTOOLS_SERVICE_NAME: "inventory",
        }),
      },
    });
  });

  it("alarms on each DLQ, each queue's age, the bus DLQ and FailedInvocations per rule (by rule name)", () => {
    // Per service: DLQ depth and age, target DLQ depth and age, queue age, consumer errors and throttles.
    template.resourceCountIs("AWS::CloudWatch::Alarm", 1 + 7 * 4 + 13);
    const name = service("payments").ruleNames.ShippingFailed;
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/Events",
      MetricName: "FailedInvocations",
      Dimensions: Match.arrayWith([{ Name: "RuleName", Value: name }]),
      Threshold: 1,
    });
  });
});

describe("SagaChoreography options", () => {
  it("uses an existing bus without creating one, a key or a bus DLQ", () => {
    const { template, saga } = synth(ORDER_PROPS, (stack) => ({ eventBus: new EventBus(stack, "Existing") }));
    template.resourceCountIs("AWS::Events::EventBus", 1);
    expect(saga.eventBusKey).toBeUndefined();
    template.resourceCountIs("AWS::KMS::Key", 4);
  });

  it("sends every alarm to the alarm topic", () => {
    const { template } = synth(ORDER_PROPS, (stack) => ({ alarmTopic: new Topic(stack, "Alarms") }));
    for (const [, alarm] of byType(template, "AWS::CloudWatch::Alarm")) {
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
      expect(alarm.Properties.OKActions).toHaveLength(1);
    }
  });

  it("applies a custom target retry policy", () => {
    const { template } = synth({
      ...ORDER_PROPS,
      targetRetryAttempts: 10,
      targetMaxEventAge: Duration.hours(1),
    });
    template.hasResourceProperties("AWS::Events::Rule", {
      Targets: [
        Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 } }),
      ],
    });
  });
});

describe("SagaChoreography validation (rule table)", () => {
  const services = (change: (s: ChoreographyServiceProps[]) => ChoreographyServiceProps[]) =>
    change(ORDER_SERVICES.map((s) => ({ ...s })));
  const cases: [string, Partial<SagaChoreographyProps>, string][] = [
    [
      "consumed-but-never-emitted",
      {
        services: services((s) => [
          ...s.slice(0, 3),
          {
            ...(s[3] as ChoreographyServiceProps),
            consumes: ["PaymentCharged", "OrderTimedOut", "GiftWrapped"],
          },
        ]),
      },
      "service 'shipping' consumes 'GiftWrapped', which no service emits",
    ],
    [
      "emitted-but-never-consumed",
      { externalEvents: { emitted: ["OrderConfirmed"] } },
      "service 'orders' emits 'OrderCancelled', which no service consumes",
    ],
    [
      "external-events",
      { externalEvents: { emitted: ["OrderConfirmed", "OrderCancelled", "Nope"] } },
      "externalEvents.emitted lists 'Nope', which no service emits",
    ],
    [
      "event-types",
      {
        services: services((s) => [
          ...s.slice(0, 3),
          {
            ...(s[3] as ChoreographyServiceProps),
            emits: ["ShipmentScheduled", "ShippingFailed", "PaymentFailed"],
          },
        ]),
      },
      "'PaymentFailed' is emitted by services 'payments' and 'shipping'",
    ],
    [
      "services",
      {
        services: services((s) => [
          ...s.slice(0, 3),
          { ...(s[3] as ChoreographyServiceProps), source: "saga.orders" },
        ]),
      },
      "source 'saga.orders' is also the source of service 'orders'",
    ],
    ["services", { services: services((s) => s.slice(0, 1)) }, "allowed: at least two"],
    [
      "target-retry-policy",
      { targetRetryAttempts: 186 },
      "targetRetryAttempts is 186; allowed: an integer from 0 to 185",
    ],
    ["target-retry-policy", { targetMaxEventAge: Duration.seconds(30) }, "targetMaxEventAge is 30 s"],
    [
      "message-size",
      {
        services: services((s) => [
          { ...(s[0] as ChoreographyServiceProps), maxMessageSizeBytes: 1_048_576 },
          ...s.slice(1),
        ]),
      },
      "service 'orders': maxMessageSizeBytes is 1048576",
    ],
    [
      "message-age-alarm",
      {
        services: services((s) => [
          { ...(s[0] as ChoreographyServiceProps), deadLetterAgeAlarmThreshold: Duration.days(20) },
          ...s.slice(1),
        ]),
      },
      "service 'orders': deadLetterAgeAlarmThreshold is 1728000 s",
    ],
    [
      "visibility-timeout",
      {
        services: services((s) => [
          { ...(s[0] as ChoreographyServiceProps), visibilityTimeout: Duration.seconds(60) },
          ...s.slice(1),
        ]),
      },
      "service 'orders': visibilityTimeout is 60 s",
    ],
  ];

  it.each(cases)("[%s] %s", (rule, change, message) => {
    const run = () =>
      new SagaChoreography(new Stack(createTestApp(), "Test"), "Saga", { ...ORDER_PROPS, ...change });
    expect(run).toThrow(`[${rule}]`);
    expect(run).toThrow(message);
  });

  it("accepts a type consumed from outside when it is declared with its source, and routes it by that source", () => {
    const { template } = synth({
      ...ORDER_PROPS,
      services: services((s) => [
        {
          ...(s[0] as ChoreographyServiceProps),
          consumes: [...(s[0] as ChoreographyServiceProps).consumes, "CustomerBlocked"],
        },
        ...s.slice(1),
      ]),
      externalEvents: {
        emitted: ["OrderConfirmed", "OrderCancelled"],
        consumed: [{ detailType: "CustomerBlocked", source: "crm" }],
      },
    });
    template.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: { source: ["crm"], "detail-type": ["CustomerBlocked"] },
    });
  });

  it("reports every failure at once", () => {
    const run = () =>
      new SagaChoreography(new Stack(createTestApp(), "Test"), "Saga", {
        ...ORDER_PROPS,
        externalEvents: undefined,
        targetRetryAttempts: -1,
      });
    expect(run).toThrow(/emitted-but-never-consumed[\s\S]*target-retry-policy/);
  });
});
