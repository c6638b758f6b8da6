import {
  DescribeEventBusCommand,
  EventBridgeClient,
  ListRulesCommand,
  PutEventsCommand,
  TestEventPatternCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventBridgeService, targetInput } from "../../../tools/local/services/eventbridge.ts";
import type { LocalResource, ServiceHost } from "../../../tools/local/services/local-service.ts";
import type { Json } from "../../../tools/local/template.ts";
import {
  type Emulator,
  emulatorClientConfig,
  receiveMessages,
  startSqsSns,
} from "../../helpers/aws-emulators.js";
import { waitFor } from "../../helpers/wait.ts";

const REGION = "us-east-1";
const ACCOUNT = "000000000000";
let fauxqs: Emulator;
let sqs: SQSClient;
let events: EventBridgeClient;
const service = new EventBridgeService({
  scheduleIntervalMs: 20,
  retryBaseDelayMs: 1,
  maxLocalRetryAttempts: 2,
});
const resources: LocalResource[] = [];
const invocations: { identifier: string; payload: string }[] = [];
const urls: Record<string, string> = {};

async function queue(logicalId: string): Promise<string> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: logicalId }))).QueueUrl as string;
  const arn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${logicalId}`;
  resources.push({ logicalId, type: "AWS::SQS::Queue", ref: url, attributes: { Arn: arn }, emulated: true });
  urls[logicalId] = url;
  return arn;
}

function create(
  type: "AWS::Events::EventBus" | "AWS::Events::Rule",
  logicalId: string,
  props: Record<string, Json>,
) {
  const resourceType = service.resourceTypes[type];
  const ctx = { stackName: "Test", region: REGION, accountId: ACCOUNT, literal: (v: Json) => String(v) };
  const planned = resourceType.plan(logicalId, { Type: type, Properties: props }, ctx);
  resourceType.create({ logicalId, type, resource: { Type: type, Properties: props }, props, planned });
  return planned;
}

const depth = async (name: string) =>
  Number(
    (
      await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: urls[name],
          AttributeNames: ["ApproximateNumberOfMessages"],
        }),
      )
    ).Attributes?.ApproximateNumberOfMessages,
  );

beforeAll(async () => {
  fauxqs = await startSqsSns();
  sqs = new SQSClient(emulatorClientConfig(fauxqs.endpoint));
  const host = {
    stackName: "Test",
    region: REGION,
    accountId: ACCOUNT,
    endpoints: { sqs: fauxqs.endpoint, sns: fauxqs.endpoint },
    resources: () => resources,
    resource: (id: string) => resources.find((r) => r.logicalId === id),
    progress: () => undefined,
    functions: {
      invoke: async (identifier: string, payload: string) => {
        invocations.push({ identifier, payload });
        return { requestId: "r", ok: true } as never;
      },
    },
  } as unknown as ServiceHost;
  const started = await service.start(host);
  events = new EventBridgeClient({ ...emulatorClientConfig(started.endpoints?.eventbridge as string) });
  const inventory = await queue("inventory");
  const inventoryDlq = await queue("inventory-dlq");
  const deadLetters = await queue("broken-dlq");
  create("AWS::Events::EventBus", "Bus", { Name: "saga" });
  create("AWS::Events::Rule", "OnOrderPlaced", {
    Name: "on-order-placed",
    EventBusName: "saga",
    EventPattern: { source: ["saga.orders"], "detail-type": ["OrderPlaced"] },
    Targets: [{ Id: "T", Arn: inventory, InputPath: "$.detail", DeadLetterConfig: { Arn: inventoryDlq } }],
  });
  create("AWS::Events::Rule", "Broken", {
    Name: "broken",
    EventBusName: "saga",
    EventPattern: { source: ["saga.orders"], "detail-type": ["OrderCancelled"] },
    Targets: [
      {
        Id: "T",
        Arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:missing`,
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 60 },
        DeadLetterConfig: { Arn: deadLetters },
      },
    ],
  });
  create("AWS::Events::Rule", "Schedule", {
    Name: "watchdog",
    ScheduleExpression: "rate(1 minute)",
    Targets: [{ Id: "W", Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:watchdog` }],
  });
  for (const source of service.eventSources()) source.start();
});

afterAll(async () => {
  await service.stop();
  events?.destroy();
  sqs?.destroy();
  await fauxqs?.stop();
});

const entry = (detailType: string, detail: object, bus = "saga") => ({
  EventBusName: bus,
  Source: "saga.orders",
  DetailType: detailType,
  Detail: JSON.stringify(detail),
});

describe("the local EventBridge service", () => {
  it("routes a matching event to the rule's queue with InputPath $.detail; others nowhere", async () => {
    const result = await events.send(
      new PutEventsCommand({
        Entries: [entry("OrderPlaced", { id: "o-1:OrderPlaced" }), entry("OrderConfirmed", { id: "x" })],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries?.every((e) => typeof e.EventId === "string")).toBe(true);
    await service.idle();
    const [message] = await receiveMessages(sqs, urls.inventory as string, 1);
    expect(JSON.parse(message?.Body ?? "")).toEqual({ id: "o-1:OrderPlaced" });
    expect(await depth("inventory")).toBe(0);
  });

  it("reports per-entry failures (FailedEntryCount) and refuses more than 10 entries", async () => {
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          entry("OrderPlaced", { ok: true }),
          { EventBusName: "saga", Source: "saga.orders", DetailType: "OrderPlaced", Detail: "not json" },
          entry("OrderPlaced", { ok: true }, "no-such-bus"),
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(2);
    expect(result.Entries?.map((e) => e.ErrorCode)).toEqual([
      undefined,
      "MalformedDetail",
      "ResourceNotFoundException",
    ]);
    await expect(
      events.send(
        new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry("OrderPlaced", {})) }),
      ),
    ).rejects.toMatchObject({ name: "ValidationException" });
    await service.idle();
    await receiveMessages(sqs, urls.inventory as string, 1);
  });

  it("refuses a call over 256 KiB", async () => {
    await expect(
      events.send(new PutEventsCommand({ Entries: [entry("OrderPlaced", { big: "x".repeat(262_144) })] })),
    ).rejects.toMatchObject({ name: "ValidationException" });
  });

  it("parks an undeliverable event in the target DLQ with EventBridge's error attributes after the retries", async () => {
    await events.send(new PutEventsCommand({ Entries: [entry("OrderCancelled", { id: "o-2" })] }));
    await service.idle();
    const [message] = await receiveMessages(sqs, urls["broken-dlq"] as string, 1);
    expect(JSON.parse(message?.Body ?? "")).toMatchObject({
      source: "saga.orders",
      "detail-type": "OrderCancelled",
    });
    expect(message?.MessageAttributes?.RULE_ARN?.StringValue).toBe(
      `arn:aws:events:${REGION}:${ACCOUNT}:rule/saga/broken`,
    );
    expect(message?.MessageAttributes?.TARGET_ARN?.StringValue).toContain(":missing");
    expect(message?.MessageAttributes?.ERROR_MESSAGE?.StringValue).toContain("does not exist");
  });

  it("runs schedule rules on a timer (shortened locally) with a Scheduled Event", async () => {
    const first = await waitFor(() => invocations[0], {
      timeoutMs: 5_000,
      intervalMs: 10,
      description: "the schedule rule's first invocation",
    });
    expect(first?.identifier).toContain(":function:watchdog");
    expect(JSON.parse(first?.payload ?? "{}")).toMatchObject({
      "detail-type": "Scheduled Event",
      source: "aws.events",
      resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/watchdog`],
    });
  });

  it("answers TestEventPattern, DescribeEventBus and ListRules", async () => {
    const event = JSON.stringify({
      id: "1",
      account: ACCOUNT,
      source: "saga.orders",
      time: "2026-12-01T00:00:00Z",
      region: REGION,
      resources: [],
      "detail-type": "OrderPlaced",
      detail: { amount: 5 },
    });
    const test = (pattern: object) =>
      events.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: event }));
    expect((await test({ detail: { amount: [{ numeric: [">", 1] }] } })).Result).toBe(true);
    expect((await test({ detail: { amount: [{ numeric: [">", 9] }] } })).Result).toBe(false);
    await expect(test({ source: "not-an-array" })).rejects.toMatchObject({
      name: "InvalidEventPatternException",
    });
    expect(await events.send(new DescribeEventBusCommand({ Name: "saga" }))).toMatchObject({
      Name: "saga",
      Arn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/saga`,
    });
    await expect(events.send(new DescribeEventBusCommand({ Name: "nope" }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
    const { Rules = [] } = await events.send(new ListRulesCommand({ EventBusName: "saga" }));
    expect(Rules.map((r) => r.Name).sort()).toEqual(["broken", "on-order-placed"]);
  });

  it("plans a custom-bus rule's Ref as <bus>|<rule>, as CloudFormation does", () => {
    const planned = service.resourceTypes["AWS::Events::Rule"].plan(
      "R",
      { Type: "AWS::Events::Rule", Properties: { Name: "r", EventBusName: "saga" } },
      { stackName: "Test", region: REGION, accountId: ACCOUNT, literal: (v: Json) => String(v) },
    );
    expect(planned.ref).toBe("saga|r");
  });

  it("builds target input from Input, InputPath and InputTransformer", () => {
    const event = {
      version: "0" as const,
      id: "e",
      "detail-type": "T",
      source: "s",
      account: ACCOUNT,
      time: "t",
      region: REGION,
      resources: [],
      detail: { orderId: "o-1", n: 3 },
    };
    expect(targetInput({ input: '{"fixed":1}' }, event)).toBe('{"fixed":1}');
    expect(JSON.parse(targetInput({ inputPath: "$.detail.orderId" }, event))).toBe("o-1");
    expect(
      JSON.parse(
        targetInput(
          {
            transformer: {
              paths: { order: "$.detail.orderId", n: "$.detail.n" },
              template: '{"order": "<order>", "n": <n>}',
            },
          },
          event,
        ),
      ),
    ).toEqual({ order: "o-1", n: 3 });
    // Inside quotes a value goes in as text; outside as JSON (a bare string keeps its quotes).
    expect(
      JSON.parse(
        targetInput(
          {
            transformer: {
              paths: { n: "$.detail.n", order: "$.detail.orderId" },
              template: '{"n": "<n>", "o": <order>}',
            },
          },
          event,
        ),
      ),
    ).toEqual({ n: "3", o: "o-1" });
    expect(
      JSON.parse(targetInput({ transformer: { paths: {}, template: "<aws.events.event.json>" } }, event)),
    ).toEqual(event);
  });

  it("sends to a FIFO queue with the target's MessageGroupId", async () => {
    const url = (
      await sqs.send(new CreateQueueCommand({ QueueName: "fifo.fifo", Attributes: { FifoQueue: "true" } }))
    ).QueueUrl as string;
    const arn = `arn:aws:sqs:${REGION}:${ACCOUNT}:fifo.fifo`;
    resources.push({
      logicalId: "Fifo",
      type: "AWS::SQS::Queue",
      ref: url,
      attributes: { Arn: arn },
      emulated: true,
    });
    create("AWS::Events::Rule", "ToFifo", {
      Name: "to-fifo",
      EventBusName: "saga",
      EventPattern: { "detail-type": ["Ordered"] },
      Targets: [{ Id: "F", Arn: arn, SqsParameters: { MessageGroupId: "orders" } }],
    });
    await events.send(new PutEventsCommand({ Entries: [entry("Ordered", { n: 1 })] }));
    await service.idle();
    const [message] = await receiveMessages(sqs, url, 1);
    expect(message?.Attributes?.MessageGroupId).toBe("orders");
    expect(service.stats.putEntries).toBeGreaterThan(0);
  });
});
