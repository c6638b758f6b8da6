/**
 * `npm run bench -- kafka`: throughput and memory of the local Kafka-protocol broker, measured
 * with kafkajs (a client we did not write) against the broker running in its own child process
 * (started through its CLI), so the broker's RSS is measured on its own.
 *
 * 1. produce N records of 1 KiB in sends of 100 (one record batch each), 8 sends in flight;
 * 2. consume them all with a kafkajs consumer group;
 * 3. read the broker's RSS with all N records retained.
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

async function main(): Promise<void> {
  console.log(
    `kafka broker bench: ${fmt(MESSAGES)} records × ${RECORD_BYTES} B, sends of ${BATCH}, ${PARTITIONS} partitions, kafkajs`,
  );
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(root, "tools/local/kafka/cli.ts"), "--port", "0", "--json"],
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
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "bench", numPartitions: PARTITIONS }] });
    await admin.disconnect();

    // 1. produce
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const value = Buffer.alloc(RECORD_BYTES, "x");
    const sends = Math.ceil(MESSAGES / BATCH);
    let nextSend = 0;
    let produced = 0;
    let reported = 0;
    const produceStart = performance.now();
    const worker = async () => {
      for (;;) {
        const i = nextSend++;
        if (i >= sends) return;
        const count = Math.min(BATCH, MESSAGES - i * BATCH);
        await producer.send({
          topic: "bench",
          acks: 1,
          messages: Array.from({ length: count }, (_, j) => ({
            partition: i % PARTITIONS,
            value,
            key: String(j),
          })),
        });
        produced += count;
        if (produced - reported >= MESSAGES / 10) {
          reported = produced;
          progress("produced", produced, MESSAGES, produceStart);
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const produceSecs = (performance.now() - produceStart) / 1000;
    await producer.disconnect();

    // 2. consume
    const consumer = kafka.consumer({ groupId: "bench", maxWaitTimeInMs: 100, maxBytes: 32 * MB });
    await consumer.connect();
    await consumer.subscribe({ topic: "bench", fromBeginning: true });
    let consumed = 0;
    let consumedBytes = 0;
    let consumeStart = 0;
    reported = 0;
    const allConsumed = new Promise<void>((resolve) => {
      void consumer.run({
        partitionsConsumedConcurrently: PARTITIONS,
        eachBatch: async ({ batch }) => {
          if (consumeStart === 0) consumeStart = performance.now();
          consumed += batch.messages.length;
          for (const m of batch.messages) consumedBytes += m.value?.length ?? 0;
          if (consumed - reported >= MESSAGES / 10) {
            reported = consumed;
            progress("consumed", consumed, MESSAGES, consumeStart);
          }
          if (consumed >= MESSAGES) resolve();
        },
      });
    });
    const joinStart = performance.now();
    await allConsumed;
    const consumeSecs = (performance.now() - consumeStart) / 1000;
    const joinSecs = (consumeStart - joinStart) / 1000;
    await consumer.disconnect();

    // 3. memory with everything retained
    const retainedRss = rssBytes(pid);
    const payloadBytes = MESSAGES * RECORD_BYTES;
    const rssLimit = 2 * payloadBytes + 100 * MB;

    const produceRate = MESSAGES / produceSecs;
    const consumeRate = consumed / consumeSecs;
    const combinedRate = (MESSAGES + consumed) / (produceSecs + consumeSecs);
    console.log("");
    console.log(
      `produce:  ${fmt(produceRate)} msg/s, ${fmt((MESSAGES * RECORD_BYTES) / MB / produceSecs, 1)} MB/s (${fmt(produceSecs, 1)} s)`,
    );
    console.log(
      `consume:  ${fmt(consumeRate)} msg/s, ${fmt(consumedBytes / MB / consumeSecs, 1)} MB/s (${fmt(consumeSecs, 1)} s, after a ${fmt(joinSecs, 1)} s group join)`,
    );
    console.log(
      `produce + consume: ${fmt(combinedRate)} msg/s overall; target ≥ ${fmt(TARGET_RATE)} msg/s → ratio ${fmt(combinedRate / TARGET_RATE, 2)} (${combinedRate >= TARGET_RATE ? "met" : "MISSED"})`,
    );
    console.log(
      `broker RSS: ${fmt(idleRss / MB)} MB idle, ${fmt(retainedRss / MB)} MB with ${fmt(MESSAGES)} records retained ` +
        `(payload ${fmt(payloadBytes / MB)} MB; RSS/payload ${fmt(retainedRss / payloadBytes, 2)})`,
    );
    console.log(
      `RSS target < 2 × payload + 100 MB = ${fmt(rssLimit / MB)} MB → ratio ${fmt(retainedRss / rssLimit, 2)} (${retainedRss < rssLimit ? "met" : "MISSED"})`,
    );
    if (consumed !== MESSAGES) throw new Error(`consumed ${consumed} records, expected ${MESSAGES}`);
  } finally {
    child.kill("SIGINT");
    await once(child, "exit");
  }
}

await main();
