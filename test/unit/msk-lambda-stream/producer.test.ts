import { GetBootstrapBrokersCommand } from "@aws-sdk/client-kafka";
import { Consumer, ProduceAcks, Producer, stringDeserializers, stringSerializers } from "@platformatic/kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BootstrapBrokersError,
  bootstrapBrokerDiscovery,
  iamTokenProvider,
  kafkaTls,
  mskIamSasl,
} from "../../../functions/msk-lambda-stream/msk-connection.js";
import { buildEntityRecords, publishEntityEvents } from "../../../functions/msk-lambda-stream/publish.js";
import { type KafkaBroker, startKafka } from "../../../tools/local/kafka/index.js";

describe("bootstrapBrokerDiscovery", () => {
  const arn = "arn:aws:kafka:us-east-1:123456789012:cluster/c/u";

  it("calls GetBootstrapBrokers once and returns the IAM brokers", async () => {
    const calls: unknown[] = [];
    const client = {
      send: async (command: unknown) => {
        calls.push(command);
        return { BootstrapBrokerStringSaslIam: "b-1.x:9098,b-2.x:9098" };
      },
    };
    const discover = bootstrapBrokerDiscovery(client as never, arn);
    expect(await discover()).toEqual(["b-1.x:9098", "b-2.x:9098"]);
    expect(await discover()).toEqual(["b-1.x:9098", "b-2.x:9098"]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toBeInstanceOf(GetBootstrapBrokersCommand);
    expect((calls[0] as GetBootstrapBrokersCommand).input).toEqual({ ClusterArn: arn });
  });

  it("fails with a typed error when IAM auth is off, and retries on the next call", async () => {
    let answer: Record<string, string> = { BootstrapBrokerStringTls: "b-1.x:9094" };
    const discover = bootstrapBrokerDiscovery({ send: async () => answer } as never, arn);
    await expect(discover()).rejects.toBeInstanceOf(BootstrapBrokersError);
    answer = { BootstrapBrokerStringSaslIam: "b-1.x:9098" };
    expect(await discover()).toEqual(["b-1.x:9098"]);
  });
});

describe("iamTokenProvider (MSK-08)", () => {
  it("signs once, reuses the token, and re-signs a minute before it expires", async () => {
    let now = 1_000_000;
    let signed = 0;
    const provider = iamTokenProvider({
      generate: async () => ({ token: `t${++signed}`, expiryTime: now + 900_000 }),
      now: () => now,
    });
    expect(await provider()).toBe("t1");
    now += 800_000;
    expect(await provider()).toBe("t1");
    now += 50_000; // 50 s before expiry: inside the refresh window
    expect(await provider()).toBe("t2");
    expect(mskIamSasl(provider)).toMatchObject({ mechanism: "OAUTHBEARER" });
  });
});

describe("kafkaTls", () => {
  it("is on unless the local cloud says KAFKA_TLS=false", () => {
    expect(kafkaTls({})).toEqual({ tls: {} });
    expect(kafkaTls({ KAFKA_TLS: "true" })).toEqual({ tls: {} });
    expect(kafkaTls({ KAFKA_TLS: "false" })).toEqual({});
  });
});

describe("buildEntityRecords", () => {
  it("keys each record by entity ID and wraps it in a CloudEvent with sequence and headers", () => {
    const { records, events } = buildEntityRecords(
      "orders",
      [{ entityId: "order-1", sequence: 3, type: "order.updated", data: { total: 5 }, id: "evt-1" }],
      { source: "test", clock: () => new Date("2026-12-01T00:00:00Z") },
    );
    expect(records[0]).toMatchObject({
      topic: "orders",
      key: "order-1",
      headers: { "ce-id": "evt-1", "ce-type": "order.updated" },
    });
    expect(JSON.parse(records[0]?.value ?? "")).toEqual(events[0]);
    expect(events[0]).toMatchObject({
      id: "evt-1",
      subject: "order-1",
      data: { total: 5, entityId: "order-1", sequence: 3 },
    });
  });

  it("rejects a bad input with a PermanentError naming the field", () => {
    expect(() =>
      buildEntityRecords("t", [{ entityId: "", sequence: 1, type: "x" }], { source: "s" }),
    ).toThrow(/events\[0\]\.entityId/);
    expect(() =>
      buildEntityRecords("t", [{ entityId: "a", sequence: -1, type: "x" }], { source: "s" }),
    ).toThrow(/sequence/);
  });
});

describe("publishEntityEvents on the local broker (@platformatic/kafka, idempotent, acks=all)", () => {
  let kafka: KafkaBroker;
  beforeAll(async () => {
    // Like MSK's IAM listener: SASL first (tokens are not verified locally).
    kafka = await startKafka({ autoCreateTopics: false, requireSasl: true });
    kafka.createTopic("orders", 4);
  });
  afterAll(async () => {
    await kafka.stop();
  });

  it("puts every event of one entity on one partition, in order, authenticating with the IAM token provider", async () => {
    let signed = 0;
    const token = iamTokenProvider({
      generate: async () => ({ token: `signed-${++signed}`, expiryTime: Date.now() + 900_000 }),
    });
    const producer = new Producer({
      sasl: mskIamSasl(token),
      clientId: "test-producer",
      bootstrapBrokers: kafka.brokers,
      serializers: stringSerializers,
      idempotent: true,
      acks: ProduceAcks.ALL,
      autocreateTopics: false,
    });
    const inputs = Array.from({ length: 40 }, (_, i) => ({
      entityId: `order-${i % 4}`,
      sequence: Math.floor(i / 4) + 1,
      type: "order.updated",
    }));
    try {
      const result = await publishEntityEvents(producer, "orders", inputs, { source: "test" });
      expect(result.ids).toHaveLength(40);
      expect(signed).toBe(1);
    } finally {
      await producer.close();
    }
    expect(
      kafka
        .topics()
        .find((t) => t.name === "orders")
        ?.partitions.reduce((n, p) => n + p.highWatermark, 0),
    ).toBe(40);

    const consumer = new Consumer({
      sasl: { mechanism: "OAUTHBEARER", token: "verifier" },
      clientId: "test-consumer",
      groupId: "verify",
      bootstrapBrokers: kafka.brokers,
      deserializers: stringDeserializers,
    });
    const seen = new Map<string, { partition: number; sequences: number[] }>();
    try {
      const stream = await consumer.consume({ topics: ["orders"], mode: "earliest" });
      let count = 0;
      for await (const message of stream) {
        const { data } = JSON.parse(message.value) as { data: { entityId: string; sequence: number } };
        const entry = seen.get(data.entityId) ?? { partition: message.partition, sequences: [] };
        expect(message.partition).toBe(entry.partition);
        expect(message.key).toBe(data.entityId);
        entry.sequences.push(data.sequence);
        seen.set(data.entityId, entry);
        if (++count === 40) break;
      }
    } finally {
      await consumer.close(true);
    }
    expect(seen.size).toBe(4);
    for (const { sequences } of seen.values()) expect(sequences).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});
