import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { describe, expect, it } from "vitest";
import { decodeBody } from "../../../../functions/shared/cloudevent-decoder.js";
import { PermanentError, RetryableError } from "../../../../functions/shared/errors.js";
import {
  createEventPipeline,
  type DeliveryAdapter,
  type PipelineHandler,
} from "../../../../functions/shared/event-pipeline.js";
import type { IdempotencyGuard } from "../../../../functions/shared/idempotency.js";
import { ORDER_EVENT_SCHEMAS, type OrderData } from "../../../../functions/sns-sqs-fanout/order-events.js";
import { cloudEvent, lambdaContext } from "../../../helpers/events.js";

process.env.POWERTOOLS_METRICS_DISABLED = "true";

/** One record of an MSK event (`records["<topic>-<partition>"][n]`), value base64. */
interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly value: string;
}

/** The Kafka adapter the pipeline's TSDoc describes, in a few lines. */
const kafkaAdapter: DeliveryAdapter<KafkaRecord> = {
  payload: (record) => decodeBody(Buffer.from(record.value, "base64").toString("utf8"), { envelope: "raw" }),
  attempt: () => undefined,
  logFields: ({ topic, partition, offset }) => ({ topic, partition, offset }),
};

/** A Step Functions task input carrying the CloudEvent in `event` (already parsed JSON). */
interface SagaStepInput {
  readonly event: unknown;
  readonly retryCount: number;
}

const sagaAdapter: DeliveryAdapter<SagaStepInput> = {
  payload: (input) => input.event,
  attempt: (input) => input.retryCount + 1,
  logFields: () => ({}),
};

/** An in-memory guard with the real guard's contract (replay, payload check). */
function memoryGuard(): IdempotencyGuard & { keys: Map<string, string> } {
  const keys = new Map<string, string>();
  return {
    keys,
    registerLambdaContext: () => undefined,
    async run(key, work, payload) {
      const hash = JSON.stringify(payload);
      const seen = keys.get(key);
      if (seen !== undefined) {
        if (seen !== hash) throw new PermanentError("PayloadMismatch", `event id ${key} reused`);
        return { replayed: true };
      }
      await work();
      keys.set(key, hash);
      return { replayed: false };
    },
  };
}

const quiet = () => ({
  logger: new Logger({ logLevel: "SILENT" }),
  metrics: new Metrics({ namespace: "test", serviceName: "p" }),
});

function kafkaRecord(event: Record<string, unknown>, offset = 0): KafkaRecord {
  return {
    topic: "orders",
    partition: 0,
    offset,
    value: Buffer.from(JSON.stringify(event)).toString("base64"),
  };
}

describe("event pipeline, independent of the transport", () => {
  it("runs a Kafka record (base64 value) through decode, idempotency and the business function", async () => {
    const applied: string[] = [];
    const handle: PipelineHandler<OrderData, KafkaRecord> = async (event, { item }) => {
      applied.push(`${event.id}@${item.offset}`);
    };
    const pipeline = createEventPipeline({
      name: "billing",
      adapter: kafkaAdapter,
      schemas: ORDER_EVENT_SCHEMAS,
      handle,
      idempotency: memoryGuard(),
      ...quiet(),
    });
    const event = cloudEvent({ id: "k-1" });
    expect(await pipeline.process(kafkaRecord(event, 7), lambdaContext())).toEqual({
      status: "applied",
      eventId: "k-1",
    });
    expect(await pipeline.process(kafkaRecord(event, 8))).toEqual({ status: "duplicate", eventId: "k-1" });
    expect(applied).toEqual(["k-1@7"]);
  });

  it("classifies: a bad payload or a business PermanentError is rejected (not thrown); other errors are thrown", async () => {
    const pipeline = createEventPipeline<OrderData, KafkaRecord>({
      name: "billing",
      adapter: kafkaAdapter,
      schemas: ORDER_EVENT_SCHEMAS,
      handle: async (event) => {
        if (event.id === "rule") throw new PermanentError("BusinessRule", "order already cancelled");
        if (event.id === "later") throw new RetryableError("dependency unavailable");
        if (event.id === "bug") throw new TypeError("unexpected");
      },
      ...quiet(),
    });
    const notJson: KafkaRecord = { ...kafkaRecord({}), value: Buffer.from("{nope").toString("base64") };
    expect(await pipeline.process(notJson)).toMatchObject({
      status: "rejected",
      error: { type: "MalformedJson" },
    });
    expect(await pipeline.process(kafkaRecord(cloudEvent({ type: "order.refunded" })))).toMatchObject({
      status: "rejected",
      error: { type: "UnknownEventType" },
    });
    expect(await pipeline.process(kafkaRecord(cloudEvent({ id: "rule" })))).toMatchObject({
      status: "rejected",
      eventId: "rule",
      error: { type: "BusinessRule", reason: "order already cancelled" },
    });
    await expect(pipeline.process(kafkaRecord(cloudEvent({ id: "later" })))).rejects.toThrow(RetryableError);
    await expect(pipeline.process(kafkaRecord(cloudEvent({ id: "bug" })))).rejects.toThrow(TypeError);
  });

  it("takes a saga step's parsed task input; a reused id with other data is a PayloadMismatch", async () => {
    const applied: string[] = [];
    const pipeline = createEventPipeline<OrderData, SagaStepInput>({
      name: "reserve-stock",
      adapter: sagaAdapter,
      schemas: ORDER_EVENT_SCHEMAS,
      handle: async (event) => {
        applied.push(event.id);
      },
      idempotency: memoryGuard(),
      faultInjection: { transientRate: 1 },
      ...quiet(),
    });
    const event = cloudEvent({ id: "s-1" });
    // attempt 1 is fault-injected; the state machine's retry (attempt 2) applies it
    await expect(pipeline.process({ event, retryCount: 0 })).rejects.toThrow(/injected transient fault/);
    expect(await pipeline.process({ event, retryCount: 1 })).toEqual({ status: "applied", eventId: "s-1" });
    // a producer retry differs only in `time`: still the same event
    expect(
      await pipeline.process({ event: { ...event, time: "2026-11-23T07:00:00.000Z" }, retryCount: 1 }),
    ).toEqual({ status: "duplicate", eventId: "s-1" });
    const changed = { ...event, data: { ...(event.data as object), amount: 1 } };
    expect(await pipeline.process({ event: changed, retryCount: 1 })).toMatchObject({
      status: "rejected",
      error: { type: "PayloadMismatch" },
    });
    expect(applied).toEqual(["s-1"]);
  });
});
