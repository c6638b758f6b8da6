import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { CloudEvent } from "../../../../functions/shared/cloudevents.js";
import { createSqsDlqSender } from "../../../../functions/shared/dlq-sender.js";
import { PermanentError, RetryableError } from "../../../../functions/shared/errors.js";
import { createSqsConsumer, type SqsConsumerOptions } from "../../../../functions/shared/sqs-consumer.js";
import { ORDER_EVENT_SCHEMAS, type OrderData } from "../../../../functions/sns-sqs-fanout/order-events.js";
import {
  type Emulator,
  emulatorClientConfig,
  receiveMessages,
  startSqsSns,
} from "../../../helpers/aws-emulators.js";
import {
  cloudEvent,
  lambdaContext,
  queueArn,
  rawCloudEventRecord,
  sqsEvent,
  sqsRecord,
  stringAttributes,
} from "../../../helpers/events.js";

process.env.POWERTOOLS_METRICS_DISABLED = "true";

let fauxqs: Emulator;
let sqs: SQSClient;
let dlqUrl: string;
let fifoDlqUrl: string;

beforeAll(async () => {
  fauxqs = await startSqsSns();
  sqs = new SQSClient(emulatorClientConfig(fauxqs.endpoint));
  dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "worker-dlq" }))).QueueUrl as string;
  fifoDlqUrl = (
    await sqs.send(
      new CreateQueueCommand({ QueueName: "worker-dlq.fifo", Attributes: { FifoQueue: "true" } }),
    )
  ).QueueUrl as string;
});

afterAll(async () => {
  await fauxqs?.stop();
});

const drain = (queueUrl: string, count: number) => receiveMessages(sqs, queueUrl, count);

function consumer(overrides: Partial<SqsConsumerOptions<OrderData>> = {}) {
  const handled: string[] = [];
  const options: SqsConsumerOptions<OrderData> = {
    name: "worker",
    envelope: "raw",
    schemas: ORDER_EVENT_SCHEMAS,
    handle: async (event: CloudEvent<OrderData>) => {
      handled.push(event.id);
    },
    sendToDlq: createSqsDlqSender({ sqs, queueUrl: dlqUrl }),
    logger: new Logger({ logLevel: "SILENT" }),
    metrics: new Metrics({ namespace: "test", serviceName: "worker" }),
    ...overrides,
  };
  return { consumer: createSqsConsumer(options), handled, options };
}

describe("shared SQS consumer, standard queue", () => {
  it("reports only the records whose business function failed (partial batch response)", async () => {
    const { consumer: c, handled } = consumer({
      handle: async (event) => {
        if (event.id === "boom") throw new RetryableError("dependency unavailable");
        if (event.id === "bug") throw new TypeError("unexpected");
        handled.push(event.id);
      },
    });
    const ok = rawCloudEventRecord(cloudEvent({ id: "ok" }));
    const boom = rawCloudEventRecord(cloudEvent({ id: "boom" }));
    const bug = rawCloudEventRecord(cloudEvent({ id: "bug" }));
    const response = await c.handleBatch(sqsEvent(ok, boom, bug), lambdaContext());
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: boom.messageId },
      { itemIdentifier: bug.messageId },
    ]);
    expect(handled).toEqual(["ok"]);
  });

  it("returns every record as failed (not a thrown error) when all fail", async () => {
    const { consumer: c } = consumer({
      handle: async () => {
        throw new RetryableError("down");
      },
    });
    const records = [cloudEvent(), cloudEvent()].map((e) => rawCloudEventRecord(e));
    const response = await c.handleBatch(sqsEvent(...records));
    expect(response.batchItemFailures).toHaveLength(2);
  });

  it("sends a PermanentError from the business function to the DLQ with its type and reason", async () => {
    const metrics = new Metrics({ namespace: "test", serviceName: "worker" });
    const addMetric = vi.spyOn(metrics, "addMetric");
    const { consumer: c } = consumer({
      metrics,
      handle: async () => {
        throw new PermanentError("BusinessRule", "order already cancelled");
      },
    });
    const record = rawCloudEventRecord(cloudEvent({ id: "cancelled" }), {
      messageAttributes: stringAttributes({ type: "order.created", tenant: "acme" }),
    });
    const response = await c.handleBatch(sqsEvent(record));
    expect(response.batchItemFailures).toEqual([]);
    const [dead] = await drain(dlqUrl, 1);
    expect(dead?.Body).toBe(record.body);
    expect(dead?.MessageAttributes).toMatchObject({
      "error.type": { DataType: "String", StringValue: "BusinessRule" },
      "error.reason": { DataType: "String", StringValue: "order already cancelled" },
      type: { StringValue: "order.created" },
      tenant: { StringValue: "acme" },
    });
    expect(addMetric).toHaveBeenCalledWith("RecordsDeadLettered", "Count", 1);
  });

  it("reports a permanent failure as a batch item failure when the DLQ send fails (nothing lost)", async () => {
    const missingDlq = `${fauxqs.endpoint}/000000000000/does-not-exist`;
    const { consumer: c } = consumer({ sendToDlq: createSqsDlqSender({ sqs, queueUrl: missingDlq }) });
    const bad = sqsRecord({ body: "{oops" });
    const good = rawCloudEventRecord(cloudEvent());
    const response = await c.handleBatch(sqsEvent(bad, good));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
  });

  it("injects transient faults only on the first receive of the selected events", async () => {
    const { consumer: c, handled } = consumer({ faultInjection: { transientRate: 1 } });
    const event = cloudEvent({ id: "flaky" });
    const first = rawCloudEventRecord(event, { receiveCount: 1 });
    const retry = rawCloudEventRecord(event, { receiveCount: 2, messageId: first.messageId });
    expect((await c.handleBatch(sqsEvent(first))).batchItemFailures).toEqual([
      { itemIdentifier: first.messageId },
    ]);
    expect(handled).toEqual([]);
    expect((await c.handleBatch(sqsEvent(retry))).batchItemFailures).toEqual([]);
    expect(handled).toEqual(["flaky"]);
  });
});

describe("shared SQS consumer, a record redriven with its DLQ copy's attributes (move task)", () => {
  it("logs the stale error.* as previousError on receipt and replaces it when the record fails again", async () => {
    const logger = new Logger({ logLevel: "SILENT" });
    const info = vi.spyOn(logger, "info");
    const { consumer: c, handled } = consumer({ logger });
    const stale = stringAttributes({ "error.type": "RetriesExhausted", "error.reason": "downstream 503" });
    const redriven = rawCloudEventRecord(cloudEvent({ id: "redriven" }), {
      receiveCount: 1,
      messageAttributes: stale,
    });
    const fresh = rawCloudEventRecord(cloudEvent({ id: "fresh" }));
    expect(await c.handleBatch(sqsEvent(redriven, fresh))).toEqual({ batchItemFailures: [] });
    expect(handled.sort()).toEqual(["fresh", "redriven"]);
    const withPrevious = info.mock.calls.filter(
      ([, fields]) => fields !== undefined && "previousError" in (fields as object),
    );
    expect(withPrevious).toHaveLength(1);
    expect(withPrevious[0]?.[1]).toMatchObject({
      messageId: redriven.messageId,
      previousError: { type: "RetriesExhausted", reason: "downstream 503" },
    });

    const { consumer: failing } = consumer({
      logger,
      handle: async () => {
        throw new PermanentError("BusinessRule", "order already cancelled");
      },
    });
    const again = rawCloudEventRecord(cloudEvent({ id: "redriven-again" }), { messageAttributes: stale });
    expect(await failing.handleBatch(sqsEvent(again))).toEqual({ batchItemFailures: [] });
    const [dead] = await drain(dlqUrl, 1);
    expect(dead?.MessageAttributes?.["error.type"]?.StringValue).toBe("BusinessRule");
    expect(dead?.MessageAttributes?.["error.reason"]?.StringValue).toBe("order already cancelled");
  });
});

describe("shared SQS consumer, FIFO queue", () => {
  const fifoArn = queueArn("worker.fifo");
  const record = (id: string, group: string) =>
    rawCloudEventRecord(cloudEvent({ id }), { eventSourceARN: fifoArn, messageGroupId: group });

  it("blocks the rest of a failed message's group in the batch while other groups go on", async () => {
    const { consumer: c, handled } = consumer({
      handle: async (event) => {
        if (event.id === "a1") throw new RetryableError("not yet");
        handled.push(event.id);
      },
    });
    const [a1, b1, a2, b2] = [record("a1", "A"), record("b1", "B"), record("a2", "A"), record("b2", "B")];
    const response = await c.handleBatch(sqsEvent(a1, b1, a2, b2), lambdaContext());
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: a1.messageId },
      { itemIdentifier: a2.messageId },
    ]);
    expect(handled).toEqual(["b1", "b2"]);
  });

  it("treats a dead-lettered record as handled, so its group continues", async () => {
    const { consumer: c, handled } = consumer({
      sendToDlq: createSqsDlqSender({ sqs, queueUrl: fifoDlqUrl }),
    });
    const bad = sqsRecord({ body: "not json", eventSourceARN: fifoArn, messageGroupId: "C" });
    const next = record("c2", "C");
    const response = await c.handleBatch(sqsEvent(bad, next));
    expect(response.batchItemFailures).toEqual([]);
    expect(handled).toEqual(["c2"]);
    const [dead] = await drain(fifoDlqUrl, 1);
    expect(dead?.Attributes).toMatchObject({ MessageGroupId: "C", MessageDeduplicationId: bad.messageId });
    expect(dead?.MessageAttributes?.["error.type"]?.StringValue).toBe("MalformedJson");
  });
});
