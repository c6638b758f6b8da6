/**
 * `npm run bench -- bridge`: the sns-pubsub-bridge's throughput.
 *
 * 1. The Pub/Sub emulator on its own with the real `@google-cloud/pubsub` client: N messages of
 *    1 KiB published (the client batches them), then received over StreamingPull and acknowledged;
 *    publish → last ack, messages per second. Target (issue 14): ≥ 10,000 msg/s.
 * 2. The bridge on the embedded cloud, both ways at once (the scenario without faults), after an
 *    unmeasured warm-up run: events per second per direction, as events / p95 latency (the figure
 *    issue 14 set the target on) and from the first publish to the last arrival, and the process's
 *    CPU per event. Target: ≥ 500 msg/s each way.
 *
 * Options (environment): BRIDGE_BENCH_MESSAGES (emulator, default 50,000) and BRIDGE_BENCH_EVENTS
 * (bridge, default 1,000 each way), BRIDGE_BENCH_CONCURRENCY (environments per function, default 4),
 * BRIDGE_BENCH_WARMUP (events each way of an unmeasured first run, default 200; 0 = measure from
 * cold), BRIDGE_BENCH_THREADS=1 (CPU per event by thread, Linux), BRIDGE_BENCH_SKIP_CLOUD=1
 * (emulator only).
 */

import { PubSub } from "@google-cloud/pubsub";
import { startPubsubEmulator } from "../tools/local/pubsub/index.ts";
import { patternLocalOptions } from "../tools/local/run.ts";
import { runBridgeScenario, snsPubsubBridge } from "../tools/local/scenarios/sns-pubsub-bridge/index.ts";
import { localTarget } from "../tools/local/targets/local.ts";
import { cpuPerUnit, threadCpu } from "./thread-cpu.ts";

process.env.METADATA_SERVER_DETECTION = "none";
const MESSAGES = Number(process.env.BRIDGE_BENCH_MESSAGES ?? 50_000);
const EVENTS = Number(process.env.BRIDGE_BENCH_EVENTS ?? 1_000);
const CONCURRENCY = Number(process.env.BRIDGE_BENCH_CONCURRENCY ?? 4);
const WARMUP = Number(process.env.BRIDGE_BENCH_WARMUP ?? 200);

async function emulatorThroughput(): Promise<void> {
  const emulator = await startPubsubEmulator();
  const pubsub = new PubSub({
    projectId: "bench-project",
    apiEndpoint: emulator.emulatorHost,
    emulatorMode: true,
  });
  const [topic] = await pubsub.createTopic("bench-topic");
  await topic.createSubscription("bench-sub");
  // The client's defaults cap a subscriber at 1,000 outstanding messages and flush acks every 100 ms.
  const subscription = pubsub.subscription("bench-sub", {
    flowControl: { maxMessages: 10_000 },
    batching: { maxMessages: 3000, maxMilliseconds: 10 },
  });
  const payload = Buffer.alloc(1024, 120);
  let received = 0;
  const done = new Promise<void>((resolve) => {
    subscription.on("message", (m) => {
      m.ack();
      if (++received === MESSAGES) resolve();
    });
  });
  const started = performance.now();
  const publishes: Promise<string>[] = [];
  for (let i = 0; i < MESSAGES; i++) publishes.push(topic.publishMessage({ data: payload }));
  await Promise.all(publishes);
  const published = performance.now();
  await done;
  const ended = performance.now();
  console.log(
    `emulator: ${MESSAGES} × 1 KiB: publish ${Math.round(MESSAGES / ((published - started) / 1000))} msg/s, ` +
      `publish → StreamingPull ack ${Math.round(MESSAGES / ((ended - started) / 1000))} msg/s (target ≥ 10,000)`,
  );
  await subscription.close();
  await pubsub.close();
  await emulator.stop();
}

async function bridgeThroughput(target: Awaited<ReturnType<typeof localTarget>>): Promise<void> {
  // A throughput figure is the warm system's: a first run starts every execution environment (each
  // cold start loads a bundle, ≈0.7 s of CPU) and lets V8 optimise the hot paths, so neither lands
  // in the measured window. BRIDGE_BENCH_WARMUP=0 measures from cold.
  if (WARMUP > 0) {
    const warm = await runBridgeScenario({ ...target, settleTimeoutMs: 300_000 }, { events: WARMUP });
    if (!warm.ok) console.log(`warm-up run not clean: ${warm.problems.join("; ")}`);
  }
  // CPU of the whole process (every thread: environments, dynalite, the emulators) during the
  // scenario: on a CPU-bound box, throughput = cores / CPU per event, a figure that machine load
  // distorts far less than it distorts wall-clock rates.
  const cpuBefore = process.cpuUsage();
  const threadsBefore = threadCpu();
  const ledger = await runBridgeScenario({ ...target, settleTimeoutMs: 300_000 }, { events: EVENTS });
  const cpu = process.cpuUsage(cpuBefore);
  const threadsAfter = threadCpu();
  const { toGoogle, fromGoogle } = ledger.details;
  const events = Math.max(1, toGoogle.forwarded + fromGoogle.forwarded);
  const rate = (d: typeof toGoogle) => Math.round(d.forwarded / (Math.max(1, d.latencyMs.p95 + 1) / 1000));
  const start = WARMUP > 0 ? `after a warm-up of ${WARMUP} events each way` : "from cold";
  console.log(
    `bridge on the embedded cloud, ${EVENTS} events each way at once (${ledger.durationMs} ms, ${start}, ` +
      `${CONCURRENCY} environments per function): AWS → Google ~${rate(toGoogle)} msg/s, ` +
      `Google → AWS ~${rate(fromGoogle)} msg/s (events / p95 latency; target ≥ 500 each way); ` +
      `first publish → last arrival ${toGoogle.eventsPerSecond} and ${fromGoogle.eventsPerSecond} msg/s; ` +
      `process CPU ${((cpu.user + cpu.system) / 1000 / events).toFixed(2)} ms per event; ` +
      `${fromGoogle.retriedPushes} pushes retried; clean: ${ledger.ok} ${ledger.problems.join("; ")}`,
  );
  if (process.env.BRIDGE_BENCH_THREADS === "1") {
    console.log(`CPU ms per event by thread: ${cpuPerUnit(threadsBefore, threadsAfter, events)}`);
  }
}

await emulatorThroughput();
if (process.env.BRIDGE_BENCH_SKIP_CLOUD !== "1") {
  const target = await localTarget({
    stack: snsPubsubBridge.stack,
    concurrency: CONCURRENCY,
    ...patternLocalOptions(snsPubsubBridge),
  });
  await bridgeThroughput(target).finally(() => target.stop());
}
process.exit(0);
