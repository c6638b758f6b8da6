import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KafkaBroker, startKafka } from "../../../tools/local/kafka/index.ts";
import { waitFor } from "../../helpers/wait.ts";
import { kafkajs, kcat } from "./clients.ts";

interface KcatJson {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly payload: string | null;
  readonly headers?: string[] | null;
}

const parseJsonLines = (out: string): KcatJson[] =>
  out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as KcatJson);

describe("kcat (librdkafka) and kafkajs interoperate through the local broker", () => {
  let broker: KafkaBroker;
  let bootstrap: string;

  beforeAll(async () => {
    broker = await startKafka({ defaultPartitions: 2, groups: { initialRebalanceDelayMs: 0 } });
    bootstrap = broker.brokers[0] as string;
  });
  afterAll(async () => {
    await broker.stop();
  });

  it("lists the broker and topics (Metadata)", async () => {
    const admin = kafkajs(broker.brokers).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "listed", numPartitions: 4 }] });
    await admin.disconnect();
    const { code, stdout } = await kcat(["-b", bootstrap, "-L", "-J"]);
    expect(code).toBe(0);
    const meta = JSON.parse(stdout) as {
      brokers: { id: number }[];
      topics: { topic: string; partitions: unknown[] }[];
    };
    expect(meta.brokers).toEqual([expect.objectContaining({ id: 1 })]);
    expect(meta.topics.find((t) => t.topic === "listed")?.partitions).toHaveLength(4);
  });

  it("kcat produces (keys, headers, gzip, idempotence) and kafkajs consumes", async () => {
    const lines = Array.from({ length: 20 }, (_, i) => `key-${i % 3}:value-${i}`).join("\n");
    const produced = await kcat(
      [
        "-b",
        bootstrap,
        "-P",
        "-t",
        "from-kcat",
        "-K:",
        "-H",
        "source=kcat",
        "-z",
        "gzip",
        "-X",
        "enable.idempotence=true",
      ],
      `${lines}\n`,
    );
    expect(produced.code).toBe(0);
    expect(produced.stderr).not.toMatch(/does not support compression/i);
    // the codec on the wire: every stored batch is gzip, as kcat sent it (librdkafka falls back to
    // uncompressed batches silently when it thinks the broker cannot take gzip)
    const stored = [0, 1].flatMap((p) => broker.batches("from-kcat", p));
    expect(stored.length).toBeGreaterThan(0);
    expect(new Set(stored.map((b) => b.compression))).toEqual(new Set(["gzip"]));
    expect(stored.reduce((n, b) => n + b.recordCount, 0)).toBe(20);

    const consumer = kafkajs(broker.brokers).consumer({
      groupId: "kafkajs-reads-kcat",
      maxWaitTimeInMs: 200,
    });
    const seen: { key: string; value: string; source: string; partition: number }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: "from-kcat", fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        seen.push({
          key: String(message.key),
          value: String(message.value),
          source: String(message.headers?.source),
          partition,
        });
      },
    });
    await waitFor(() => seen.length >= 20, { description: "20 messages from kcat" });
    await consumer.disconnect();
    expect(seen.map((s) => s.value).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `value-${i}`).sort(),
    );
    expect(new Set(seen.map((s) => s.source))).toEqual(new Set(["kcat"]));
    for (const key of ["key-0", "key-1", "key-2"]) {
      const forKey = seen.filter((s) => s.key === key);
      expect(new Set(forKey.map((s) => s.partition)).size).toBe(1);
      const order = forKey.map((s) => Number(s.value.split("-")[1]));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it.each(["snappy", "lz4", "zstd"] as const)(
    "kcat produces %s batches, stored with that codec, and consumes them back",
    async (codec) => {
      const topic = `codec-${codec}`;
      const lines = Array.from({ length: 50 }, (_, i) => `k:${codec}-value-${i}-${"x".repeat(40)}`);
      const produced = await kcat(
        ["-b", bootstrap, "-P", "-t", topic, "-p", "0", "-K:", "-z", codec],
        `${lines.join("\n")}\n`,
      );
      expect(produced.code).toBe(0);
      expect(produced.stderr).not.toMatch(/does not support compression/i);
      const stored = broker.batches(topic, 0);
      expect(stored.length).toBeGreaterThan(0);
      expect(new Set(stored.map((b) => b.compression))).toEqual(new Set([codec]));
      const read = await kcat(["-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-J"]);
      expect(read.code).toBe(0);
      expect(parseJsonLines(read.stdout).map((r) => r.payload)).toEqual(lines.map((l) => l.slice(2)));
    },
  );

  it("kafkajs produces and kcat consumes, from the start and from an offset", async () => {
    const producer = kafkajs(broker.brokers).producer();
    await producer.connect();
    await producer.send({
      topic: "from-kafkajs",
      messages: Array.from({ length: 10 }, (_, i) => ({
        key: "k",
        value: `m-${i}`,
        headers: { n: String(i) },
      })),
    });
    await producer.disconnect();

    const all = await kcat(["-b", bootstrap, "-C", "-t", "from-kafkajs", "-o", "beginning", "-e", "-J"]);
    expect(all.code).toBe(0);
    const records = parseJsonLines(all.stdout);
    expect(records.map((r) => r.payload)).toEqual(Array.from({ length: 10 }, (_, i) => `m-${i}`));
    expect(records[3]).toMatchObject({ key: "k", offset: 3, headers: ["n", "3"] });

    const partition = records[0]?.partition ?? 0;
    const tail = await kcat([
      "-b",
      bootstrap,
      "-C",
      "-t",
      "from-kafkajs",
      "-p",
      String(partition),
      "-o",
      "7",
      "-e",
      "-J",
    ]);
    expect(parseJsonLines(tail.stdout).map((r) => r.payload)).toEqual(["m-7", "m-8", "m-9"]);
  });

  it("kcat consumes as a balanced consumer group and commits offsets kafkajs can read", async () => {
    const producer = kafkajs(broker.brokers).producer();
    await producer.connect();
    await producer.send({
      topic: "grouped",
      messages: Array.from({ length: 6 }, (_, i) => ({ value: `g-${i}` })),
    });
    await producer.disconnect();
    const run = await kcat([
      "-b",
      bootstrap,
      "-G",
      "kcat-group",
      "-X",
      "auto.offset.reset=earliest",
      "-e",
      "-J",
      "grouped",
    ]);
    expect(run.code).toBe(0);
    expect(
      parseJsonLines(run.stdout)
        .map((r) => r.payload)
        .sort(),
    ).toEqual(["g-0", "g-1", "g-2", "g-3", "g-4", "g-5"]);
    const admin = kafkajs(broker.brokers).admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId: "kcat-group", topics: ["grouped"] });
    await admin.disconnect();
    const committed = (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    expect(committed).toBe(6);
  });
});
