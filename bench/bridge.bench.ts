/**
 * `npm run bench -- bridge`: the sns-pubsub-bridge's throughput.
 *
 * 1. The Pub/Sub emulator on its own with the real `@google-cloud/pubsub` client: N messages of
 *    1 KiB published (the client batches them), then received over StreamingPull and acknowledged;
 *    publish → last ack, messages per second. Target (issue 14): ≥ 10,000 msg/s.
 * 2. The bridge on the embedded cloud after an unmeasured warm-up run, in rounds: each way alone
 *    (the direction gets the machine: the figure the issue's target of ≥ 500 msg/s each way is
 *    checked against), then both ways at once. Each figure is events / p95 latency, with the
 *    first-publish → last-arrival rate and the process's CPU per event beside it; the median over
 *    the rounds is printed last, because one round on a shared VM can be 30 % off the next.
 *
 * Options (environment): BRIDGE_BENCH_MESSAGES (emulator, default 50,000), BRIDGE_BENCH_EVENTS
 * (bridge, default 1,000 each way), BRIDGE_BENCH_ROUNDS (default 3), BRIDGE_BENCH_CONCURRENCY
 * (environments per function; default the local cloud's, 2), BRIDGE_BENCH_WARMUP (events each way of
 * the unmeasured first run, default 1,000; 0 = measure from cold), BRIDGE_BENCH_THREADS=1 (CPU per
 * event by thread, Linux), BRIDGE_BENCH_SKIP_CLOUD=1 (emulator only).
 */

import { PubSub } from "@google-cloud/pubsub";
import { startPubsubEmulator } from "../tools/local/pubsub/index.ts";
import { patternLocalOptions } from "../tools/local/run.ts";
import { percentile } from "../tools/local/scenarios/kit/latency.ts";
import {
  type BridgeDirections,
  runBridgeScenario,
  snsPubsubBridge,
} from "../tools/local/scenarios/sns-pubsub-bridge/index.ts";
import { localTarget } from "../tools/local/targets/local.ts";
import { cpuPerUnit, threadCpu } from "./thread-cpu.ts";

process.env.METADATA_SERVER_DETECTION = "none";
const MESSAGES = Number(process.env.BRIDGE_BENCH_MESSAGES ?? 50_000);
const EVENTS = Number(process.env.BRIDGE_BENCH_EVENTS ?? 1_000);
const roundsSetting = Number(process.env.BRIDGE_BENCH_ROUNDS ?? 3);
const ROUNDS = Number.isInteger(roundsSetting) && roundsSetting >= 1 ? roundsSetting : 3;
const CONCURRENCY = process.env.BRIDGE_BENCH_CONCURRENCY
  ? Number(process.env.BRIDGE_BENCH_CONCURRENCY)
  : undefined;
const WARMUP = Number(process.env.BRIDGE_BENCH_WARMUP ?? 1_000);

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

type Target = Awaited<ReturnType<typeof localTarget>>;

/** One measured run's figures: msg/s per direction (events / p95), the end-to-end rates, CPU per event. */
interface RoundFigures {
  readonly toGoogle: number;
  readonly fromGoogle: number;
  readonly line: string;
}

async function measure(target: Target, directions: BridgeDirections): Promise<RoundFigures> {
  // CPU of the whole process (every thread: environments, dynalite, the emulators) during the
  // scenario: on a CPU-bound box, throughput = cores / CPU per event, a figure that machine load
  // distorts less than it distorts wall-clock rates.
  const cpuBefore = process.cpuUsage();
  const threadsBefore = threadCpu();
  const ledger = await runBridgeScenario(
    { ...target, settleTimeoutMs: 300_000 },
    { events: EVENTS, directions },
  );
  const cpu = process.cpuUsage(cpuBefore);
  const threadsAfter = threadCpu();
  const { toGoogle, fromGoogle } = ledger.details;
  const events = Math.max(1, toGoogle.forwarded + fromGoogle.forwarded);
  const rate = (d: typeof toGoogle) =>
    d.sent === 0 ? 0 : Math.round(d.forwarded / (Math.max(1, d.latencyMs.p95 + 1) / 1000));
  const figures = [
    ...(toGoogle.sent > 0
      ? [`AWS → Google ~${rate(toGoogle)} msg/s (${toGoogle.eventsPerSecond} end to end)`]
      : []),
    ...(fromGoogle.sent > 0
      ? [`Google → AWS ~${rate(fromGoogle)} msg/s (${fromGoogle.eventsPerSecond} end to end)`]
      : []),
  ];
  const threads =
    process.env.BRIDGE_BENCH_THREADS === "1"
      ? `; CPU ms per event by thread: ${cpuPerUnit(threadsBefore, threadsAfter, events)}`
      : "";
  return {
    toGoogle: rate(toGoogle),
    fromGoogle: rate(fromGoogle),
    line:
      `${directions.padEnd(11)} ${figures.join(", ")}; CPU ${((cpu.user + cpu.system) / 1000 / events).toFixed(2)} ms per event; ` +
      `${fromGoogle.retriedPushes} pushes retried; clean: ${ledger.ok} ${ledger.problems.join("; ")}${threads}`,
  };
}

/** The median of a round's figures (nearest rank, as the scenarios' latency percentiles). */
const median = (values: readonly number[]): number => percentile(values, 50);

async function bridgeThroughput(target: Target): Promise<void> {
  // A throughput figure is the warm system's: a first run starts every execution environment (each
  // cold start loads a bundle, ≈0.7 s of CPU) and lets V8 optimise the hot paths in every isolate,
  // so neither lands in the measured window. BRIDGE_BENCH_WARMUP=0 measures from cold.
  if (WARMUP > 0) {
    const warm = await runBridgeScenario({ ...target, settleTimeoutMs: 300_000 }, { events: WARMUP });
    if (!warm.ok) console.log(`warm-up run not clean: ${warm.problems.join("; ")}`);
  }
  const environments =
    CONCURRENCY === undefined
      ? "the local cloud's default environments per function"
      : `${CONCURRENCY} environments per function`;
  console.log(
    `bridge on the embedded cloud: ${EVENTS} events per direction, ${ROUNDS} rounds, ${environments}, ` +
      `${WARMUP > 0 ? `after a warm-up of ${WARMUP} events each way` : "from cold"} (msg/s = events / p95 latency)`,
  );
  const alone = { toGoogle: [] as number[], fromGoogle: [] as number[] };
  const atOnce = { toGoogle: [] as number[], fromGoogle: [] as number[] };
  for (let round = 1; round <= ROUNDS; round++) {
    const to = await measure(target, "to-google");
    const from = await measure(target, "from-google");
    const both = await measure(target, "both");
    for (const r of [to, from, both]) console.log(`  round ${round}: ${r.line}`);
    alone.toGoogle.push(to.toGoogle);
    alone.fromGoogle.push(from.fromGoogle);
    atOnce.toGoogle.push(both.toGoogle);
    atOnce.fromGoogle.push(both.fromGoogle);
  }
  console.log(
    `bridge, median of ${ROUNDS} rounds: each way alone AWS → Google ${median(alone.toGoogle)} msg/s, ` +
      `Google → AWS ${median(alone.fromGoogle)} msg/s (target ≥ 500 each way); both at once ` +
      `${median(atOnce.toGoogle)} and ${median(atOnce.fromGoogle)} msg/s`,
  );
}

await emulatorThroughput();
if (process.env.BRIDGE_BENCH_SKIP_CLOUD !== "1") {
  const target = await localTarget({
    stack: snsPubsubBridge.stack,
    ...(CONCURRENCY !== undefined ? { concurrency: CONCURRENCY } : {}),
    ...patternLocalOptions(snsPubsubBridge),
  });
  await bridgeThroughput(target).finally(() => target.stop());
}
process.exit(0);
