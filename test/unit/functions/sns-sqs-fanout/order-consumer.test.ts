import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import {
  DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  type UpdateItemCommandInput,
} from "@aws-sdk/client-dynamodb";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { isFaultInjected } from "../../../../functions/shared/fault-injection.js";
import { readEffect } from "../../../../functions/sns-sqs-fanout/effects.js";
import {
  createOrderConsumer,
  type OrderConsumerConfig,
  readOrderConsumerConfig,
} from "../../../../functions/sns-sqs-fanout/order-consumer.js";
import { createPublisher } from "../../../../functions/sns-sqs-fanout/publisher.js";
import {
  createEffectsTable,
  createIdempotencyTable,
  type Emulator,
  emulatorClientConfig,
  receiveMessages,
  startDynalite,
  startSqsSns,
  useEmulatorEnv,
} from "../../../helpers/aws-emulators.js";
import {
  cloudEvent,
  lambdaContext,
  orderData,
  queueArn,
  rawCloudEventRecord,
  snsEnvelopeRecord,
  sqsEvent,
  sqsRecord,
  sqsRecordFromMessage,
} from "../../../helpers/events.js";

process.env.POWERTOOLS_METRICS_DISABLED = "true";

const IDEMPOTENCY_TABLE = "idempotency";
const EFFECTS_TABLE = "effects";
let dynalite: Emulator;
let fauxqs: Emulator;
let dynamodb: DynamoDBClient;
let sqs: SQSClient;
let sns: SNSClient;
const urls: Record<string, string> = {};

async function createQueue(name: string): Promise<string> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string;
  urls[name] = url;
  return url;
}

const receive = (queueUrl: string, count: number) => receiveMessages(sqs, queueUrl, count);

async function applications(subscriber: string, eventId: string): Promise<number | undefined> {
  const { Item } = await dynamodb.send(
    new GetItemCommand({
      TableName: EFFECTS_TABLE,
      Key: { subscriber: { S: subscriber }, eventId: { S: eventId } },
    }),
  );
  return Item?.applications?.N === undefined ? undefined : Number(Item.applications.N);
}

type BatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * Delivers records like the event source mapping: failed records come back with a higher
 * ApproximateReceiveCount until none fails (at most 5 receives). Returns the last response.
 */
async function deliverUntilDone(handle: BatchHandler, first: SQSRecord[]): Promise<SQSBatchResponse> {
  let records = first;
  let response = await handle(sqsEvent(...records), lambdaContext());
  for (let receive = 2; response.batchItemFailures.length > 0 && receive <= 5; receive++) {
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    records = records
      .filter((r) => failed.has(r.messageId))
      .map((r) => ({ ...r, attributes: { ...r.attributes, ApproximateReceiveCount: String(receive) } }));
    response = await handle(sqsEvent(...records), lambdaContext());
  }
  return response;
}

function config(overrides: Partial<OrderConsumerConfig> = {}): OrderConsumerConfig {
  return {
    subscriberName: "billing",
    idempotencyTableName: IDEMPOTENCY_TABLE,
    effectsTableName: EFFECTS_TABLE,
    dlqUrl: urls["billing-dlq"] as string,
    envelope: "raw",
    faultInjection: { transientRate: 0 },
    ...overrides,
  };
}

function consumer(overrides: Partial<OrderConsumerConfig> = {}, client: DynamoDBClient = dynamodb) {
  return createOrderConsumer({
    config: config(overrides),
    dynamodb: client,
    sqs,
    logger: new Logger({ logLevel: "SILENT" }),
    metrics: new Metrics({ namespace: "test" }),
  });
}

beforeAll(async () => {
  [dynalite, fauxqs] = await Promise.all([startDynalite(), startSqsSns()]);
  dynamodb = new DynamoDBClient(emulatorClientConfig(dynalite.endpoint));
  sqs = new SQSClient(emulatorClientConfig(fauxqs.endpoint));
  sns = new SNSClient(emulatorClientConfig(fauxqs.endpoint));
  await Promise.all([
    createIdempotencyTable(dynamodb, IDEMPOTENCY_TABLE),
    createEffectsTable(dynamodb, EFFECTS_TABLE),
    createQueue("billing-dlq"),
    createQueue("audit-dlq"),
    createQueue("mismatch-dlq"),
    createQueue("unavailable-dlq"),
  ]);
});

afterAll(async () => {
  await Promise.all([dynalite?.stop(), fauxqs?.stop()]);
});

describe("order consumer", () => {
  it("applies the effect of every valid event once and reports no failures", async () => {
    const events = [cloudEvent(), cloudEvent({ type: "order.paid", data: orderData({ status: "paid" }) })];
    const response = await consumer().handleBatch(
      sqsEvent(...events.map((e) => rawCloudEventRecord(e))),
      lambdaContext(),
    );
    expect(response).toEqual({ batchItemFailures: [] });
    for (const event of events) expect(await applications("billing", event.id as string)).toBe(1);
    const { Item } = await dynamodb.send(
      new GetItemCommand({
        TableName: EFFECTS_TABLE,
        Key: { subscriber: { S: "billing" }, eventId: { S: events[1]?.id as string } },
      }),
    );
    expect(Item?.type?.S).toBe("order.paid");
    expect(Item?.firstAppliedAt?.S).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it("reads the CloudEvent from the SNS envelope when raw delivery is off", async () => {
    const event = cloudEvent();
    const response = await consumer({ subscriberName: "audit", envelope: "sns" }).handleBatch(
      sqsEvent(snsEnvelopeRecord(event)),
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(await applications("audit", event.id as string)).toBe(1);
  });

  it("applies a duplicate event id once: redelivery, republish with a new message id, and per subscriber", async () => {
    const event = cloudEvent();
    const c = consumer();
    const first = rawCloudEventRecord(event);
    expect(await c.processRecord(first, lambdaContext())).toEqual({ status: "applied", eventId: event.id });
    expect(
      await c.processRecord(
        { ...first, attributes: { ...first.attributes, ApproximateReceiveCount: "2" } },
        lambdaContext(),
      ),
    ).toEqual({ status: "duplicate", eventId: event.id });
    expect(await c.processRecord(rawCloudEventRecord(event), lambdaContext())).toEqual({
      status: "duplicate",
      eventId: event.id,
    });
    expect(await applications("billing", event.id as string)).toBe(1);

    // another subscriber sharing the table still applies its own effect once
    expect(
      await consumer({ subscriberName: "shipping" }).processRecord(
        rawCloudEventRecord(event),
        lambdaContext(),
      ),
    ).toEqual({
      status: "applied",
      eventId: event.id,
    });
    expect(await applications("shipping", event.id as string)).toBe(1);
  });

  it("applies duplicates within one batch once; a concurrent copy is retried, then skipped", async () => {
    const event = cloudEvent();
    const records = [rawCloudEventRecord(event), rawCloudEventRecord(event), rawCloudEventRecord(event)];
    const response = await deliverUntilDone(consumer().handleBatch, records);
    expect(response.batchItemFailures).toEqual([]);
    expect(await applications("billing", event.id as string)).toBe(1);
  });

  it("sends permanent failures to the DLQ with error.type and error.reason and keeps the batch going", async () => {
    const valid = cloudEvent();
    const { customerId: _, ...missing } = orderData();
    const records = {
      MalformedJson: sqsRecord({ body: '{"specversion":"1.0",' }),
      SchemaViolation: rawCloudEventRecord(cloudEvent({ data: missing })),
      UnknownEventType: rawCloudEventRecord(cloudEvent({ type: "order.refunded" })),
      Oversize: rawCloudEventRecord(cloudEvent({ data: orderData({ note: "x".repeat(260 * 1024) }) })),
    };
    const response = await consumer().handleBatch(
      sqsEvent(rawCloudEventRecord(valid), ...Object.values(records)),
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(await applications("billing", valid.id as string)).toBe(1);

    const dead = await receive(urls["billing-dlq"] as string, 4);
    const byType = Object.fromEntries(
      dead.map((m) => [m.MessageAttributes?.["error.type"]?.StringValue as string, m]),
    );
    expect(Object.keys(byType).sort()).toEqual(Object.keys(records).sort());
    for (const [type, record] of Object.entries(records)) {
      expect(byType[type]?.Body).toBe(record.body);
      expect(byType[type]?.MessageAttributes?.["error.reason"]?.StringValue).toEqual(expect.any(String));
    }
    expect(byType.SchemaViolation?.MessageAttributes?.["error.reason"]?.StringValue).toContain(
      "data.customerId",
    );
    expect(byType.UnknownEventType?.MessageAttributes?.type?.StringValue).toBe("order.refunded");
  });

  it("fails the first receive of fault-injected events only; the retry applies the effect", async () => {
    const rate = 0.5;
    // Fixed ids: the hash-based selection is then deterministic (and this set mixes hits and misses).
    const events = Array.from({ length: 8 }, (_, i) => cloudEvent({ id: `evt-fault-${i}` }));
    const hit = events.filter((e) => isFaultInjected("billing", e.id as string, rate));
    expect(hit.length).toBeGreaterThan(0);
    expect(hit.length).toBeLessThan(events.length);
    const c = consumer({ faultInjection: { transientRate: rate } });
    const records = events.map((e) => rawCloudEventRecord(e));
    const response = await c.handleBatch(sqsEvent(...records), lambdaContext());

    const hitIds = new Set(hit.map((e) => e.id));
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      records
        .filter((r) => hitIds.has(JSON.parse(r.body).id))
        .map((r) => r.messageId)
        .sort(),
    );
    for (const e of hit) expect(await applications("billing", e.id as string)).toBeUndefined();

    const retries = records
      .filter((r) => hitIds.has(JSON.parse(r.body).id))
      .map((r) => ({ ...r, attributes: { ...r.attributes, ApproximateReceiveCount: "2" } }));
    expect((await c.handleBatch(sqsEvent(...retries), lambdaContext())).batchItemFailures).toEqual([]);
    for (const e of events) expect(await applications("billing", e.id as string)).toBe(1);
  });
});

type Next = (args: { input: object }) => Promise<unknown>;
type Fault = (next: Next, args: { input: object }) => Promise<unknown>;

/** A DynamoDB client on dynalite whose effect writes (UpdateItem on the effects table) go through `fault`. */
function clientWithEffectFault(fault: Fault): DynamoDBClient {
  const client = new DynamoDBClient(emulatorClientConfig(dynalite.endpoint));
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as UpdateItemCommandInput;
      if (context.commandName !== "UpdateItemCommand" || input.TableName !== EFFECTS_TABLE) return next(args);
      return (await fault(next as Next, args)) as Awaited<ReturnType<typeof next>>;
    },
    // below the retry middleware (finalizeRequest), so a thrown error is retried by the SDK
    { step: "deserialize", name: "effectWriteFault" },
  );
  return client;
}

const effectOf = (subscriber: string, eventId: string) =>
  readEffect(dynamodb, EFFECTS_TABLE, { subscriber, eventId });

describe("effects are idempotent per (subscriber, event id)", () => {
  it("an effect write the SDK retries after a lost response is applied once (issue 11 item 7)", async () => {
    let attempts = 0;
    const client = clientWithEffectFault(async (next, args) => {
      const result = await next(args); // DynamoDB applied the write…
      if (++attempts === 1) {
        // …but the response is lost: the SDK sees a timeout and sends the same write again
        throw Object.assign(new Error("response lost after the write was applied"), { name: "TimeoutError" });
      }
      return result;
    });
    const event = cloudEvent();
    expect(await consumer({}, client).processRecord(rawCloudEventRecord(event), lambdaContext())).toEqual({
      status: "applied",
      eventId: event.id,
    });
    expect(attempts).toBe(2);
    expect(await effectOf("billing", event.id as string)).toMatchObject({
      applications: 1,
      suppressedDuplicates: 0,
      type: "order.created",
    });
    client.destroy();
  });

  it("a second application the idempotency guard let through is not applied, but recorded and counted as a duplicate", async () => {
    // Two consumers of one subscriber with separate idempotency tables: the second guard knows nothing of
    // the first's record, like an expired or unsaved record.
    await createIdempotencyTable(dynamodb, "idempotency-forgetful");
    const metrics = new Metrics({ namespace: "test" });
    const addMetric = vi.spyOn(metrics, "addMetric");
    const forgetful = createOrderConsumer({
      config: config({ subscriberName: "bypass", idempotencyTableName: "idempotency-forgetful" }),
      dynamodb,
      sqs,
      logger: new Logger({ logLevel: "SILENT" }),
      metrics,
    });
    const event = cloudEvent();
    const record = rawCloudEventRecord(event);
    await consumer({ subscriberName: "bypass" }).processRecord(record, lambdaContext());
    expect(await forgetful.processRecord(record, lambdaContext())).toEqual({
      status: "applied",
      eventId: event.id,
    });
    expect(addMetric).toHaveBeenCalledWith("EffectDuplicatesSuppressed", "Count", 1);
    expect(await effectOf("bypass", event.id as string)).toMatchObject({
      applications: 1,
      suppressedDuplicates: 1,
    });
  });
});

describe("SQS-05: Lambda timeout mid-batch", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("the in-progress idempotency record does not block the retry once the invocation's time is up, and effects are not doubled", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.parse("2026-11-23T06:00:00.000Z") });
    const [done, afterWrite, beforeWrite] = [cloudEvent(), cloudEvent(), cloudEvent()];
    const ids = { afterWrite: afterWrite.id, beforeWrite: beforeWrite.id };
    let timedOut = true;
    const hung = new Set<string>();
    let hangs: () => void = () => undefined;
    const bothHung = new Promise<void>((resolve) => {
      hangs = resolve;
    });
    const hang = (id: string) => {
      hung.add(id);
      if (hung.size === 2) hangs();
      return new Promise<never>(() => undefined); // the downstream never answers: the invocation times out
    };
    const client = clientWithEffectFault(async (next, args) => {
      const eventId = (args.input as UpdateItemCommandInput).Key?.eventId?.S as string;
      if (timedOut && eventId === ids.beforeWrite) return hang(eventId);
      const result = await next(args);
      if (timedOut && eventId === ids.afterWrite) return hang(eventId);
      return result;
    });
    const c = consumer({ subscriberName: "timeout" }, client);
    const records = [done, afterWrite, beforeWrite].map((e) => rawCloudEventRecord(e));

    // Invocation 1 (5 s left): `done` completes, the other two hang; Lambda kills it, no response.
    void c.handleBatch(sqsEvent(...records), lambdaContext("timeout", 5_000));
    await bothHung;
    expect((await effectOf("timeout", done.id as string))?.applications).toBe(1);
    expect((await effectOf("timeout", afterWrite.id as string))?.applications).toBe(1);
    timedOut = false;

    const redelivered = records.map((r) => ({
      ...r,
      attributes: { ...r.attributes, ApproximateReceiveCount: "2" },
    }));
    // Counter-check: while invocation 1 could still be running, its in-progress keys are respected.
    vi.setSystemTime(Date.now() + 1_000);
    const early = await c.handleBatch(sqsEvent(...redelivered), lambdaContext("timeout", 5_000));
    expect(early.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [records[1]?.messageId, records[2]?.messageId].sort(),
    );

    // The messages reappear after the visibility timeout (≥ 6 × the function timeout).
    vi.setSystemTime(Date.now() + 6 * 5_000);
    const retry = await c.handleBatch(sqsEvent(...redelivered), lambdaContext("timeout", 5_000));
    expect(retry).toEqual({ batchItemFailures: [] });
    for (const event of [done, afterWrite, beforeWrite]) {
      expect((await effectOf("timeout", event.id as string))?.applications).toBe(1);
    }
    // `afterWrite` was applied by invocation 1, whose idempotency record never completed: the retry's
    // write was stopped by the effect's condition and is recorded, so a scenario would see it.
    expect((await effectOf("timeout", afterWrite.id as string))?.suppressedDuplicates).toBe(1);
    expect((await effectOf("timeout", beforeWrite.id as string))?.suppressedDuplicates).toBe(0);
    client.destroy();
  });
});

describe("SQS-11: same event id, different payload", () => {
  it("is dead-lettered as PayloadMismatch with a reason; the first effect stays, no second one", async () => {
    const event = cloudEvent();
    const changed = { ...event, data: { ...(event.data as object), amount: 999 } };
    const republished = { ...event, time: "2026-11-23T09:00:00.000Z" }; // a producer retry: same content
    const c = consumer({ subscriberName: "mismatch", dlqUrl: urls["mismatch-dlq"] as string });
    expect(await c.processRecord(rawCloudEventRecord(event), lambdaContext())).toMatchObject({
      status: "applied",
    });
    expect(await c.processRecord(rawCloudEventRecord(republished), lambdaContext())).toMatchObject({
      status: "duplicate",
    });
    const record = rawCloudEventRecord(changed);
    expect(await c.handleBatch(sqsEvent(record), lambdaContext())).toEqual({ batchItemFailures: [] });
    const [dead] = await receive(urls["mismatch-dlq"] as string, 1);
    expect(dead?.Body).toBe(record.body);
    expect(dead?.MessageAttributes?.["error.type"]?.StringValue).toBe("PayloadMismatch");
    expect(dead?.MessageAttributes?.["error.reason"]?.StringValue).toContain(event.id as string);
    expect(await effectOf("mismatch", event.id as string)).toMatchObject({ applications: 1 });
  });
});

describe("SQS-12: idempotency table unavailable", () => {
  it("fails every record retryably, applies no effect and dead-letters nothing", async () => {
    const down = await startDynalite();
    await down.stop();
    const broken = new DynamoDBClient({ ...emulatorClientConfig(down.endpoint), maxAttempts: 1 });
    const events = [cloudEvent(), cloudEvent()];
    const records = events.map((e) => rawCloudEventRecord(e));
    const c = createOrderConsumer({
      config: config({ subscriberName: "unavailable", dlqUrl: urls["unavailable-dlq"] as string }),
      // the effects table is reachable; only the idempotency table is down
      dynamodb: new Proxy(broken, {
        get: (target, property, receiver) =>
          property === "send"
            ? (command: { input: { TableName?: string } }) =>
                command.input.TableName === EFFECTS_TABLE
                  ? dynamodb.send(command as never)
                  : target.send(command as never)
            : Reflect.get(target, property, receiver),
      }),
      sqs,
      logger: new Logger({ logLevel: "SILENT" }),
      metrics: new Metrics({ namespace: "test" }),
    });
    const response = await c.handleBatch(sqsEvent(...records), lambdaContext());
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      records.map((r) => r.messageId).sort(),
    );
    for (const event of events) expect(await effectOf("unavailable", event.id as string)).toBeUndefined();
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: urls["unavailable-dlq"] as string, MaxNumberOfMessages: 10 }),
    );
    expect(Messages).toEqual([]);
    broken.destroy();
  });
});

describe("order consumer idempotency window", () => {
  it("keeps a completed event id for IDEMPOTENCY_EXPIRES_AFTER_SECONDS (queue + DLQ retention)", async () => {
    const seconds = 18 * 86_400;
    const event = cloudEvent();
    const before = Math.floor(Date.now() / 1000);
    await consumer({ subscriberName: "window", idempotencyExpiresAfterSeconds: seconds }).processRecord(
      rawCloudEventRecord(event),
      lambdaContext(),
    );
    const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: IDEMPOTENCY_TABLE }));
    const [item] = Items.filter((i) => i.id?.S?.startsWith("window#"));
    expect(Number(item?.expiration?.N)).toBeGreaterThanOrEqual(before + seconds);
  });
});

describe("readOrderConsumerConfig", () => {
  const env = {
    SUBSCRIBER_NAME: "audit",
    IDEMPOTENCY_TABLE_NAME: "i",
    EFFECTS_TABLE_NAME: "e",
    DLQ_URL: "https://sqs/dlq",
    RAW_MESSAGE_DELIVERY: "false",
    FAULT_INJECTION: "transient=0.05",
  };

  it("maps the contract's variables", () => {
    expect(readOrderConsumerConfig({ ...env, IDEMPOTENCY_EXPIRES_AFTER_SECONDS: "1555200" })).toEqual({
      subscriberName: "audit",
      idempotencyTableName: "i",
      effectsTableName: "e",
      dlqUrl: "https://sqs/dlq",
      envelope: "sns",
      faultInjection: { transientRate: 0.05 },
      idempotencyExpiresAfterSeconds: 1_555_200,
    });
  });

  it("defaults the idempotency window to 86400 s only when IDEMPOTENCY_EXPIRES_AFTER_SECONDS is unset", () => {
    expect(readOrderConsumerConfig(env).idempotencyExpiresAfterSeconds).toBe(86_400);
    for (const bad of ["", "0", "4 days", "-1"]) {
      expect(() => readOrderConsumerConfig({ ...env, IDEMPOTENCY_EXPIRES_AFTER_SECONDS: bad })).toThrow(
        `environment variable IDEMPOTENCY_EXPIRES_AFTER_SECONDS must be a positive integer (seconds), got "${bad}"`,
      );
    }
  });

  it("names every missing variable", () => {
    expect(() => readOrderConsumerConfig({ SUBSCRIBER_NAME: "x", RAW_MESSAGE_DELIVERY: "true" })).toThrow(
      "missing required environment variable(s): IDEMPOTENCY_TABLE_NAME, EFFECTS_TABLE_NAME, DLQ_URL",
    );
  });
});

describe("consumer handlers end to end (publisher → SNS → SQS → handler)", () => {
  it("billing (raw, filtered) and audit (SNS envelope) apply every delivered event once; audit dead-letters an unknown type", async () => {
    const restore = useEmulatorEnv({ dynamodb: dynalite.endpoint, sqsSns: fauxqs.endpoint });
    try {
      const topicArn = (await sns.send(new CreateTopicCommand({ Name: "orders" }))).TopicArn as string;
      const billingQueue = await createQueue("billing-queue");
      const auditQueue = await createQueue("audit-queue");
      await sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: "sqs",
          Endpoint: "arn:aws:sqs:us-east-1:000000000000:billing-queue",
          Attributes: {
            RawMessageDelivery: "true",
            FilterPolicy: JSON.stringify({ type: ["order.created"] }),
          },
        }),
      );
      await sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: "sqs",
          Endpoint: "arn:aws:sqs:us-east-1:000000000000:audit-queue",
        }),
      );
      const publish = createPublisher({ sns, topicArn, source: "orders-service" });
      const published = await publish({
        events: [
          { id: "e2e-1", type: "order.created", data: orderData() },
          { id: "e2e-2", type: "order.paid", data: orderData({ status: "paid" }) },
          { id: "e2e-1", type: "order.created", data: orderData() }, // a retrying producer's duplicate
          { id: "e2e-bad", type: "order.refunded", data: orderData() }, // unknown type: audit dead-letters it
        ],
      });
      expect(published.failed).toEqual([]);

      const handlers: Record<string, BatchHandler> = {};
      for (const [name, raw, dlq] of [
        ["billing", "true", urls["billing-dlq"]],
        ["audit", "false", urls["audit-dlq"]],
      ] as const) {
        vi.resetModules();
        vi.stubEnv("SUBSCRIBER_NAME", name);
        vi.stubEnv("IDEMPOTENCY_TABLE_NAME", IDEMPOTENCY_TABLE);
        vi.stubEnv("EFFECTS_TABLE_NAME", EFFECTS_TABLE);
        vi.stubEnv("DLQ_URL", dlq as string);
        vi.stubEnv("RAW_MESSAGE_DELIVERY", raw);
        vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
        const module = await import(`../../../../functions/sns-sqs-fanout/${name}.ts`);
        handlers[name] = module.handler;
        vi.unstubAllEnvs();
      }

      const billingMessages = await receive(billingQueue, 2);
      const auditMessages = await receive(auditQueue, 4);
      // the two copies of e2e-1 are in one batch: one may be retried (in progress), then skipped
      const billing = billingMessages.map((m) => sqsRecordFromMessage(m, queueArn("billing-queue")));
      const audit = auditMessages.map((m) => sqsRecordFromMessage(m, queueArn("audit-queue")));
      expect(await deliverUntilDone(handlers.billing as BatchHandler, billing)).toEqual({
        batchItemFailures: [],
      });
      expect(await deliverUntilDone(handlers.audit as BatchHandler, audit)).toEqual({
        batchItemFailures: [],
      });

      const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: EFFECTS_TABLE }));
      const e2e = Items.filter((i) => i.eventId?.S?.startsWith("e2e-"))
        .map((i) => `${i.subscriber?.S}:${i.eventId?.S}:${i.applications?.N}`)
        .sort();
      expect(e2e).toEqual(["audit:e2e-1:1", "audit:e2e-2:1", "billing:e2e-1:1"]);
      // the handler's own SQS client reached the DLQ at the emulator-issued DLQ_URL
      const [dead] = await receive(urls["audit-dlq"] as string, 1);
      expect(JSON.parse(JSON.parse(dead?.Body as string).Message).id).toBe("e2e-bad");
      expect(dead?.MessageAttributes?.["error.type"]?.StringValue).toBe("UnknownEventType");
    } finally {
      vi.unstubAllEnvs();
      restore();
    }
  });

  it("fails at cold start naming the missing variables", async () => {
    vi.resetModules();
    for (const name of [
      "SUBSCRIBER_NAME",
      "IDEMPOTENCY_TABLE_NAME",
      "EFFECTS_TABLE_NAME",
      "DLQ_URL",
      "RAW_MESSAGE_DELIVERY",
    ]) {
      vi.stubEnv(name, "");
    }
    vi.stubEnv("DLQ_URL", "https://sqs/dlq");
    try {
      await expect(import("../../../../functions/sns-sqs-fanout/shipping.js")).rejects.toThrow(
        "missing required environment variable(s): SUBSCRIBER_NAME, IDEMPOTENCY_TABLE_NAME, EFFECTS_TABLE_NAME, RAW_MESSAGE_DELIVERY",
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
