/**
 * The msk-lambda-stream scenario (local target, with the MSK service): N events (default 1,000) over
 * K keys (default 10) through the producer function in batches of 100, consumed by the Kafka event
 * source into the effects table. With `faults` (and the consumer's `FAULT_INJECTION`, the entry's
 * fault environment): transient failures (first attempt of ~2 % of events), one event whose first
 * attempt hangs until the consumer times out, then a malformed record (poison: recorded with its
 * offset and skipped by the consumer) and a stuck event (always fails: the event source exhausts its
 * retries and sends its offsets to the on-failure queue). Reads everything back through the AWS SDK
 * (DynamoDB, SQS, the MSK control plane) and a Kafka admin client (offsets, lag).
 */

import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { GetBootstrapBrokersCommand, KafkaClient } from "@aws-sdk/client-kafka";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { Kafka, logLevel, Partitioners } from "kafkajs";
import {
  parseStreamFaults,
  STREAM_FAULT_SUBSCRIBER,
} from "../../../../functions/msk-lambda-stream/stream-faults.ts";
import { isFaultInjected } from "../../../../functions/shared/fault-injection.ts";
import { MskLambdaStreamOutputs as O } from "../../../../stacks/msk-lambda-stream-outputs.ts";
import { MskService } from "../../services/msk.ts";
import { deleteMessages } from "../kit/dlq.ts";
import { functionEnvironment, invokeJson } from "../kit/invoke.ts";
import { perSecond } from "../kit/latency.ts";
import type { ScenarioLedger } from "../kit/ledger.ts";
import { type ProgressListener, phasedProgress } from "../kit/progress.ts";
import { runScenario } from "../kit/run.ts";
import { deadlineIn, waitUntil } from "../kit/wait.ts";
import type { FailureObservation, PoisonObservation, StreamDetails } from "./judge.ts";
import { judgeStream } from "./judge.ts";

/** Thrown when the target has no local MSK service (a deployed target, or a local one without it). */
export class StreamTargetError extends Error {
  override readonly name = "StreamTargetError";
}

/** The msk-lambda-stream ledger. */
export type StreamLedger = ScenarioLedger<StreamDetails>;

export interface StreamScenarioOptions {
  /** Valid events. @default 1000 */
  readonly events?: number;
  /** Keys (entities) the events are spread over. @default 10 */
  readonly keys?: number;
  /** Events per producer invocation. @default 100 */
  readonly batchSize?: number;
  /** Send the timeout, poison and stuck records (transient failures come from the target's FAULT_INJECTION). @default false */
  readonly faults?: boolean;
  readonly onProgress?: ProgressListener;
}

/** The event source's default `retryAttempts` (patterns/msk-lambda-stream/defaults.ts) bounds faults per batch. */
const MAX_BATCH = 100;
/** Partitions of the stack's topic are read from the broker; this is only the partitioner's input shape. */
const UPDATED = "order.updated";

/**
 * Picks event ids so that no 100 consecutive records of one partition hold more than one transient
 * fault: each fault costs one of the event source's 3 retries of the batch it is in, and a batch with
 * more faults than retries would (correctly) be sent to the failure queue, which is not this run's
 * point. Partitions follow Kafka's default partitioner (murmur2 of the key), as the producer's does.
 */
function chooseIds(
  runId: string,
  keys: readonly string[],
  count: number,
  partitions: number,
  transientRate: number,
): string[] {
  const partitioner = Partitioners.DefaultPartitioner();
  const meta = Array.from({ length: partitions }, (_, p) => ({
    partitionId: p,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  const partitionOf = new Map(
    keys.map((key) => [
      key,
      partitioner({ topic: "t", partitionMetadata: meta, message: { key, value: null } }),
    ]),
  );
  const seen = new Map<number, number>();
  const lastHit = new Map<number, number>();
  return Array.from({ length: count }, (_, i) => {
    const p = partitionOf.get(keys[i % keys.length] as string) ?? 0;
    const position = seen.get(p) ?? 0;
    seen.set(p, position + 1);
    let id = `${runId}-${i}`;
    if (isFaultInjected(STREAM_FAULT_SUBSCRIBER, id, transientRate)) {
      if (position - (lastHit.get(p) ?? -Infinity) < MAX_BATCH) {
        for (let n = 1; isFaultInjected(STREAM_FAULT_SUBSCRIBER, id, transientRate); n++)
          id = `${runId}-${i}.${n}`;
      } else lastHit.set(p, position);
    }
    return id;
  });
}

/** Runs the scenario on `target` (the local target with the MSK service: it needs the Kafka control plane). */
export function runStreamScenario(
  target: Parameters<typeof runScenario>[0],
  options: StreamScenarioOptions = {},
): Promise<StreamLedger> {
  if (!target.localServices?.some((s) => s instanceof MskService)) {
    return Promise.reject(
      new StreamTargetError(
        `msk-lambda-stream needs the local MSK service; target ${target.name} has none (it runs on the local target only)`,
      ),
    );
  }
  const n = options.events ?? 1000;
  const k = Math.max(1, Math.min(options.keys ?? 10, n));
  const batchSize = options.batchSize ?? 100;
  const faults = options.faults ?? false;
  return runScenario(target, "msk-lambda-stream", async ({ runId, clients, out, intervalMs }) => {
    const { lambda, dynamodb, sqs } = clients;
    const progress = phasedProgress(
      [
        { name: "produce", weight: 0.2 },
        { name: "consume", weight: 0.6 },
        { name: "faults and lag", weight: 0.2 },
      ],
      options.onProgress,
    );
    const deadline = deadlineIn(target.settleTimeoutMs + 60_000);
    const faultInjection =
      (await functionEnvironment(lambda, out(O.ConsumerFunctionName))).FAULT_INJECTION ?? "";
    const streamFaults = parseStreamFaults(faultInjection);
    const control = new KafkaClient(target.clientConfig("kafka"));
    const { BootstrapBrokerStringSaslIam = "" } = await control
      .send(new GetBootstrapBrokersCommand({ ClusterArn: out(O.ClusterArn) }))
      .finally(() => control.destroy());
    const kafka = new Kafka({
      clientId: `scenario-${runId}`,
      brokers: BootstrapBrokerStringSaslIam.split(","),
      logLevel: logLevel.NOTHING,
      sasl: { mechanism: "oauthbearer", oauthBearerProvider: async () => ({ value: "scenario" }) },
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topic = out(O.TopicName);
      const groupId = out(O.ConsumerGroupId);
      const table = out(O.EffectsTableName);
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = metadata.topics[0]?.partitions.length ?? 1;
      // Offsets already on the topic (an earlier run on the same cloud) are not this run's to account for.
      const baseline = (await admin.fetchTopicOffsets(topic)).reduce((s, e) => s + Number(e.high), 0);
      const keys = Array.from({ length: k }, (_, i) => `${runId}-entity-${i}`);
      const ids = chooseIds(runId, keys, n, partitions, streamFaults.transientRate);
      const slowIndex = faults && streamFaults.timeoutType ? Math.floor(n / 2) : -1;
      const events = ids.map((id, i) => ({
        id,
        entityId: keys[i % k] as string,
        sequence: Math.floor(i / k) + 1,
        type: i === slowIndex ? (streamFaults.timeoutType as string) : UPDATED,
      }));
      const produced = new Map<string, number>();
      for (const e of events) produced.set(e.entityId, e.sequence);

      // Latency: the entity row's `updatedAt` is the apply time of its `lastSequence` event; others are
      // timed when a poll first sees the sequence passed (within one poll interval).
      const sentAt = new Map<string, number>();
      const latencies: number[] = [];
      const seenUpTo = new Map<string, number>();
      const firstSent = Date.now();
      let lastApplied = firstSent;
      type Row = Record<string, { S?: string; N?: string }>;
      const scanRows = async (): Promise<Row[]> => {
        const rows: Row[] = [];
        let start: Row | undefined;
        do {
          const page = await dynamodb.send(
            new ScanCommand({ TableName: table, ExclusiveStartKey: start as never }),
          );
          rows.push(...((page.Items ?? []) as Row[]));
          start = page.LastEvaluatedKey as Row | undefined;
        } while (start);
        return rows;
      };
      let appliedSoFar = 0;
      const observe = async () => {
        const now = Date.now();
        let total = 0;
        for (const row of await scanRows()) {
          const pk = row.pk?.S ?? "";
          if (!pk.startsWith(`entity#${runId}-`)) continue;
          const entity = pk.slice("entity#".length);
          const last = Number(row.lastSequence?.N ?? 0);
          total += Number(row.applied?.N ?? 0);
          const from = (seenUpTo.get(entity) ?? 0) + 1;
          for (let s = from; s <= last; s++) {
            const sent = sentAt.get(`${entity}/${s}`);
            const at = s === last ? Date.parse(row.updatedAt?.S ?? "") || now : now;
            if (sent !== undefined) latencies.push(Math.max(0, at - sent));
          }
          if (last >= from) {
            seenUpTo.set(entity, last);
            lastApplied = Math.max(lastApplied, Date.parse(row.updatedAt?.S ?? "") || now);
          }
        }
        appliedSoFar = total;
        return total;
      };

      for (let i = 0; i < events.length; i += batchSize) {
        const chunk = events.slice(i, i + batchSize);
        const now = Date.now();
        for (const e of chunk) sentAt.set(`${e.entityId}/${e.sequence}`, now);
        await invokeJson(lambda, out(O.ProducerFunctionName), { events: chunk });
        progress("produce", `produced ${i + chunk.length}/${n}`, i + chunk.length, n);
      }
      await waitUntil(
        async () => {
          const applied = await observe();
          progress("consume", `applied ${applied}/${n}`, Math.min(applied, n), n);
          return applied >= n;
        },
        { timeoutMs: deadline.remainingMs(), intervalMs },
      );
      const eventsPerSecond = perSecond(Math.min(appliedSoFar, n), firstSent, lastApplied);

      // Poison and stuck records, alone at the tail of their partitions, so the failure queue holds
      // exactly the stuck record's offset.
      let poisonSent = 0;
      let stuckSent = 0;
      if (faults) {
        const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
        await producer.connect();
        await producer.send({ topic, messages: [{ key: keys[0] as string, value: `{not json ${runId}` }] });
        await producer.disconnect();
        poisonSent = 1;
        if (streamFaults.stuckType) {
          await invokeJson(lambda, out(O.ProducerFunctionName), {
            events: [
              { id: `${runId}-stuck`, entityId: `${runId}-stuck`, sequence: 1, type: streamFaults.stuckType },
            ],
          });
          stuckSent = 1;
        }
      }

      // Read the failure queue until it holds what was expected, then wait for lag 0.
      const failures: FailureObservation[] = [];
      const readFailures = async () => {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: out(O.FailureQueueUrl),
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
          }),
        );
        for (const m of Messages) {
          const body = JSON.parse(m.Body ?? "{}") as {
            requestContext?: { condition?: string };
            KafkaBatchInfo?: {
              recordsInfo?: Record<string, { firstRecordOffset: string; lastRecordOffset: string }>;
            };
          };
          for (const [topicPartition, info] of Object.entries(body.KafkaBatchInfo?.recordsInfo ?? {})) {
            failures.push({
              condition: body.requestContext?.condition ?? "",
              topicPartition,
              firstOffset: Number(info.firstRecordOffset),
              lastOffset: Number(info.lastRecordOffset),
            });
          }
        }
        await deleteMessages(sqs, out(O.FailureQueueUrl), Messages);
      };
      let offsetsOnTopic = 0;
      let lag = 0;
      const readLag = async () => {
        const ends = await admin.fetchTopicOffsets(topic);
        const [group] = await admin.fetchOffsets({ groupId, topics: [topic] });
        offsetsOnTopic = ends.reduce((s, e) => s + Number(e.high), 0) - baseline;
        lag = ends.reduce((s, e) => {
          const committed = Number(group?.partitions.find((p) => p.partition === e.partition)?.offset ?? -1);
          return s + Number(e.high) - Math.max(0, committed);
        }, 0);
      };
      let poison: PoisonObservation[] = [];
      // The effects table as the last check read it (the judge's input: no second scan afterwards).
      let rows: Row[] = [];
      await waitUntil(
        async () => {
          await readFailures();
          await readLag();
          rows = await scanRows();
          poison = rows
            .filter((r) => r.pk?.S?.startsWith(`poison#${topic}-`))
            .map((r) => ({
              topicPartition: `${r.topic?.S}-${r.partition?.N}`,
              offset: Number(r.offset?.N),
              errorType: r.errorType?.S ?? "",
            }));
          progress("faults and lag", `lag ${lag}`, lag === 0 ? 1 : 0, 1);
          const deadLettered = failures.reduce((s, f) => s + f.lastOffset - f.firstOffset + 1, 0);
          return lag === 0 && poison.length >= poisonSent && deadLettered >= stuckSent;
        },
        { timeoutMs: Math.max(intervalMs, deadline.remainingMs()), intervalMs },
      );

      const byPk = new Map(rows.map((r) => [r.pk?.S, r]));
      const entities = keys.map((key) => {
        const row = byPk.get(`entity#${key}`);
        return {
          entityId: key,
          produced: produced.get(key) ?? 0,
          applied: Number(row?.applied?.N ?? 0),
          lastSequence: Number(row?.lastSequence?.N ?? 0),
          orderViolations: Number(row?.orderViolations?.N ?? 0),
        };
      });
      const injected: Record<string, number> = {};
      const ours = new Set([...ids, `${runId}-stuck`]);
      for (const r of rows) {
        const m = /^fault#([^#]+)#(.+)$/.exec(r.pk?.S ?? "");
        if (m && ours.has(m[2] as string)) injected[m[1] as string] = (injected[m[1] as string] ?? 0) + 1;
      }
      return judgeStream({
        faults,
        faultInjection,
        produced: n,
        poisonSent,
        stuckSent,
        entities,
        poison,
        failures,
        offsetsOnTopic,
        lag,
        injected,
        latencySamples: latencies,
        eventsPerSecond,
      });
    } finally {
      await admin.disconnect();
    }
  });
}
