import {
  CreateTopicCommand,
  type PublishBatchCommandInput,
  type PublishBatchResponse,
  SNSClient,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { PermanentError } from "../../../../functions/shared/errors.js";
import { entrySizeBytes, MAX_BATCH_BYTES } from "../../../../functions/sns-sqs-fanout/publish-batches.js";
import { createPublisher } from "../../../../functions/sns-sqs-fanout/publisher.js";
import {
  type Emulator,
  emulatorClientConfig,
  receiveMessages,
  startSqsSns,
  useEmulatorEnv,
} from "../../../helpers/aws-emulators.js";
import { lambdaContext, orderData } from "../../../helpers/events.js";

let fauxqs: Emulator;
let sns: SNSClient;
let sqs: SQSClient;
let restoreEnv: () => void;
const calls: PublishBatchCommandInput[] = [];
const topics: Record<string, string> = {};
const queues: Record<string, string> = {};

/** Creates a topic with one raw-delivery queue subscribed, so published messages can be read back. */
async function topicWithQueue(name: string, fifo: boolean): Promise<void> {
  const attributes = fifo ? { FifoQueue: "true" } : undefined;
  const topic = await sns.send(
    new CreateTopicCommand({ Name: name, Attributes: fifo ? { FifoTopic: "true" } : {} }),
  );
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${name.replace(".fifo", "")}-q${fifo ? ".fifo" : ""}`,
      Attributes: attributes,
    }),
  );
  topics[name] = topic.TopicArn as string;
  queues[name] = queue.QueueUrl as string;
  const queueArn = `arn:aws:sqs:us-east-1:000000000000:${(queue.QueueUrl as string).split("/").pop()}`;
  await sns.send(
    new SubscribeCommand({
      TopicArn: topic.TopicArn,
      Protocol: "sqs",
      Endpoint: queueArn,
      Attributes: { RawMessageDelivery: "true" },
    }),
  );
}

const receiveAll = (queueUrl: string, count: number) => receiveMessages(sqs, queueUrl, count);

/** Receives and deletes in FIFO delivery order (an in-flight message blocks its group) until `count` arrived. */
async function receiveInOrder(queueUrl: string, count: number): Promise<Message[]> {
  const received: Message[] = [];
  for (let attempt = 0; received.length < count && attempt < 50; attempt++) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    received.push(...Messages);
    if (Messages.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
        }),
      );
    }
  }
  return received;
}

beforeAll(async () => {
  fauxqs = await startSqsSns();
  sns = new SNSClient(emulatorClientConfig(fauxqs.endpoint));
  sqs = new SQSClient(emulatorClientConfig(fauxqs.endpoint));
  sns.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "PublishBatchCommand") calls.push(args.input as PublishBatchCommandInput);
      return next(args);
    },
    { step: "initialize", name: "recordPublishBatchCalls" },
  );
  await topicWithQueue("orders", false);
  await topicWithQueue("orders.fifo", true);
  await topicWithQueue("groups.fifo", true);
  restoreEnv = useEmulatorEnv({ sqsSns: fauxqs.endpoint });
});

afterAll(async () => {
  restoreEnv?.();
  await fauxqs?.stop();
});

const clock = () => new Date("2026-11-23T06:00:00.000Z");

describe("publisher on a standard topic", () => {
  it("publishes 25 events as CloudEvents in calls of at most 10 entries", async () => {
    calls.length = 0;
    const publish = createPublisher({
      sns,
      topicArn: topics.orders as string,
      source: "orders-service",
      clock,
    });
    const events = Array.from({ length: 25 }, (_, i) => ({
      id: `evt-${i}`,
      type: i % 2 ? "order.paid" : "order.created",
      data: orderData(),
    }));
    const result = await publish({ events });

    expect(result.failed).toEqual([]);
    expect(result.published.map((p) => p.id)).toEqual(events.map((e) => e.id));
    expect(new Set(result.published.map((p) => p.messageId)).size).toBe(25);
    expect(calls.map((c) => c.PublishBatchRequestEntries?.length)).toEqual([10, 10, 5]);

    const messages = await receiveAll(queues.orders as string, 25);
    const byId = new Map(messages.map((m) => [JSON.parse(m.Body as string).id as string, m]));
    const first = byId.get("evt-1");
    expect(JSON.parse(first?.Body as string)).toEqual({
      specversion: "1.0",
      id: "evt-1",
      source: "orders-service",
      type: "order.paid",
      time: "2026-11-23T06:00:00.000Z",
      correlationid: "evt-1",
      datacontenttype: "application/json",
      data: events[1]?.data,
    });
    expect(first?.MessageAttributes?.type).toMatchObject({ DataType: "String", StringValue: "order.paid" });
    expect(byId.size).toBe(25);
  });

  it("keeps every call within 256 KiB and rejects an oversize entry before any call", async () => {
    calls.length = 0;
    const publish = createPublisher({
      sns,
      topicArn: topics.orders as string,
      source: "orders-service",
      clock,
    });
    const big = (id: string, kib: number) => ({
      id,
      type: "order.created",
      data: orderData({ note: "x".repeat(kib * 1024) }),
    });
    const result = await publish({
      events: [big("b1", 100), big("b2", 100), big("huge", 300), big("b3", 100), big("b4", 100)],
    });

    expect(result.published.map((p) => p.id)).toEqual(["b1", "b2", "b3", "b4"]);
    expect(result.failed).toEqual([
      { id: "huge", code: "EntryTooLarge", message: expect.stringMatching(/bytes/), senderFault: true },
    ]);
    expect(calls.length).toBe(2);
    for (const call of calls) {
      const entries = call.PublishBatchRequestEntries ?? [];
      expect(entries.reduce((sum, e) => sum + entrySizeBytes(e), 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
      expect(entries.some((e) => e.Message?.includes('"id":"huge"'))).toBe(false);
    }
    await receiveAll(queues.orders as string, 4);
  });

  it("rejects an invalid request before publishing anything", async () => {
    calls.length = 0;
    const publish = createPublisher({ sns, topicArn: topics.orders as string, source: "s" });
    await expect(publish({ events: [{ type: "order.created", data: {} }, { data: {} }] })).rejects.toThrow(
      PermanentError,
    );
    await expect(publish({ nope: true })).rejects.toThrow(/events/);
    expect(calls).toEqual([]);
  });
});

describe("publisher message attributes (FAN-06)", () => {
  const attributes = (count: number) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`attr${i}`, `v${i}`]));

  it("publishes up to 10 attributes (type included) and refuses an 11th before sending, for raw subscribers", async () => {
    calls.length = 0;
    const publish = createPublisher({ sns, topicArn: topics.orders as string, source: "s", clock });
    const result = await publish({
      events: [
        { id: "ten", type: "order.created", data: orderData(), attributes: attributes(9) },
        { id: "eleven", type: "order.created", data: orderData(), attributes: attributes(10) },
      ],
    });
    expect(result.published.map((p) => p.id)).toEqual(["ten"]);
    expect(result.failed).toEqual([
      {
        id: "eleven",
        code: "TooManyMessageAttributes",
        message: expect.stringMatching(/11 message attributes .*raw message delivery carries at most 10/),
        senderFault: true,
      },
    ]);
    expect(calls.flatMap((c) => c.PublishBatchRequestEntries ?? []).map((e) => e.Id)).toEqual(["e0"]);
    const message = (await receiveAll(queues.orders as string, 1)).find(
      (m) => JSON.parse(m.Body as string).id === "ten",
    );
    expect(Object.keys(message?.MessageAttributes ?? {}).sort()).toEqual(
      [...Object.keys(attributes(9)), "type"].sort(),
    );
  });

  it("rejects attribute names SNS refuses, and `type`, before publishing anything", async () => {
    calls.length = 0;
    const publish = createPublisher({ sns, topicArn: topics.orders as string, source: "s" });
    for (const name of ["type", "AWS.trace", "amazon.x", "a..b", ".lead", "trail.", "spa ce"]) {
      await expect(
        publish({ events: [{ type: "order.created", data: {}, attributes: { [name]: "v" } }] }),
      ).rejects.toThrow(PermanentError);
    }
    expect(calls).toEqual([]);
  });
});

describe("publisher on a FIFO topic", () => {
  it("sets MessageGroupId (groupId ?? subject ?? type) and MessageDeduplicationId = id", async () => {
    const publish = createPublisher({ sns, topicArn: topics["orders.fifo"] as string, source: "s", clock });
    const result = await publish({
      events: [
        { id: "f1", type: "order.created", data: orderData(), groupId: "customer-7", subject: "ord-1" },
        { id: "f2", type: "order.created", data: orderData(), subject: "ord-2" },
        { id: "f3", type: "order.paid", data: orderData() },
      ],
    });
    expect(result.failed).toEqual([]);
    const messages = await receiveAll(queues["orders.fifo"] as string, 3);
    const attributes = Object.fromEntries(
      messages.map((m) => [JSON.parse(m.Body as string).id, m.Attributes ?? {}]),
    );
    expect(attributes.f1).toMatchObject({ MessageGroupId: "customer-7", MessageDeduplicationId: "f1" });
    expect(attributes.f2).toMatchObject({ MessageGroupId: "ord-2", MessageDeduplicationId: "f2" });
    expect(attributes.f3).toMatchObject({ MessageGroupId: "order.paid", MessageDeduplicationId: "f3" });
  });
});

describe("publisher on a FIFO topic, many groups", () => {
  it("publishes every entry, one per group per call, in each group's order", async () => {
    calls.length = 0;
    const publish = createPublisher({ sns, topicArn: topics["groups.fifo"] as string, source: "s", clock });
    const events = ["A", "B", "C"].flatMap((group) =>
      Array.from({ length: 4 }, (_, i) => ({
        id: `g${group}-${i}`,
        groupId: `group-${group}`,
        type: "order.created",
        data: orderData(),
      })),
    );
    const result = await publish({ events });
    expect(result.failed).toEqual([]);
    expect(calls.map((c) => c.PublishBatchRequestEntries?.length)).toEqual([3, 3, 3, 3]);
    const messages = await receiveInOrder(queues["groups.fifo"] as string, 12);
    expect(messages).toHaveLength(12);
    const ids = messages.map((m) => JSON.parse(m.Body as string).id as string);
    for (const group of ["A", "B", "C"]) {
      expect(ids.filter((id) => id.startsWith(`g${group}-`))).toEqual(
        [0, 1, 2, 3].map((i) => `g${group}-${i}`),
      );
    }
  });
});

describe("publisher failure reporting", () => {
  const stub = (send: (input: PublishBatchCommandInput) => Promise<PublishBatchResponse>) =>
    ({ send: (command: { input: PublishBatchCommandInput }) => send(command.input) }) as unknown as SNSClient;

  it("returns the per-entry failures SNS reports, and every other entry as published", async () => {
    const publish = createPublisher({
      sns: stub(async (input) => {
        const [first, second, ...rest] = input.PublishBatchRequestEntries ?? [];
        return {
          Successful: [first, ...rest].map((e) => ({ Id: e?.Id, MessageId: `m-${e?.Id}` })),
          Failed: [{ Id: second?.Id, Code: "InternalError", Message: "try again", SenderFault: false }],
          $metadata: {},
        };
      }),
      topicArn: "arn:aws:sns:us-east-1:123456789012:orders",
      source: "s",
    });
    const result = await publish({
      events: ["a", "b", "c"].map((id) => ({ id, type: "order.created", data: {} })),
    });
    expect(result.published).toEqual([
      { id: "a", messageId: "m-e0" },
      { id: "c", messageId: "m-e2" },
    ]);
    expect(result.failed).toEqual([
      { id: "b", code: "InternalError", message: "try again", senderFault: false },
    ]);
  });

  it("fails every entry of a call that throws, and still sends the next calls", async () => {
    let call = 0;
    const publish = createPublisher({
      sns: stub(async (input) => {
        call++;
        if (call === 1) {
          throw Object.assign(new Error("Rate exceeded"), { name: "ThrottledException", $fault: "client" });
        }
        return {
          Successful: (input.PublishBatchRequestEntries ?? []).map((e) => ({ Id: e.Id, MessageId: "m" })),
          $metadata: {},
        };
      }),
      topicArn: "arn:aws:sns:us-east-1:123456789012:orders",
      source: "s",
    });
    const result = await publish({
      events: Array.from({ length: 12 }, (_, i) => ({ id: `x${i}`, type: "order.created", data: {} })),
    });
    expect(result.failed).toHaveLength(10);
    expect(result.failed[0]).toEqual({
      id: "x0",
      code: "ThrottledException",
      message: "Rate exceeded",
      senderFault: true,
    });
    expect(result.published.map((p) => p.id)).toEqual(["x10", "x11"]);
  });

  it("on a FIFO topic, never sends an entry after a failed one of its group inside one call (issue 11 item 6)", async () => {
    const calls: string[][] = [];
    const publish = createPublisher({
      sns: stub(async (input) => {
        const entries = input.PublishBatchRequestEntries ?? [];
        calls.push(entries.map((e) => JSON.parse(e.Message as string).id));
        // SNS answers each entry on its own: a0 fails, everything else in the call succeeds
        const ids = (e: { Message?: string }) => JSON.parse(e.Message as string).id;
        return {
          Successful: entries
            .filter((e) => ids(e) !== "a0")
            .map((e) => ({ Id: e.Id, MessageId: `m-${ids(e)}` })),
          Failed: entries
            .filter((e) => ids(e) === "a0")
            .map((e) => ({ Id: e.Id, Code: "InternalError", Message: "try again", SenderFault: false })),
          $metadata: {},
        };
      }),
      topicArn: "arn:aws:sns:us-east-1:123456789012:orders.fifo",
      source: "s",
    });
    const event = (id: string, groupId: string) => ({ id, groupId, type: "order.created", data: {} });
    const result = await publish({
      events: [event("a0", "A"), event("a1", "A"), event("b0", "B"), event("a2", "A"), event("b1", "B")],
    });
    // at most one entry per group per call; a group's next entry only after its predecessor's answer
    for (const call of calls) expect(new Set(call.map((id) => id[0])).size).toBe(call.length);
    expect(calls).toEqual([["a0", "b0"], ["b1"]]);
    expect(result.published.map((p) => p.id)).toEqual(["b0", "b1"]);
    expect(result.failed).toEqual([
      { id: "a0", code: "InternalError", message: "try again", senderFault: false },
      expect.objectContaining({ id: "a1", code: "PreviousEntryFailed", senderFault: false }),
      expect.objectContaining({ id: "a2", code: "PreviousEntryFailed", senderFault: false }),
    ]);
  });

  it("on a FIFO topic, does not send later entries of a group whose earlier entry failed in an earlier call", async () => {
    const sent: string[] = [];
    let call = 0;
    const publish = createPublisher({
      sns: stub(async (input) => {
        call++;
        const entries = input.PublishBatchRequestEntries ?? [];
        sent.push(...entries.map((e) => JSON.parse(e.Message as string).id));
        if (call === 2)
          throw Object.assign(new Error("Internal"), { name: "InternalErrorException", $fault: "server" });
        return { Successful: entries.map((e) => ({ Id: e.Id, MessageId: "m" })), $metadata: {} };
      }),
      topicArn: "arn:aws:sns:us-east-1:123456789012:orders.fifo",
      source: "s",
    });
    const events = [
      ...Array.from({ length: 4 }, (_, i) => ({
        id: `a${i}`,
        groupId: "A",
        type: "order.created",
        data: {},
      })),
      { id: "b0", groupId: "B", type: "order.created", data: {} },
    ];
    const result = await publish({ events });
    expect(sent).toEqual(["a0", "b0", "a1"]); // call 1: a0 + b0, call 2 (fails): a1; a2, a3 never sent
    expect(result.published.map((p) => p.id)).toEqual(["a0", "b0"]);
    expect(result.failed.map((f) => [f.id, f.code])).toEqual([
      ["a1", "InternalErrorException"],
      ["a2", "PreviousEntryFailed"],
      ["a3", "PreviousEntryFailed"],
    ]);
  });

  it("reports an entry missing from the response instead of dropping it", async () => {
    const publish = createPublisher({
      sns: stub(async () => ({ Successful: [], Failed: [], $metadata: {} })),
      topicArn: "arn:aws:sns:us-east-1:123456789012:orders",
      source: "s",
    });
    const result = await publish({ events: [{ id: "lost", type: "order.created", data: {} }] });
    expect(result.failed).toEqual([expect.objectContaining({ id: "lost", code: "MissingFromResponse" })]);
  });
});

describe("publish handler", () => {
  it("fails at cold start naming the missing variables", async () => {
    vi.resetModules();
    vi.stubEnv("TOPIC_ARN", "");
    vi.stubEnv("EVENT_SOURCE", "");
    await expect(import("../../../../functions/sns-sqs-fanout/publish.js")).rejects.toThrow(
      "missing required environment variable(s): TOPIC_ARN, EVENT_SOURCE",
    );
    vi.unstubAllEnvs();
  });

  it("publishes end to end through the Lambda handler", async () => {
    vi.resetModules();
    vi.stubEnv("TOPIC_ARN", topics.orders as string);
    vi.stubEnv("EVENT_SOURCE", "orders-service");
    vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
    vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "true");
    const { handler } = await import("../../../../functions/sns-sqs-fanout/publish.js");
    const result = await handler(
      { events: [{ id: "h1", type: "order.created", data: orderData() }] },
      lambdaContext("publisher"),
    );
    vi.unstubAllEnvs();
    expect(result).toEqual({ published: [{ id: "h1", messageId: expect.any(String) }], failed: [] });
    const [message] = await receiveAll(queues.orders as string, 1);
    expect(JSON.parse(message?.Body as string)).toMatchObject({ id: "h1", source: "orders-service" });
  });
});
