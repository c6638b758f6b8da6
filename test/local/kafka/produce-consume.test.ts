import type { Consumer, EachMessagePayload } from "kafkajs";
import { CompressionTypes } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KafkaBroker, startKafka } from "../../../tools/local/kafka/index.ts";
import { waitFor } from "../../helpers/wait.ts";
import { kafkajs } from "./clients.ts";

interface Seen {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | undefined;
  readonly value: string | undefined;
  readonly headers: Record<string, string>;
}

function collector(seen: Seen[]) {
  return async ({ partition, message }: EachMessagePayload) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
    seen.push({
      partition,
      offset: Number(message.offset),
      key: message.key?.toString(),
      value: message.value?.toString(),
      headers,
    });
  };
}

describe("kafkajs against the local broker", () => {
  let broker: KafkaBroker;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    broker = await startKafka({ defaultPartitions: 3, groups: { initialRebalanceDelayMs: 0 } });
  });
  afterAll(async () => {
    await Promise.allSettled(consumers.map((c) => c.disconnect()));
    await broker.stop();
  });

  const consumer = (groupId: string) => {
    const c = kafkajs(broker.brokers).consumer({ groupId, maxWaitTimeInMs: 200, heartbeatInterval: 500 });
    consumers.push(c);
    return c;
  };

  it("produces and consumes keys and headers, in order per partition, and resumes after a restart", async () => {
    const client = kafkajs(broker.brokers);
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "orders", numPartitions: 3 }] });
    await admin.disconnect();

    const producer = client.producer();
    await producer.connect();
    const first = Array.from({ length: 30 }, (_, i) => ({
      key: `customer-${i % 5}`,
      value: `order-${i}`,
      headers: { "event-type": "OrderPlaced", seq: String(i) },
    }));
    await producer.send({ topic: "orders", messages: first });

    const seen: Seen[] = [];
    const c1 = consumer("billing");
    await c1.connect();
    await c1.subscribe({ topic: "orders", fromBeginning: true });
    await c1.run({ eachMessage: collector(seen) });
    await waitFor(() => seen.length >= 30, { description: "30 messages" });
    // commits happen after each batch; wait until the group's offsets cover everything
    const admin2 = client.admin();
    await admin2.connect();
    await waitFor(
      async () => {
        const [t] = await admin2.fetchOffsets({ groupId: "billing", topics: ["orders"] });
        const committed = (t?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
        return committed === 30;
      },
      { description: "committed offsets" },
    );
    expect((await admin2.listGroups()).groups).toContainEqual({
      groupId: "billing",
      protocolType: "consumer",
    });
    await c1.disconnect();

    expect(seen).toHaveLength(30);
    expect(seen.find((s) => s.value === "order-7")).toMatchObject({
      key: "customer-2",
      headers: { "event-type": "OrderPlaced", seq: "7" },
    });
    // same key → same partition, and within a partition the producer's order is kept
    for (const p of [0, 1, 2]) {
      const inPartition = seen.filter((s) => s.partition === p);
      expect(inPartition.map((s) => s.offset)).toEqual(inPartition.map((_, i) => i));
      const seqs = inPartition.map((s) => Number(s.headers.seq));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    const partitionsByKey = new Map<string, Set<number>>();
    for (const s of seen)
      partitionsByKey.set(s.key ?? "", (partitionsByKey.get(s.key ?? "") ?? new Set()).add(s.partition));
    for (const parts of partitionsByKey.values()) expect(parts.size).toBe(1);

    // restart: a new consumer in the same group starts from the committed offsets
    await producer.send({ topic: "orders", messages: [{ key: "customer-1", value: "after-restart" }] });
    const resumed: Seen[] = [];
    const c2 = consumer("billing");
    await c2.connect();
    await c2.subscribe({ topic: "orders", fromBeginning: true });
    await c2.run({ eachMessage: collector(resumed) });
    await waitFor(() => resumed.length >= 1, { description: "message produced after the restart" });
    await producer.send({ topic: "orders", messages: [{ key: "customer-1", value: "marker" }] });
    await waitFor(() => resumed.some((s) => s.value === "marker"), { description: "marker" });
    expect(resumed.map((s) => s.value)).toEqual(["after-restart", "marker"]);
    await c2.disconnect();
    await admin2.disconnect();
    await producer.disconnect();
  });

  it("accepts an idempotent producer, gzip batches and 1 MiB messages", async () => {
    const client = kafkajs(broker.brokers);
    const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const big = "x".repeat(1024 * 1024);
    await producer.send({ topic: "blobs", messages: [{ key: "big", value: big }] });
    await producer.send({
      topic: "blobs",
      compression: CompressionTypes.GZIP,
      messages: Array.from({ length: 20 }, (_, i) => ({ key: "small", value: `gz-${i}` })),
    });
    await producer.disconnect();

    const seen: Seen[] = [];
    const c = consumer("blob-reader");
    await c.connect();
    await c.subscribe({ topic: "blobs", fromBeginning: true });
    await c.run({ eachMessage: collector(seen) });
    await waitFor(() => seen.length >= 21, { description: "21 messages" });
    await c.disconnect();
    expect(seen.find((s) => s.key === "big")?.value).toHaveLength(1024 * 1024);
    expect(seen.filter((s) => s.key === "small").map((s) => s.value)).toEqual(
      Array.from({ length: 20 }, (_, i) => `gz-${i}`),
    );
  });

  it("answers ListOffsets for earliest, latest and a timestamp", async () => {
    const client = kafkajs(broker.brokers);
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "clock", numPartitions: 1 }] });
    const producer = client.producer();
    await producer.connect();
    await producer.send({
      topic: "clock",
      messages: [1_000, 2_000, 3_000].map((t) => ({
        value: `at-${t}`,
        timestamp: String(1_700_000_000_000 + t),
      })),
    });
    await producer.send({
      topic: "clock",
      messages: [{ value: "at-4000", timestamp: String(1_700_000_004_000) }],
    });
    expect(await admin.fetchTopicOffsets("clock")).toEqual([
      expect.objectContaining({ partition: 0, low: "0", high: "4", offset: "4" }),
    ]);
    const byTime = await admin.fetchTopicOffsetsByTimestamp("clock", 1_700_000_001_500);
    expect(byTime).toEqual([{ partition: 0, offset: "1" }]);
    const pastEnd = await admin.fetchTopicOffsetsByTimestamp("clock", 1_700_000_009_000);
    expect(pastEnd).toEqual([{ partition: 0, offset: "4" }]); // kafkajs maps "none" (−1) to the latest
    await producer.disconnect();
    await admin.disconnect();
  });

  it("deletes topics and reports them through topics()", async () => {
    const admin = kafkajs(broker.brokers).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "short-lived", numPartitions: 2 }] });
    expect(broker.topics().find((t) => t.name === "short-lived")?.partitions).toHaveLength(2);
    await admin.deleteTopics({ topics: ["short-lived"] });
    expect(broker.topics().map((t) => t.name)).not.toContain("short-lived");
    await admin.disconnect();
  });
});

describe("broker options", () => {
  it("creates topics from the library API and refuses illegal ones", async () => {
    const broker = await startKafka({ topics: [{ name: "declared", partitions: 3 }] });
    try {
      expect(broker.createTopic("declared")).toBe(false);
      expect(broker.createTopic("made-later", 2)).toBe(true);
      expect(() => broker.createTopic("bad name!")).toThrow(/illegal topic name/);
      expect(() => broker.createTopic("too-many", 20_000)).toThrow(/partitions must be/);
      const admin = kafkajs(broker.brokers).admin();
      await admin.connect();
      const meta = await admin.fetchTopicMetadata({ topics: ["declared", "made-later"] });
      await admin.disconnect();
      expect(meta.topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual([
        ["declared", 3],
        ["made-later", 2],
      ]);
    } finally {
      await broker.stop();
    }
    await expect(startKafka({ topics: [{ name: "x", partitions: 0 }] })).rejects.toThrow(RangeError);
  });

  it("refuses unknown topics when auto-creation is off", async () => {
    const broker = await startKafka({ autoCreateTopics: false, topics: [{ name: "known", partitions: 2 }] });
    try {
      const producer = kafkajs(broker.brokers, { retry: { retries: 0 } }).producer();
      await producer.connect();
      await expect(producer.send({ topic: "unknown", messages: [{ value: "x" }] })).rejects.toThrow(
        /does not host this topic-partition/,
      );
      await producer.send({ topic: "known", messages: [{ value: "x" }] });
      await producer.disconnect();
      expect(broker.topics().map((t) => t.name)).toEqual(["known"]);
    } finally {
      await broker.stop();
    }
  });

  it("keeps at most the retained number of records, moving the log start offset", async () => {
    const broker = await startKafka({ retentionMessages: 10 });
    try {
      const client = kafkajs(broker.brokers);
      const producer = client.producer();
      await producer.connect();
      for (let i = 0; i < 5; i++) {
        await producer.send({
          topic: "bounded",
          messages: Array.from({ length: 5 }, (_, j) => ({ value: `${i}-${j}` })),
        });
      }
      await producer.disconnect();
      const [p] = broker.topics().find((t) => t.name === "bounded")?.partitions ?? [];
      expect(p).toMatchObject({ logStartOffset: 15, highWatermark: 25 });
      const admin = client.admin();
      await admin.connect();
      expect(await admin.fetchTopicOffsets("bounded")).toEqual([
        expect.objectContaining({ low: "15", high: "25" }),
      ]);
      await admin.disconnect();
    } finally {
      await broker.stop();
    }
  });
});
