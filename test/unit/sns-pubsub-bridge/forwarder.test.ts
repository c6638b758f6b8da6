/**
 * The AWS → Google Cloud forwarder against the in-process Pub/Sub emulator with the real client:
 * binary-mode CloudEvent attributes, partial batch responses (a record is deleted only after its
 * publish was acknowledged), permanent failures to the DLQ, ordering keys from FIFO groups.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import { PubSub } from "@google-cloud/pubsub";
import { Server, ServerCredentials, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  createForwarder,
  type ForwarderConfig,
  readForwarderConfig,
} from "../../../functions/sns-pubsub-bridge/forwarder.ts";
import {
  type PubsubPublisher,
  topicPublisher,
} from "../../../functions/sns-pubsub-bridge/pubsub-publisher.ts";
import { type PubsubEmulator, startPubsubEmulator } from "../../../tools/local/pubsub/index.ts";
import { pubsubServices } from "../../../tools/local/pubsub/protos.ts";
import {
  cloudEvent,
  queueArn,
  rawCloudEventRecord,
  snsEnvelopeRecord,
  sqsEvent,
  sqsRecord,
} from "../../helpers/events.ts";
import { quietObservability } from "./quiet.ts";

const PROJECT = "bridge-unit";
let emulator: PubsubEmulator;
let pubsub: PubSub;
let n = 0;

beforeAll(async () => {
  process.env.METADATA_SERVER_DETECTION = "none";
  emulator = await startPubsubEmulator();
  process.env.PUBSUB_EMULATOR_HOST = emulator.emulatorHost;
  pubsub = new PubSub({ projectId: PROJECT });
});
afterAll(async () => {
  await pubsub.close();
  await emulator.stop();
  delete process.env.PUBSUB_EMULATOR_HOST;
});

async function topicWithSubscription(ordered = false) {
  const id = `forward-${++n}`;
  const [topic] = await pubsub.createTopic(id);
  await topic.createSubscription(`${id}-sub`, { enableMessageOrdering: ordered });
  return {
    topicName: topic.name,
    queue: () => emulator.registry.subscription(`projects/${PROJECT}/subscriptions/${id}-sub`),
  };
}

function config(topicName: string, envelope: "raw" | "sns" = "raw"): ForwarderConfig {
  return {
    topicName,
    projectId: PROJECT,
    dlqUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/bridge-dlq",
    envelope,
    eventTypes: ["order.created", "order.cancelled"],
    credentials: { parameterName: "/bridge/google" },
    publishTimeoutMs: 20_000,
    faultInjection: { transientRate: 0 },
  };
}

function fakeSqs() {
  const send = vi.fn(async (_command: unknown) => ({}));
  return { client: { send } as unknown as SQSClient, send };
}

function forwarder(cfg: ForwarderConfig, publisher: PubsubPublisher, sqs: SQSClient) {
  return createForwarder({ config: cfg, sqs, publisher: async () => publisher, ...quietObservability() });
}

describe("readForwarderConfig", () => {
  const env = {
    PUBSUB_TOPIC: "projects/p-1/topics/events",
    DLQ_URL: "https://sqs/dlq",
    RAW_MESSAGE_DELIVERY: "true",
    FORWARDED_EVENT_TYPES: "a.b, c.d",
    GOOGLE_CREDENTIALS_PARAMETER: "/bridge/google",
  };
  it("reads the project from the topic name and the allowed types", () => {
    const c = readForwarderConfig(env);
    expect(c.projectId).toBe("p-1");
    expect(c.eventTypes).toEqual(["a.b", "c.d"]);
    expect(c.credentials).toEqual({ parameterName: "/bridge/google" });
  });
  it("reads the publish timeout, 20 s by default", () => {
    expect(readForwarderConfig(env).publishTimeoutMs).toBe(20_000);
    expect(readForwarderConfig({ ...env, PUBLISH_TIMEOUT_MS: "1500" }).publishTimeoutMs).toBe(1500);
    expect(() => readForwarderConfig({ ...env, PUBLISH_TIMEOUT_MS: "soon" })).toThrow(/PUBLISH_TIMEOUT_MS/);
  });
  it("refuses a malformed topic and both or neither credential locations", () => {
    expect(() => readForwarderConfig({ ...env, PUBSUB_TOPIC: "events" })).toThrow(/projects\/<project>/);
    expect(() => readForwarderConfig({ ...env, GOOGLE_CREDENTIALS_SECRET_ARN: "arn" })).toThrow(
      /exactly one/,
    );
    expect(() => readForwarderConfig({ ...env, GOOGLE_CREDENTIALS_PARAMETER: undefined })).toThrow(
      /exactly one/,
    );
  });
});

describe("forwarder", () => {
  it("publishes each CloudEvent in binary mode (ce-* attributes, data as the body) and reports no failure", async () => {
    const { topicName, queue } = await topicWithSubscription();
    const sqs = fakeSqs();
    const events = [cloudEvent({ subject: "ord-1" }), cloudEvent({ type: "order.cancelled" })];
    const result = await forwarder(
      config(topicName, "sns"),
      topicPublisher(pubsub, topicName),
      sqs.client,
    ).handleBatch(sqsEvent(...events.map((e) => snsEnvelopeRecord(e))));
    expect(result.batchItemFailures).toEqual([]);
    const deliveries = queue().take(10);
    expect(deliveries).toHaveLength(2);
    const first = deliveries.find((d) => d.message.attributes["ce-id"] === events[0]?.id);
    expect(first?.message.attributes).toEqual({
      "ce-id": events[0]?.id,
      "ce-source": "orders-service",
      "ce-type": "order.created",
      "ce-specversion": "1.0",
      "ce-time": "2026-11-23T06:00:00.000Z",
      "ce-subject": "ord-1",
      "ce-correlationid": events[0]?.correlationid,
      "content-type": "application/json",
    });
    expect(JSON.parse(first?.message.data.toString() ?? "")).toEqual(events[0]?.data);
    expect(sqs.send).not.toHaveBeenCalled();
  });

  it("reports only the record whose publish failed; the others are published", async () => {
    const { topicName, queue } = await topicWithSubscription();
    const real = topicPublisher(pubsub, topicName);
    const failing = cloudEvent();
    const publisher: PubsubPublisher = {
      publish: (m) =>
        m.attributes["ce-id"] === failing.id ? Promise.reject(new Error("UNAVAILABLE")) : real.publish(m),
      flush: () => real.flush(),
    };
    const records = [
      rawCloudEventRecord(cloudEvent()),
      rawCloudEventRecord(failing),
      rawCloudEventRecord(cloudEvent()),
    ];
    const result = await forwarder(config(topicName), publisher, fakeSqs().client).handleBatch(
      sqsEvent(...records),
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records[1]?.messageId }]);
    expect(queue().backlog).toBe(2);
  });

  it("a missing Pub/Sub topic fails every record (retried, never deleted)", async () => {
    const topicName = `projects/${PROJECT}/topics/never-created`;
    const records = [rawCloudEventRecord(cloudEvent()), rawCloudEventRecord(cloudEvent())];
    const result = await forwarder(
      config(topicName),
      topicPublisher(pubsub, topicName),
      fakeSqs().client,
    ).handleBatch(sqsEvent(...records));
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      records.map((r) => r.messageId).sort(),
    );
  });

  it("a publish Pub/Sub never answers fails its record after the publish timeout (not the invocation)", async () => {
    // A Publisher whose Publish never answers.
    const server = new Server();
    server.addService(pubsubServices().publisher, { Publish: () => {} } as UntypedServiceImplementation);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    const hanging = new PubSub({ projectId: PROJECT, apiEndpoint: `127.0.0.1:${port}`, emulatorMode: true });
    try {
      const topicName = `projects/${PROJECT}/topics/hangs`;
      const record = rawCloudEventRecord(cloudEvent());
      const result = await forwarder(
        config(topicName),
        topicPublisher(hanging, topicName, { timeoutMs: 300 }),
        fakeSqs().client,
      ).handleBatch(sqsEvent(record));
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    } finally {
      await hanging.close();
      server.forceShutdown();
    }
  });

  it("sends a non-CloudEvent and a type the bridge does not forward to the DLQ with the reason", async () => {
    const { topicName, queue } = await topicWithSubscription();
    const sqs = fakeSqs();
    const records = [
      sqsRecord({ body: "not json" }),
      rawCloudEventRecord(cloudEvent({ type: "payment.secret" })),
    ];
    const result = await forwarder(
      config(topicName),
      topicPublisher(pubsub, topicName),
      sqs.client,
    ).handleBatch(sqsEvent(...records));
    expect(result.batchItemFailures).toEqual([]);
    expect(queue().backlog).toBe(0);
    const types = sqs.send.mock.calls.map(
      (call) =>
        (call[0] as { input: { MessageAttributes: Record<string, { StringValue: string }> } }).input
          .MessageAttributes["error.type"]?.StringValue,
    );
    expect(types.sort()).toEqual(["MalformedJson", "UnknownEventType"]);
  });

  it("from a FIFO queue, the message group becomes the ordering key and each key arrives in order", async () => {
    const { topicName, queue } = await topicWithSubscription(true);
    const fifo = queueArn("bridge.fifo");
    const records = [0, 1, 2, 3].map((i) =>
      rawCloudEventRecord(cloudEvent({ data: { i } }), {
        eventSourceARN: fifo,
        messageGroupId: i % 2 ? "odd" : "even",
      }),
    );
    const result = await forwarder(
      config(topicName),
      topicPublisher(pubsub, topicName),
      fakeSqs().client,
    ).handleBatch(sqsEvent(...records));
    expect(result.batchItemFailures).toEqual([]);
    const seen: Record<string, number[]> = {};
    for (;;) {
      const batch = queue().take(10);
      if (batch.length === 0) break;
      for (const d of batch) {
        const list = seen[d.message.orderingKey] ?? [];
        list.push((JSON.parse(d.message.data.toString()) as { i: number }).i);
        seen[d.message.orderingKey] = list;
      }
      queue().acknowledge(batch.map((d) => d.ackId));
    }
    expect(seen).toEqual({ even: [0, 2], odd: [1, 3] });
  });
});
