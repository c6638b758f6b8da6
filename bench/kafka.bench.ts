/**
 * `npm run bench -- kafka`: throughput and memory of the local Kafka-protocol broker, measured
 * with kafkajs (a client we did not write) against the broker running in its own child process
 * (started through its CLI), so the broker's RSS is measured on its own.
 *
 * 1. produce N records of 1 KiB in sends of 100 (one record batch each), 8 sends in flight;
 * 2. consume them all with a kafkajs consumer group;
 * 3. read the broker's RSS with all N records retained;
 * 4. produce and consume at the same time (N / 5 records on another topic), end to end.
 * Targets (issue 5): ≥ 20,000 msg/s produce + consume on 2 cores; RSS < 2 × payload + 100 MB.
 *
 * Options (environment, since `npm run bench` passes no arguments through): KAFKA_BENCH_MESSAGES
 * (default 1,000,000) and KAFKA_BENCH_PARTITIONS (default 8); or `--messages N` / `--partitions P`
 * when the file is run directly with `tsx bench/kafka.bench.ts`.
 */
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Kafka, logLevel } from "kafkajs";

process.env.KAFKAJS_NO_PARTITIONER_WARNING = "1";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const env = `KAFKA_BENCH_${name.toUpperCase()}`;
  const raw = i >= 0 ? process.argv[i + 1] : process.env[env];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`--${name} / ${env}: allowed is a positive integer, got ${raw}`);
    process.exit(2);
  }
  return n;
};

const MESSAGES = arg("messages", 1_000_000);
const PARTITIONS = arg("partitions", 8);
const RECORD_BYTES = 1024;
const BATCH = 100;
const IN_FLIGHT = 8;
const TARGET_RATE = 20_000;
/** Figures are in MiB (2^20 bytes), labelled MB as the targets are. */
const MB = 1024 * 1024;

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function rssBytes(pid: number): number {
  const kb = Number(
    execFileSync("ps", ["-o", "rss=", "-p", String(pid)])
      .toString()
      .trim(),
  );
  return kb * 1024;
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits });

function progress(label: string, done: number, total: number, started: number): void {
  const secs = (performance.now() - started) / 1000;
  console.log(`  ${label}: ${fmt(done)}/${fmt(total)} (${fmt(done / secs)} msg/s)`);
}

interface Phase {
  readonly count: number;
  readonly bytes: number;
  readonly secs: number;
}

/** Produces `total` records of RECORD_BYTES to `topic`, one partition per send, IN_FLIGHT sends at once. */
async function produceAll(kafka: Kafka, topic: string, total: number, label: string): Promise<Phase> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const value = Buffer.alloc(RECORD_BYTES, "x");
  const sends = Math.ceil(total / BATCH);
  let nextSend = 0;
  let produced = 0;
  let reported = 0;
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const i = nextSend++;
      if (i >= sends) return;
      const count = Math.min(BATCH, total - i * BATCH);
      await producer.send({
        topic,
        acks: 1,
        messages: Array.from({ length: count }, (_, j) => ({
          partition: i % PARTITIONS,
          value,
          key: String(j),
        })),
      });
      produced += count;
      if (produced - reported >= total / 10) {
        reported = produced;
        progress(label, produced, total, started);
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const secs = (performance.now() - started) / 1000;
  await producer.disconnect();
  return { count: total, bytes: total * RECORD_BYTES, secs };
}

/** Consumes `total` records of `topic` with a kafkajs group; the clock starts at the first batch. */
async function consumeAll(kafka: Kafka, topic: string, total: number, label: string) {
  const consumer = kafka.consumer({ groupId: `bench-${topic}`, maxWaitTimeInMs: 100, maxBytes: 32 * MB });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let consumed = 0;
  let bytes = 0;
  let started = 0;
  let reported = 0;
  const joinStarted = performance.now();
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      partitionsConsumedConcurrently: PARTITIONS,
      eachBatch: async ({ batch }) => {
        if (started === 0) started = performance.now();
        consumed += batch.messages.length;
        for (const m of batch.messages) bytes += m.value?.length ?? 0;
        if (consumed - reported >= total / 10) {
          reported = consumed;
          progress(label, consumed, total, started);
        }
        if (consumed >= total) resolve();
      },
    });
  });
  await done;
  const finished = performance.now();
  await consumer.disconnect();
  if (consumed !== total) throw new Error(`${topic}: consumed ${consumed} records, expected ${total}`);
  return {
    count: consumed,
    bytes,
    secs: (finished - started) / 1000,
    joinSecs: (started - joinStarted) / 1000,
    finished,
  };
}

const rate = (p: Phase) =>
  `${fmt(p.count / p.secs)} msg/s, ${fmt(p.bytes / MB / p.secs, 1)} MB/s (${fmt(p.secs, 1)} s)`;

async function main(): Promise<void> {
  console.log(
    `kafka broker bench: ${fmt(MESSAGES)} records × ${RECORD_BYTES} B, sends of ${BATCH}, ${PARTITIONS} partitions, kafkajs`,
  );
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(root, "tools/local/kafka/cli.ts"),
      "--port",
      "0",
      "--json",
      "--initial-rebalance-delay-ms",
      "0",
    ],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const [line] = (await once(child.stdout, "data")) as [Buffer];
  const { brokers } = JSON.parse(line.toString()) as { brokers: string[] };
  const pid = child.pid as number;
  const idleRss = rssBytes(pid);

  try {
    const kafka = new Kafka({ brokers, clientId: "bench", logLevel: logLevel.ERROR });
    const live = Math.max(BATCH, Math.floor(MESSAGES / 5));
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: "bench", numPartitions: PARTITIONS },
        { topic: "live", numPartitions: PARTITIONS },
      ],
    });
    await admin.disconnect();

    console.log("1. produce");
    const produced = await produceAll(kafka, "bench", MESSAGES, "produced");
    console.log("2. consume");
    const consumed = await consumeAll(kafka, "bench", MESSAGES, "consumed");
    const retainedRss = rssBytes(pid);
    console.log(`3. produce and consume at once (${fmt(live)} records)`);
    const liveStart = performance.now();
    const [, liveConsumed] = await Promise.all([
      produceAll(kafka, "live", live, "live produced"),
      consumeAll(kafka, "live", live, "live consumed"),
    ]);
    const liveSecs = (liveConsumed.finished - liveStart) / 1000;

    const payloadBytes = MESSAGES * RECORD_BYTES;
    const rssLimit = 2 * payloadBytes + 100 * MB;
    const sequential = (produced.count + consumed.count) / (produced.secs + consumed.secs);
    const endToEnd = live / liveSecs;
    const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
    console.log("");
    console.log(`produce:  ${rate(produced)}`);
    console.log(`consume:  ${rate(consumed)}, after a ${fmt(consumed.joinSecs, 1)} s group join`);
    console.log(
      `produce + consume, one after the other: ${fmt(sequential)} msg/s over ${fmt(produced.count + consumed.count)} records moved; ` +
        `target ≥ ${fmt(TARGET_RATE)} → ratio ${fmt(sequential / TARGET_RATE, 2)} (${verdict(sequential >= TARGET_RATE)})`,
    );
    console.log(
      `produce + consume, at the same time: ${fmt(endToEnd)} msg/s end to end (${fmt(live)} records produced and consumed in ${fmt(liveSecs, 1)} s); ` +
        `target ≥ ${fmt(TARGET_RATE)} → ratio ${fmt(endToEnd / TARGET_RATE, 2)} (${verdict(endToEnd >= TARGET_RATE)})`,
    );
    console.log(
      `broker RSS: ${fmt(idleRss / MB)} MB idle, ${fmt(retainedRss / MB)} MB with ${fmt(MESSAGES)} records retained ` +
        `(payload ${fmt(payloadBytes / MB)} MB; RSS/payload ${fmt(retainedRss / payloadBytes, 2)})`,
    );
    console.log(
      `RSS target < 2 × payload + 100 MB = ${fmt(rssLimit / MB)} MB → ratio ${fmt(retainedRss / rssLimit, 2)} (${verdict(retainedRss < rssLimit)})`,
    );
  } finally {
    child.kill("SIGINT");
    await once(child, "exit");
  }
}

await main();
