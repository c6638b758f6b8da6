import { Kafka, logLevel } from "kafkajs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RetryableError } from "../../../functions/shared/errors.js";
import { processKafkaBatch } from "../../../functions/shared/kafka-batch.js";
import type { KafkaEvent } from "../../../functions/shared/kafka-event.js";
import { compileEventFilter, jsonOrString } from "../../../tools/local/event-sources/event-filter.js";
import { createKafkaPoller, type KafkaPoller } from "../../../tools/local/event-sources/kafka-poller.js";
import {
  type ConsumedKafkaRecord,
  interpretKafkaResult,
  kafkaOnFailureRecord,
  toKafkaEvent,
} from "../../../tools/local/event-sources/kafka-records.js";
import { type KafkaBroker, startKafka } from "../../../tools/local/kafka/index.js";
import { waitFor } from "../../helpers/wait.js";

const ARN = "arn:aws:kafka:us-east-1:000000000000:cluster/stream/u-1";
const rec = (partition: number, offset: number, value = "v"): ConsumedKafkaRecord => ({
  topic: "orders",
  partition,
  offset,
  timestamp: 1_764_000_000_000 + offset,
  key: Buffer.from("k"),
  value: Buffer.from(value),
  headers: [["ce-type", Buffer.from("t")]],
});

describe("the local Kafka event source's shapes", () => {
  it("builds the MSK event: grouped by topic-partition, base64 key and value, byte-array headers", () => {
    const event = toKafkaEvent([rec(0, 1), rec(1, 7)], {
      eventSourceArn: ARN,
      bootstrapServers: ["a:9098", "b:9098"],
    });
    expect(event).toMatchObject({
      eventSource: "aws:kafka",
      eventSourceArn: ARN,
      bootstrapServers: "a:9098,b:9098",
    });
    expect(Object.keys(event.records)).toEqual(["orders-0", "orders-1"]);
    expect(event.records["orders-0"]?.[0]).toEqual({
      topic: "orders",
      partition: 0,
      offset: 1,
      timestamp: 1_764_000_000_001,
      timestampType: "CREATE_TIME",
      key: Buffer.from("k").toString("base64"),
      value: Buffer.from("v").toString("base64"),
      headers: [{ "ce-type": [...Buffer.from("t")] }],
    });
    expect(toKafkaEvent([rec(0, 1)], { bootstrapServers: ["a:9092"] })).not.toHaveProperty("eventSourceArn");
  });

  it("reads partial batch responses as Lambda documents them", () => {
    const batch = [rec(0, 1), rec(0, 2), rec(0, 3)];
    const read = (payload: unknown) =>
      interpretKafkaResult({ payload: JSON.stringify(payload) }, batch, true);
    expect(read(null).kind).toBe("success");
    expect(read({}).kind).toBe("success");
    expect(read({ batchItemFailures: [] }).kind).toBe("success");
    const partial = read({
      batchItemFailures: [
        { itemIdentifier: { "topic-partition": "orders-0", offset: 3 } },
        { itemIdentifier: { "topic-partition": "orders-0", offset: 2 } },
      ],
    });
    expect(partial).toEqual({ kind: "partial", resumeFrom: new Map([["orders-0", 2]]) });
    expect(
      read({ batchItemFailures: [{ itemIdentifier: { "topic-partition": "orders-0", offset: 9 } }] }).kind,
    ).toBe("failure");
    expect(read({ batchItemFailures: [{ itemIdentifier: "" }] }).kind).toBe("failure");
    expect(interpretKafkaResult({ payload: "{}", functionError: "Unhandled" }, batch, true).kind).toBe(
      "failure",
    );
  });

  it("writes the on-failure record without payload, offsets as strings", () => {
    const record = kafkaOnFailureRecord([rec(0, 5), rec(0, 6)], {
      condition: "RetryAttemptsExhausted",
      functionArn: "arn:aws:lambda:us-east-1:000000000000:function:consumer",
      requestId: "r",
      approximateInvokeCount: 3,
      origin: { eventSourceArn: ARN, bootstrapServers: ["a:9098"] },
    });
    expect(record.requestContext).toMatchObject({
      condition: "RetryAttemptsExhausted",
      approximateInvokeCount: 3,
    });
    expect(record.KafkaBatchInfo).toMatchObject({
      batchSize: 2,
      eventSourceArn: ARN,
      recordsInfo: { "orders-0": { firstRecordOffset: "5", lastRecordOffset: "6" } },
    });
    expect(JSON.stringify(record)).not.toContain(Buffer.from("v").toString("base64"));
  });
});

describe("the local Kafka event source on the project's broker", () => {
  let kafka: KafkaBroker;
  let pollers: KafkaPoller[] = [];
  beforeAll(async () => {
    kafka = await startKafka({ autoCreateTopics: false, groups: { initialRebalanceDelayMs: 0 } });
  });
  afterEach(async () => {
    await Promise.all(pollers.map((p) => p.stop()));
    pollers = [];
  });
  afterAll(async () => {
    await kafka.stop();
  });

  async function produce(topic: string, values: { key: string; value: string; partition: number }[]) {
    const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic, messages: values });
    await producer.disconnect();
  }

  async function committed(topic: string, groupId: string) {
    const admin = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return Object.fromEntries((entry?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    } finally {
      await admin.disconnect();
    }
  }

  /** A function as the event source sees it: a JSON payload in, a payload or a function error out. */
  const asFunction =
    (handler: (event: KafkaEvent) => Promise<unknown>) =>
    async (payload: string): Promise<{ payload: string; functionError?: string }> => {
      try {
        return { payload: JSON.stringify((await handler(JSON.parse(payload))) ?? null) };
      } catch (error) {
        return { payload: JSON.stringify({ errorMessage: String(error) }), functionError: "Unhandled" };
      }
    };

  it("MSK-02/MSK-03: resumes a partition from its failed offset, keeps order, commits only what succeeded", async () => {
    kafka.createTopic("stream-a", 2);
    const values = Array.from({ length: 20 }, (_, i) => ({
      key: `k${i % 4}`,
      value: `v${i}`,
      partition: i % 2,
    }));
    await produce("stream-a", values);
    const applied: { partition: number; offset: number }[] = [];
    let failedOnce = false;
    const poller = createKafkaPoller({
      brokers: kafka.brokers,
      topic: "stream-a",
      groupId: "mapping-a",
      batchSize: 4,
      maxBatchingWindowMs: 50,
      retryAttempts: 3,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      origin: { eventSourceArn: ARN, bootstrapServers: kafka.brokers },
      functionArn: "arn:aws:lambda:us-east-1:000000000000:function:consumer",
      invoke: asFunction(async (event) => {
        const outcome = await processKafkaBatch(
          event,
          async (r) => {
            if (r.partition === 0 && r.offset === 5 && !failedOnce) {
              failedOnce = true;
              throw new RetryableError("throttled");
            }
            applied.push({ partition: r.partition, offset: r.offset });
          },
          { onPoison: async () => {} },
        );
        return outcome.response;
      }),
    });
    pollers.push(poller);
    poller.start();
    await waitFor(() => applied.length >= 20, { timeoutMs: 20_000, description: "20 records applied" });
    expect(failedOnce).toBe(true);
    for (const partition of [0, 1]) {
      const offsets = applied.filter((a) => a.partition === partition).map((a) => a.offset);
      expect(offsets).toEqual(Array.from({ length: 10 }, (_, i) => i));
    }
    await waitFor(
      async () => {
        const c = await committed("stream-a", "mapping-a");
        return c[0] === 10 && c[1] === 10;
      },
      { description: "offsets committed to the end" },
    );
  });

  it("MSK-01: bisects a failing batch down to the poison record, dead-letters only it, and the partition moves on", async () => {
    kafka.createTopic("stream-b", 1);
    const values = Array.from({ length: 8 }, (_, i) => ({
      key: "k",
      value: i === 5 ? "poison" : `v${i}`,
      partition: 0,
    }));
    await produce("stream-b", values);
    const applied: number[] = [];
    const failures: string[] = [];
    const poller = createKafkaPoller({
      brokers: kafka.brokers,
      topic: "stream-b",
      groupId: "mapping-b",
      batchSize: 8,
      maxBatchingWindowMs: 50,
      retryAttempts: 1,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      origin: { eventSourceArn: ARN, bootstrapServers: kafka.brokers },
      functionArn: "arn:aws:lambda:us-east-1:000000000000:function:consumer",
      onFailure: async (message) => void failures.push(message),
      // A handler without poison handling: any bad record fails the whole invocation.
      invoke: asFunction(async (event) => {
        const records = Object.values(event.records).flat();
        if (records.some((r) => Buffer.from(r.value, "base64").toString() === "poison"))
          throw new Error("cannot parse");
        applied.push(...records.map((r) => r.offset));
        return { batchItemFailures: [] };
      }),
    });
    pollers.push(poller);
    poller.start();
    await waitFor(() => failures.length === 1 && applied.length === 7, {
      timeoutMs: 20_000,
      description: "7 applied, 1 dead-lettered",
    });
    expect([...applied].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 6, 7]);
    const record = JSON.parse(failures[0] as string);
    expect(record.requestContext.condition).toBe("RetryAttemptsExhausted");
    expect(record.requestContext.approximateInvokeCount).toBe(2);
    expect(record.KafkaBatchInfo.recordsInfo).toEqual({
      "stream-b-0": expect.objectContaining({ firstRecordOffset: "5", lastRecordOffset: "5" }),
    });
    await waitFor(async () => (await committed("stream-b", "mapping-b"))[0] === 8, {
      description: "committed past the poison",
    });
  });

  it("applies FilterCriteria to the value (JSON or plain string): filtered records are never delivered, and committed", async () => {
    kafka.createTopic("stream-c", 1);
    await produce("stream-c", [
      { key: "k", value: JSON.stringify({ type: "order.created", n: 0 }), partition: 0 },
      { key: "k", value: JSON.stringify({ type: "order.deleted", n: 1 }), partition: 0 },
      { key: "k", value: "heartbeat", partition: 0 },
      { key: "k", value: JSON.stringify({ type: "order.created", n: 3 }), partition: 0 },
      { key: "k", value: "not json {", partition: 0 },
    ]);
    const criteria = {
      Filters: [
        { Pattern: JSON.stringify({ value: { type: ["order.created"] } }) },
        { Pattern: JSON.stringify({ value: ["heartbeat"] }) },
      ],
    };
    const accepts = await compileEventFilter<ConsumedKafkaRecord>(
      "Mapping",
      criteria,
      (r) => ({ value: r.value === null ? null : jsonOrString(r.value.toString("utf8")) }),
      ["value"],
    );
    const delivered: number[] = [];
    const poller = createKafkaPoller({
      brokers: kafka.brokers,
      topic: "stream-c",
      groupId: "mapping-c",
      batchSize: 10,
      maxBatchingWindowMs: 50,
      reportBatchItemFailures: true,
      origin: { eventSourceArn: ARN, bootstrapServers: kafka.brokers },
      functionArn: "arn:aws:lambda:us-east-1:000000000000:function:consumer",
      ...(accepts ? { accepts } : {}),
      invoke: asFunction(async (event) => {
        delivered.push(...Object.values(event.records).flatMap((records) => records.map((r) => r.offset)));
        return { batchItemFailures: [] };
      }),
    });
    pollers.push(poller);
    poller.start();
    await waitFor(async () => (await committed("stream-c", "mapping-c"))[0] === 5, {
      description: "every offset committed, filtered ones too",
    });
    expect(delivered).toEqual([0, 2, 3]);
  });

  it("refuses a Kafka filter pattern on anything but value, naming the mapping", async () => {
    const compile = compileEventFilter(
      "OrdersMapping",
      { Filters: [{ Pattern: JSON.stringify({ key: ["k"] }) }] },
      () => ({}),
      ["value"],
    );
    await expect(compile).rejects.toThrow(/OrdersMapping.*filter pattern on "key".*"value" only/);
  });
});
