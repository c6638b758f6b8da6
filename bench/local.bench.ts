/**
 * Embedded local cloud benchmark (`npm run bench -- local`):
 * 1. start → first processed message with a cold cdk.out (synth + bundling into a temp dir) and a
 *    warm one (the repository's up-to-date cdk.out);
 * 2. end-to-end fan-out throughput: events published through the publisher function → SNS → 3
 *    filtered queues → consumer functions → idempotent effects in DynamoDB, in events/s;
 * 3. raw fauxqs throughput in the same process and run: SendMessageBatch + ReceiveMessage +
 *    DeleteMessageBatch of the same number of messages, in messages/s; and the ratio of the two.
 * Targets (issue 3): end-to-end ≥ 25 % of raw; start → first processed message < 3 s warm.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { startFauxqs } from "fauxqs";
import { type LocalCloud, startLocal } from "../tools/local/index.ts";
import { buildEvents } from "../tools/local/scenarios/sns-sqs-fanout.ts";

const STACK = "SnsSqsFanoutStack";
const EVENTS = Number(process.env.BENCH_EVENTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
/** Execution environments per function (startLocal's `concurrency`). */
const ENVIRONMENTS = process.env.BENCH_ENVIRONMENTS ? Number(process.env.BENCH_ENVIRONMENTS) : undefined;
const SKIP_START = process.env.BENCH_SKIP_START === "1";

async function until(condition: () => boolean, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("benchmark timed out");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Milliseconds from calling startLocal to the first consumer batch deleted from its queue. */
async function startToFirstProcessed(
  options: Parameters<typeof startLocal>[0],
): Promise<{ ms: number; startMs: number; synthesized: boolean }> {
  const t0 = performance.now();
  const cloud = await startLocal(options);
  const startMs = performance.now() - t0;
  try {
    const [event] = buildEvents("first", 1);
    await cloud.invoke("Publisher", { events: [event] });
    await until(() => cloud.spy.find("esm.batch", (b) => b.deletedMessageIds.length > 0) !== undefined);
    return { ms: performance.now() - t0, startMs, synthesized: cloud.synthesized };
  } finally {
    await cloud.stop();
  }
}

async function fanoutThroughput(cloud: LocalCloud, count: number): Promise<number> {
  const events = buildEvents("bench", count);
  const expected =
    events.length +
    events.filter((e) => e.type === "order.created").length +
    events.filter((e) => e.data.status === "paid").length;
  const deletedBefore = cloud.spy.filter("esm.batch").reduce((n, b) => n + b.deletedMessageIds.length, 0);
  let deleted = deletedBefore;
  const off = cloud.spy.on((e) => {
    if (e.kind === "esm.batch") deleted += e.deletedMessageIds.length;
  });
  const t0 = performance.now();
  const chunks: (typeof events)[] = [];
  for (let i = 0; i < events.length; i += 50) chunks.push(events.slice(i, i + 50));
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let chunk = chunks.shift(); chunk; chunk = chunks.shift())
        await cloud.invoke("Publisher", { events: chunk });
    }),
  );
  await until(() => deleted - deletedBefore >= expected);
  const seconds = (performance.now() - t0) / 1000;
  off();
  return count / seconds;
}

async function rawFauxqs(count: number): Promise<number> {
  const server = await startFauxqs({ port: 0, logger: false });
  const sqs = new SQSClient({
    region: "us-east-1",
    endpoint: server.address,
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  try {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "raw" }));
    const t0 = performance.now();
    const batches = Array.from({ length: Math.ceil(count / 10) }, (_, b) => b);
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let b = batches.shift(); b !== undefined; b = batches.shift()) {
          await sqs.send(
            new SendMessageBatchCommand({
              QueueUrl,
              Entries: Array.from({ length: 10 }, (_, i) => ({
                Id: String(i),
                MessageBody: JSON.stringify({ n: b * 10 + i, pad: "x".repeat(400) }),
              })),
            }),
          );
        }
      }),
    );
    let consumed = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (consumed < count) {
          const { Messages = [] } = await sqs.send(
            new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
          );
          if (Messages.length === 0) continue;
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl,
              Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? "" })),
            }),
          );
          consumed += Messages.length;
        }
      }),
    );
    return count / ((performance.now() - t0) / 1000);
  } finally {
    sqs.destroy();
    await server.stop();
  }
}

console.log(`embedded local cloud, ${STACK}, ${availableParallelism()} CPUs, Node ${process.version}`);
const coldDir = mkdtempSync(join(tmpdir(), "bench-cold-cdk-out-"));
if (!SKIP_START)
  try {
    const cold = await startToFirstProcessed({ stack: STACK, cdkOut: coldDir, synth: "always" });
    console.log(
      `start → first processed message, cold cdk.out (synth + bundle): ${(cold.ms / 1000).toFixed(2)} s (startLocal ${(cold.startMs / 1000).toFixed(2)} s)`,
    );
  } finally {
    rmSync(coldDir, { recursive: true, force: true });
  }
await startToFirstProcessed({ stack: STACK }); // make sure the repository's cdk.out is current
const warmRuns: number[] = [];
for (let i = 0; i < (SKIP_START ? 1 : 3); i++)
  warmRuns.push((await startToFirstProcessed({ stack: STACK })).ms);
const warm = Math.min(...warmRuns);
console.log(
  `start → first processed message, warm cdk.out: ${(warm / 1000).toFixed(2)} s (best of 3; runs ${warmRuns.map((ms) => (ms / 1000).toFixed(2)).join(", ")} s; target < 3 s) ${warm < 3000 ? "OK" : "MISSED"}`,
);

const cloud = await startLocal({ stack: STACK, concurrency: ENVIRONMENTS });
let e2e: number;
try {
  await fanoutThroughput(cloud, 200); // warm every execution environment
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const wall = performance.now();
  e2e = await fanoutThroughput(cloud, EVENTS);
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  console.log(
    `CPU ${(cpuMs / EVENTS).toFixed(1)} ms per event across all threads (${(cpuMs / (performance.now() - wall)).toFixed(2)} cores busy); ` +
      `main thread (fauxqs, pollers, Lambda endpoint) busy ${(performance.eventLoopUtilization(elu).utilization * 100).toFixed(0)} % of the run`,
  );
} finally {
  await cloud.stop();
}
const raw = await rawFauxqs(EVENTS);
const ratio = e2e / raw;
console.log(
  `end-to-end fan-out: ${e2e.toFixed(0)} events/s (${EVENTS} events → ${(EVENTS * 1.7).toFixed(0)} deliveries to 3 subscribers)`,
);
console.log(
  `raw fauxqs SendMessageBatch + ReceiveMessage + DeleteMessageBatch: ${raw.toFixed(0)} messages/s (${EVENTS} messages, ${CONCURRENCY} concurrent clients)`,
);
console.log(
  `ratio end-to-end / raw: ${(ratio * 100).toFixed(1)} % (target ≥ 25 %) ${ratio >= 0.25 ? "OK" : "MISSED"}`,
);
