/**
 * `npm run bench -- stream`: the msk-lambda-stream pattern on the embedded cloud (issue 15, "Performance").
 *
 * 1. Start → first processed record (warm: cdk.out synthesized, modules cached): `startLocal` with the
 *    MSK service, then one event through the producer function until its effect is in DynamoDB.
 *    Target: under 1.5 s. Also the warm single-record latency (producer invoke → effect) once started.
 * 2. End to end, the scenario without faults: N events (default 2,000) in producer batches of 100,
 *    producer → broker → Kafka event source → consumer → idempotency and effect writes; applied
 *    events per second from the first produce to the last effect. Target: ≥ 1,000 records/s on 2 cores.
 *    Measured after a warm-up run of W events (default 1,000; printed too): the first thousand records
 *    through a fresh cloud pay V8's compilation of the SDK, the broker and the event source in five
 *    isolates (about 1.5 s of CPU on the platform threads), a one-off cost a long-running stream never
 *    sees again.
 * 3. CPU per record over that run, split by thread: the consumer's and the producer's execution
 *    environments (`LocalCloud.functionCpuMicros`, from `Worker.cpuUsage()`), the main thread
 *    (`process.threadCpuUsage()`: the Kafka event source's poller and invokes, and the Kafka broker,
 *    which also serves the producer: an upper bound of the event source's own overhead), and the rest
 *    (`process.cpuUsage()` minus those: dynalite's worker and V8's platform threads, GC and JIT).
 *    Target: the event source's overhead under a quarter of the consumer's CPU per record.
 *
 * Options (environment): STREAM_BENCH_EVENTS (default 2000), STREAM_BENCH_KEYS (default 10),
 * STREAM_BENCH_WARMUP (default 1000; 0 measures the cold-JIT run).
 */
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { MskLambdaStreamOutputs as O } from "../stacks/msk-lambda-stream-outputs.ts";
import { patternLocalOptions } from "../tools/local/run.ts";
import { openClients } from "../tools/local/scenarios/kit/clients.ts";
import { invokeJson } from "../tools/local/scenarios/kit/invoke.ts";
import { mskLambdaStream, runStreamScenario } from "../tools/local/scenarios/msk-lambda-stream/index.ts";
import { localTarget } from "../tools/local/targets/local.ts";
import { benchWait } from "./wait.ts";

const EVENTS = Number(process.env.STREAM_BENCH_EVENTS ?? 2_000);
const KEYS = Number(process.env.STREAM_BENCH_KEYS ?? 10);
const WARMUP = Number(process.env.STREAM_BENCH_WARMUP ?? 1_000);
const CONCURRENCY = process.env.STREAM_BENCH_CONCURRENCY
  ? Number(process.env.STREAM_BENCH_CONCURRENCY)
  : undefined;

async function oneRecord(target: Awaited<ReturnType<typeof localTarget>>, entityId: string): Promise<number> {
  const clients = openClients(target);
  try {
    const started = performance.now();
    await invokeJson(clients.lambda, target.outputs[O.ProducerFunctionName] as string, {
      events: [{ entityId, sequence: 1, type: "order.updated" }],
    });
    await benchWait(
      `the effect of ${entityId}`,
      async () => {
        const { Item } = await clients.dynamodb.send(
          new GetItemCommand({
            TableName: target.outputs[O.EffectsTableName],
            Key: { pk: { S: `entity#${entityId}` } },
          }),
        );
        return Item !== undefined;
      },
      { timeoutMs: 30_000, intervalMs: 5 },
    );
    return performance.now() - started;
  } finally {
    clients.destroy();
  }
}

const started = performance.now();
const target = await localTarget({
  stack: mskLambdaStream.stack,
  ...patternLocalOptions(mskLambdaStream),
  ...(CONCURRENCY !== undefined ? { concurrency: CONCURRENCY } : {}),
});
const up = performance.now() - started;
try {
  const first = await oneRecord(target, "bench-first");
  console.log(
    `start → first processed record: ${((up + first) / 1000).toFixed(2)} s (start ${(up / 1000).toFixed(2)} s + first record ${first.toFixed(0)} ms; target < 1.5 s)`,
  );
  const warm = await oneRecord(target, "bench-warm");
  console.log(`warm single record, producer invoke → effect: ${warm.toFixed(0)} ms`);
  if (WARMUP > 0) {
    const warmup = await runStreamScenario(target, { events: WARMUP, keys: KEYS, batchSize: 100 });
    if (!warmup.ok) console.log(`!!! the warm-up run was not clean: ${warmup.problems.join("; ")}`);
    console.log(
      `warm-up: ${WARMUP} records, the first through this cloud (JIT compilation included): ${warmup.details.eventsPerSecond.toFixed(0)} records/s`,
    );
  }
  const consumerFn = target.outputs[O.ConsumerFunctionName] as string;
  const producerFn = target.outputs[O.ProducerFunctionName] as string;
  const before = {
    all: process.cpuUsage(),
    main: process.threadCpuUsage(),
    consumer: await target.cloud.functionCpuMicros(consumerFn),
    producer: await target.cloud.functionCpuMicros(producerFn),
  };
  const ledger = await runStreamScenario(target, { events: EVENTS, keys: KEYS, batchSize: 100 });
  const all = process.cpuUsage(before.all);
  const main = process.threadCpuUsage(before.main);
  const consumer = (await target.cloud.functionCpuMicros(consumerFn)) - before.consumer;
  const producer = (await target.cloud.functionCpuMicros(producerFn)) - before.producer;
  if (!ledger.ok) console.log(`!!! the run was not clean: ${ledger.problems.join("; ")}`);
  console.log(
    `end to end: ${EVENTS} records in producer batches of 100 over ${KEYS} keys: ${ledger.details.eventsPerSecond.toFixed(0)} records/s applied (target ≥ 1,000); latency p50 ${ledger.latencyMs.p50} ms, p95 ${ledger.latencyMs.p95} ms`,
  );
  const perRecord = (micros: number) => (micros / 1000 / EVENTS).toFixed(3);
  const total = all.user + all.system;
  const mainMicros = main.user + main.system;
  console.log(
    `CPU per record: ${perRecord(total)} ms in all = consumer ${perRecord(consumer)} + producer ${perRecord(producer)} + main thread (event source, broker) ${perRecord(mainMicros)} + dynalite, GC and JIT ${perRecord(total - consumer - producer - mainMicros)}`,
  );
  console.log(
    `event source overhead (main thread, upper bound) / consumer CPU: ${((mainMicros / consumer) * 100).toFixed(0)} % (target < 25 %)`,
  );
} finally {
  await target.stop();
}
