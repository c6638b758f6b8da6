/**
 * Embedded local cloud benchmark (`npm run bench -- local`):
 * 1. start → first processed message with a cold cdk.out (synth + bundling into a temp dir) and a
 *    warm one (the repository's up-to-date cdk.out);
 * 2. end-to-end fan-out throughput: events published through the publisher function → SNS → 3
 *    filtered queues → consumer functions → idempotent effects in DynamoDB, in events/s;
 * 3. raw fauxqs throughput in the same process and run: SendMessageBatch + ReceiveMessage +
 *    DeleteMessageBatch of the same number of messages, in messages/s; and the ratio of the two;
 * 4. start → first processed message of a user-shaped stack with 60 SQS event source mappings
 *    (120 local pollers on one function; `bench/fixtures/many-mappings/`).
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
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { startFauxqs } from "fauxqs";
import { type LocalCloud, startLocal } from "../tools/local/index.ts";
import { buildEvents } from "../tools/local/scenarios/sns-sqs-fanout/events.ts";
import { threadCpu } from "./thread-cpu.ts";
import { benchWait } from "./wait.ts";

const STACK = "SnsSqsFanoutStack";
const EVENTS = Number(process.env.BENCH_EVENTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
/** Execution environments per function (startLocal's `concurrency`). */
const ENVIRONMENTS = process.env.BENCH_ENVIRONMENTS ? Number(process.env.BENCH_ENVIRONMENTS) : undefined;
const SKIP_START = process.env.BENCH_SKIP_START === "1";
/**
 * Events through the fan-out before the measured run. Each worker thread is a V8 isolate that
 * compiles and tiers up the SDK on its own: with 200 events, a third of the measured CPU was still
 * JIT compilation and early GC, so the default warms up with as many events as it measures.
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? EVENTS);

/**
 * CPU seconds per thread group of this process (`thread-cpu.ts`, grouped by thread name:
 * `MainThread`, `dynalite`, every `lambda:<function>` as "Lambda workers", V8's `V8Worker` GC and
 * compiler helpers, …); empty off Linux. Shows which thread a change moved CPU out of.
 */
function threadCpuSeconds(): Map<string, number> {
  const groups = new Map<string, number>();
  for (const { name, cpuMs } of threadCpu().values()) {
    const group = name.startsWith("lambda:") ? "Lambda workers" : name;
    groups.set(group, (groups.get(group) ?? 0) + cpuMs / 1000);
  }
  return groups;
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
    await benchWait(
      "the first consumer batch deleted",
      () => cloud.spy.find("esm.batch", (b) => b.deletedMessageIds.length > 0) !== undefined,
    );
    return { ms: performance.now() - t0, startMs, synthesized: cloud.synthesized };
  } finally {
    await cloud.stop();
  }
}

/** Events per second through the fan-out, and the mean records per consumer invocation. */
async function fanoutThroughput(
  cloud: LocalCloud,
  runId: string,
  count: number,
): Promise<{ perSecond: number; batch: number }> {
  // Event IDs are `<runId>-<n>`: the warm-up must not share them with the measured run, or the
  // consumers' idempotency would skip the effects of every repeated event.
  const events = buildEvents(runId, count);
  const expected =
    events.length +
    events.filter((e) => e.type === "order.created").length +
    events.filter((e) => e.data.status === "paid").length;
  let deleted = 0;
  let batches = 0;
  // Completion comes from the spy's own events: no timer polling the spy during the measured run.
  let settle: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const off = cloud.spy.on((e) => {
    if (e.kind !== "esm.batch") return;
    batches++;
    deleted += e.deletedMessageIds.length;
    if (deleted >= expected) settle();
  });
  const t0 = performance.now();
  const chunks: (typeof events)[] = [];
  for (let i = 0; i < events.length; i += 50) chunks.push(events.slice(i, i + 50));
  try {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let chunk = chunks.shift(); chunk; chunk = chunks.shift())
          await cloud.invoke("Publisher", { events: chunk });
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      settled,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("benchmark timed out")), 300_000);
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
    off();
  }
  const seconds = (performance.now() - t0) / 1000;
  return { perSecond: count / seconds, batch: expected / Math.max(1, batches) };
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
let batchSize: number;
try {
  await fanoutThroughput(cloud, "warmup", WARMUP); // warm every execution environment and let V8 tier up the hot code
  const elu = performance.eventLoopUtilization();
  const threadsBefore = threadCpuSeconds();
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const run = await fanoutThroughput(cloud, "bench", EVENTS);
  e2e = run.perSecond;
  batchSize = run.batch;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  console.log(
    `CPU ${(cpuMs / EVENTS).toFixed(1)} ms per event across all threads (${(cpuMs / (performance.now() - wall)).toFixed(2)} cores busy); ` +
      `main thread (fauxqs, pollers, Lambda endpoint) busy ${(performance.eventLoopUtilization(elu).utilization * 100).toFixed(0)} % of the run`,
  );
  const threads = [...threadCpuSeconds()]
    .map(
      ([group, seconds]) => [group, ((seconds - (threadsBefore.get(group) ?? 0)) * 1000) / EVENTS] as const,
    )
    .filter(([, ms]) => ms >= 0.05)
    .sort((a, b) => b[1] - a[1]);
  if (threads.length > 0)
    console.log(
      `CPU per event by thread: ${threads.map(([group, ms]) => `${group} ${ms.toFixed(2)} ms`).join(", ")}`,
    );
} finally {
  await cloud.stop();
}
const raw = await rawFauxqs(EVENTS);
const ratio = e2e / raw;
console.log(
  `end-to-end fan-out: ${e2e.toFixed(0)} events/s (${EVENTS} events → ${(EVENTS * 1.7).toFixed(0)} deliveries to 3 subscribers, ${batchSize.toFixed(1)} records per consumer invocation)`,
);
console.log(
  `raw fauxqs SendMessageBatch + ReceiveMessage + DeleteMessageBatch: ${raw.toFixed(0)} messages/s (${EVENTS} messages, ${CONCURRENCY} concurrent clients)`,
);
console.log(
  `ratio end-to-end / raw: ${(ratio * 100).toFixed(1)} % (target ≥ 25 %) ${ratio >= 0.25 ? "OK" : "MISSED"}`,
);

// Loaded here, not at the top: the user-shaped app (CDK synth) is only needed from this point on.
const { MANY_MAPPINGS_STACK, manyMappingsCloudAssembly } = await import("./fixtures/many-mappings/app.ts");

/** Milliseconds from startLocal to the first batch deleted, on the 60-mapping stack (its last queue). */
async function manyMappingsStartToFirstProcessed(cdkOut: string): Promise<{ ms: number; startMs: number }> {
  const t0 = performance.now();
  const many = await startLocal({ stack: MANY_MAPPINGS_STACK, cdkOut });
  const startMs = performance.now() - t0;
  const sqs = new SQSClient({
    region: many.region,
    endpoint: many.endpoints.sqs,
    credentials: many.credentials,
    useQueueUrlAsEndpoint: false,
  });
  try {
    await sqs.send(new SendMessageCommand({ QueueUrl: many.outputs.Queue59Url, MessageBody: "first" }));
    await benchWait(
      "the first consumer batch deleted",
      () => many.spy.find("esm.batch", (b) => b.deletedMessageIds.length > 0) !== undefined,
    );
    return { ms: performance.now() - t0, startMs };
  } finally {
    sqs.destroy();
    await many.stop();
  }
}

const manyOut = manyMappingsCloudAssembly(60);
await manyMappingsStartToFirstProcessed(manyOut); // warm the file cache
const manyRuns: { ms: number; startMs: number }[] = [];
for (let i = 0; i < 3; i++) manyRuns.push(await manyMappingsStartToFirstProcessed(manyOut));
const bestMany = manyRuns.reduce((a, b) => (b.ms < a.ms ? b : a));
console.log(
  `start → first processed message, 60 SQS event source mappings (120 pollers): ${(bestMany.ms / 1000).toFixed(2)} s (best of 3, startLocal ${(bestMany.startMs / 1000).toFixed(2)} s; runs ${manyRuns.map((r) => (r.ms / 1000).toFixed(2)).join(", ")} s)`,
);
