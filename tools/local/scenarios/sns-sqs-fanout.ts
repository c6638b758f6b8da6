import { randomBytes } from "node:crypto";
import { BatchGetItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { isFaultInjected, parseFaultInjection } from "../../../functions/shared/fault-injection.ts";
import { type DlqEntry, type Ledger, percentile, type SubscriberLedger } from "./ledger.ts";
import { outputReader, type ScenarioTarget } from "./target.ts";

/** Options of {@link runFanoutScenario}. */
export interface FanoutScenarioOptions {
  /** Valid events to publish. @default 200 */
  readonly events?: number;
  /**
   * Inject the producer-side faults: 1 % malformed bodies published straight to the topic and 2 %
   * duplicate publishes of an event ID (at least one of each). Consumer-side transient failures come
   * from the consumers' `FAULT_INJECTION` (set on the target: `environment` locally, `-c
   * faultInjection=transient=0.05` when deploying) and are read from their configuration.
   * @default true
   */
  readonly faults?: boolean;
  /** Events per publisher invocation. @default 25 */
  readonly publishBatchSize?: number;
  /** Concurrent publisher invocations. @default 4 */
  readonly publishConcurrency?: number;
  /** Called while the run progresses (publishing, then settling). */
  readonly onProgress?: (progress: FanoutProgress) => void;
}

/** Progress of a run, for a live line. */
export interface FanoutProgress {
  readonly phase: "publishing" | "settling" | "done";
  readonly published: number;
  readonly toPublish: number;
  /** Deliveries applied or dead-lettered so far. */
  readonly settled: number;
  readonly toSettle: number;
}

/** The example subscribers and what their filter policies let through (see the stack's contract). */
export const FANOUT_SUBSCRIBERS = [
  {
    name: "billing",
    output: "Billing",
    matches: (e: FanoutEvent) => e.type === "order.created",
    malformed: true,
  },
  {
    name: "shipping",
    output: "Shipping",
    matches: (e: FanoutEvent) => e.data.status === "paid",
    malformed: false,
  },
  { name: "audit", output: "Audit", matches: () => true, malformed: true },
] as const;

/** A valid event as the scenario publishes it through the publisher. */
export interface FanoutEvent {
  readonly id: string;
  readonly type: string;
  readonly data: { orderId: string; customerId: string; amount: number; currency: string; status: string };
}

const TYPES = [
  { type: "order.created", status: "created", weight: 4 },
  { type: "order.paid", status: "paid", weight: 3 },
  { type: "order.shipped", status: "shipped", weight: 2 },
  { type: "order.cancelled", status: "cancelled", weight: 1 },
] as const;

/** Builds `count` valid events for run `runId`, types mixed 4:3:2:1 (created, paid, shipped, cancelled). */
export function buildEvents(runId: string, count: number): FanoutEvent[] {
  const wheel = TYPES.flatMap((t) => Array.from({ length: t.weight }, () => t));
  return Array.from({ length: count }, (_, i) => {
    const t = wheel[i % wheel.length] as (typeof TYPES)[number];
    return {
      id: `${runId}-${String(i).padStart(6, "0")}`,
      type: t.type,
      data: {
        orderId: `order-${i}`,
        customerId: `customer-${i % 17}`,
        amount: (i % 50) * 3 + 1,
        currency: "EUR",
        status: t.status,
      },
    };
  });
}

/**
 * The `sns-sqs-fanout` scenario: publishes N events through the publisher function (Lambda Invoke),
 * with 2 % duplicate publishes and 1 % malformed bodies published straight to the topic, waits for
 * every delivery to settle (effect applied, or dead-lettered), and returns the {@link Ledger}.
 * Expected: each valid event's effect applied exactly once per matching subscriber (billing:
 * `order.created`; shipping: `data.status = paid`; audit: all), malformed events in the billing and
 * audit DLQs with `error.type`/`error.reason`, non-matching events not delivered, nothing lost.
 * It reads only through AWS SDK calls and the stack outputs, so it runs unchanged on every target.
 */
export async function runFanoutScenario(
  target: ScenarioTarget,
  options: FanoutScenarioOptions = {},
): Promise<Ledger> {
  const started = Date.now();
  const out = outputReader(target);
  const lambda = new LambdaClient(target.clientConfig("lambda"));
  const sns = new SNSClient(target.clientConfig("sns"));
  const sqs = new SQSClient(target.clientConfig("sqs"));
  const dynamodb = new DynamoDBClient(target.clientConfig("dynamodb"));
  try {
    const runId = randomBytes(4).toString("hex");
    const count = options.events ?? 200;
    const faults = options.faults ?? true;
    const malformedCount = faults ? Math.max(1, Math.round(count * 0.01)) : 0;
    const duplicateCount = faults ? Math.max(1, Math.round(count * 0.02)) : 0;
    const events = buildEvents(runId, count);

    // What the consumers inject, from their configuration (the same on every target).
    const faultSpecs = await Promise.all(
      FANOUT_SUBSCRIBERS.map(async (s) => {
        const config = await lambda.send(
          new GetFunctionConfigurationCommand({ FunctionName: out(`${s.output}FunctionName`) }),
        );
        return config.Environment?.Variables?.FAULT_INJECTION ?? "";
      }),
    );
    const faultInjection = [...new Set(faultSpecs.filter((s) => s !== ""))].join(", ");

    const expected = FANOUT_SUBSCRIBERS.map((s) => events.filter((e) => s.matches(e)));
    const toSettle =
      expected.reduce((n, list) => n + list.length, 0) +
      malformedCount * FANOUT_SUBSCRIBERS.filter((s) => s.malformed).length;
    const report = (phase: FanoutProgress["phase"], published: number, settled: number) =>
      options.onProgress?.({
        phase,
        published,
        toPublish: count + duplicateCount + malformedCount,
        settled,
        toSettle,
      });

    // Publish: valid events through the publisher, duplicates (same IDs) after them, malformed to the topic.
    const publishedAt = new Map<string, number>();
    const batchSize = options.publishBatchSize ?? 25;
    const chunks: FanoutEvent[][] = [];
    for (let i = 0; i < events.length; i += batchSize) chunks.push(events.slice(i, i + batchSize));
    const duplicates = events
      .filter((_, i) => i % Math.max(1, Math.floor(count / Math.max(1, duplicateCount))) === 0)
      .slice(0, duplicateCount);
    if (duplicates.length > 0) chunks.push(duplicates);
    let published = 0;
    let publishFailures = 0;
    const publishChunk = async (chunk: FanoutEvent[]) => {
      const now = Date.now();
      for (const e of chunk) if (!publishedAt.has(e.id)) publishedAt.set(e.id, now);
      const response = await lambda.send(
        new InvokeCommand({
          FunctionName: out("PublisherFunctionName"),
          Payload: Buffer.from(
            JSON.stringify({
              events: chunk.map((e) => ({ id: e.id, type: e.type, data: e.data, subject: e.data.orderId })),
            }),
          ),
        }),
      );
      const text = Buffer.from(response.Payload ?? new Uint8Array()).toString("utf8");
      if (response.FunctionError) throw new Error(`the publisher failed: ${text}`);
      const result = JSON.parse(text) as { published: unknown[]; failed: unknown[] };
      publishFailures += result.failed.length;
      published += chunk.length;
      report("publishing", published, 0);
    };
    const queue = [...chunks];
    const concurrency = options.publishConcurrency ?? 4;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let chunk = queue.shift(); chunk; chunk = queue.shift()) await publishChunk(chunk);
      }),
    );
    for (let i = 0; i < malformedCount; i++) {
      await sns.send(
        new PublishCommand({
          TopicArn: out("TopicArn"),
          Message: `{"specversion":"1.0","id":"${runId}-malformed-${i}","type":"order.created","data":{"orderId":`,
          MessageAttributes: { type: { DataType: "String", StringValue: "order.created" } },
        }),
      );
      published++;
    }
    report("publishing", published, 0);

    // Settle: poll the effects table for outstanding deliveries and the DLQs for this run's entries.
    const effects = new Map<string, { applications: number; firstAppliedAt: number }>();
    const dlqSeen = new Map<string, DlqEntry>();
    const outstanding = new Set(
      FANOUT_SUBSCRIBERS.flatMap((s, i) => (expected[i] ?? []).map((e) => `${s.name}|${e.id}`)),
    );
    const expectedDlq = malformedCount * FANOUT_SUBSCRIBERS.filter((s) => s.malformed).length;
    const deadline = Date.now() + target.settleTimeoutMs;
    const pollEvery = target.name === "local" ? 200 : 2000;
    for (;;) {
      await readEffects(dynamodb, out("EffectsTableName"), [...outstanding], effects);
      for (const key of effects.keys()) outstanding.delete(key);
      await readDlqs(sqs, runId, out, dlqSeen);
      const settled = toSettle - outstanding.size - Math.max(0, expectedDlq - dlqSeen.size);
      report("settling", published, settled);
      if ((outstanding.size === 0 && dlqSeen.size >= expectedDlq) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, pollEvery));
    }
    // Drain: every expected effect has appeared once, but a duplicate publish (sent last) or a
    // message a filter should have dropped may still be queued or in flight. Wait until every
    // subscriber queue is empty with nothing in flight for a quiet period (AWS's approximate counts
    // lag, hence a longer one there), then read every effect again so duplicates show as
    // applications > 1 and filter leaks as unexpected effects.
    const quietPolls = target.name === "local" ? 3 : 30;
    await waitForDrainedQueues(
      sqs,
      FANOUT_SUBSCRIBERS.map((s) => out(`${s.output}QueueUrl`)),
      { quietPolls, pollEvery, deadline },
    );
    effects.clear();
    await readEffects(
      dynamodb,
      out("EffectsTableName"),
      FANOUT_SUBSCRIBERS.flatMap((s, i) => (expected[i] ?? []).map((e) => `${s.name}|${e.id}`)),
      effects,
    );
    await readDlqs(sqs, runId, out, dlqSeen);

    // Effects for events a filter should have dropped (read once everything expected has settled).
    const unexpectedKeys = FANOUT_SUBSCRIBERS.flatMap((s) =>
      events.filter((e) => !s.matches(e)).map((e) => `${s.name}|${e.id}`),
    );
    const unexpectedEffects = new Map<string, { applications: number; firstAppliedAt: number }>();
    await readEffects(dynamodb, out("EffectsTableName"), unexpectedKeys, unexpectedEffects);

    const latencies: number[] = [];
    let lastEffect = 0;
    const dlqEntries = [...dlqSeen.values()];
    const subscribers: SubscriberLedger[] = FANOUT_SUBSCRIBERS.map((s, i) => {
      const mine = expected[i] ?? [];
      let delivered = 0;
      let applied = 0;
      let duplicatesSeen = 0;
      for (const e of mine) {
        const effect = effects.get(`${s.name}|${e.id}`);
        if (!effect) continue;
        delivered++;
        applied += effect.applications;
        if (effect.applications > 1) duplicatesSeen++;
        latencies.push(Math.max(0, effect.firstAppliedAt - (publishedAt.get(e.id) ?? effect.firstAppliedAt)));
        lastEffect = Math.max(lastEffect, effect.firstAppliedAt);
      }
      const dlq = dlqEntries.filter((d) => d.subscriber === s.name).length;
      const subscriberRate = parseFaultInjection(faultSpecs[i] || undefined).transientRate;
      return {
        name: s.name,
        expected: mine.length,
        delivered,
        effectsApplied: applied,
        duplicates: duplicatesSeen,
        // Every delivered copy of a selected event fails on its first receive, duplicate publishes included.
        transientInjected: mine
          .filter((e) => isFaultInjected(s.name, e.id, subscriberRate))
          .reduce((n, e) => n + 1 + duplicates.filter((d) => d.id === e.id).length, 0),
        dlq,
        expectedDlq: s.malformed ? malformedCount : 0,
        lost: mine.length - delivered,
        unexpected: [...unexpectedEffects.keys()].filter((k) => k.startsWith(`${s.name}|`)).length,
      };
    });
    const sum = (pick: (s: SubscriberLedger) => number) => subscribers.reduce((n, s) => n + pick(s), 0);
    const totals = {
      expected: sum((s) => s.expected),
      delivered: sum((s) => s.delivered),
      effectsApplied: sum((s) => s.effectsApplied),
      duplicates: sum((s) => s.duplicates),
      dlq: sum((s) => s.dlq),
      lost: sum((s) => s.lost),
      unexpected: sum((s) => s.unexpected),
    };
    const problems: string[] = [];
    if (publishFailures > 0) problems.push(`${publishFailures} publisher entries failed`);
    if (totals.lost > 0) problems.push(`${totals.lost} deliveries lost (neither applied nor dead-lettered)`);
    if (totals.duplicates > 0) problems.push(`${totals.duplicates} effects applied more than once`);
    if (totals.unexpected > 0)
      problems.push(`${totals.unexpected} effects for events a filter policy should have dropped`);
    for (const s of subscribers) {
      if (s.dlq !== s.expectedDlq)
        problems.push(`${s.name}: ${s.dlq} DLQ entries, expected ${s.expectedDlq} (the malformed events)`);
    }
    if (dlqEntries.some((d) => d.reason === "")) problems.push("a DLQ entry has no error.reason");
    const firstPublish = Math.min(...publishedAt.values());
    const durationMs = Date.now() - started;
    report("done", published, toSettle - totals.lost);
    return {
      slug: "sns-sqs-fanout",
      target: target.name,
      runId,
      sent: {
        events: count,
        malformed: malformedCount,
        duplicatePublishes: duplicates.length,
        publishFailures,
      },
      faultInjection,
      subscribers,
      totals,
      dlq: dlqEntries,
      latencyMs: {
        p50: Math.round(percentile(latencies, 50)),
        p95: Math.round(percentile(latencies, 95)),
        p99: Math.round(percentile(latencies, 99)),
        samples: latencies.length,
      },
      eventsPerSecond: lastEffect > firstPublish ? (count * 1000) / (lastEffect - firstPublish) : 0,
      durationMs,
      ok: problems.length === 0,
      problems,
    };
  } finally {
    for (const client of [lambda, sns, sqs, dynamodb]) client.destroy();
  }
}

/** BatchGetItem on the effects table for `subscriber|eventId` keys (100 per call, unprocessed keys retried). */
async function readEffects(
  client: DynamoDBClient,
  table: string,
  keys: readonly string[],
  into: Map<string, { applications: number; firstAppliedAt: number }>,
): Promise<void> {
  for (let i = 0; i < keys.length; i += 100) {
    let request: Record<string, { Keys: Record<string, { S: string }>[] }> | undefined = {
      [table]: {
        Keys: keys.slice(i, i + 100).map((key) => {
          const [subscriber, eventId] = key.split("|") as [string, string];
          return { subscriber: { S: subscriber }, eventId: { S: eventId } };
        }),
      },
    };
    while (request && Object.keys(request).length > 0) {
      const response = await client.send(new BatchGetItemCommand({ RequestItems: request }));
      for (const item of response.Responses?.[table] ?? []) {
        into.set(`${item.subscriber?.S}|${item.eventId?.S}`, {
          applications: Number(item.applications?.N ?? "0"),
          firstAppliedAt: Date.parse(item.firstAppliedAt?.S ?? "") || Date.now(),
        });
      }
      request = response.UnprocessedKeys as typeof request;
    }
  }
}

/** Reads every subscriber's queue DLQ and subscription DLQ without deleting, keeping this run's entries. */
async function readDlqs(
  sqs: SQSClient,
  runId: string,
  out: (name: string) => string,
  into: Map<string, DlqEntry>,
): Promise<void> {
  for (const s of FANOUT_SUBSCRIBERS) {
    for (const [source, output] of [
      ["queue", `${s.output}DlqUrl`],
      ["subscription", `${s.output}SubscriptionDlqUrl`],
    ] as const) {
      for (;;) {
        const response = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: out(output),
            MaxNumberOfMessages: 10,
            VisibilityTimeout: 1,
            WaitTimeSeconds: 0,
            MessageAttributeNames: ["All"],
          }),
        );
        const messages = response.Messages ?? [];
        let fresh = 0;
        for (const m of messages) {
          if (!m.MessageId || into.has(m.MessageId) || !m.Body?.includes(runId)) continue;
          fresh++;
          into.set(m.MessageId, {
            subscriber: s.name,
            source,
            errorType: m.MessageAttributes?.["error.type"]?.StringValue ?? "",
            reason: m.MessageAttributes?.["error.reason"]?.StringValue ?? "",
          });
        }
        if (messages.length === 0 || fresh === 0) break;
      }
    }
  }
}

/**
 * Waits until every queue reports no visible, in-flight or delayed message on `quietPolls`
 * consecutive polls (or the deadline passes). Approximate counts are eventually consistent on AWS,
 * so one zero reading proves little; several in a row do.
 */
async function waitForDrainedQueues(
  sqs: SQSClient,
  queueUrls: readonly string[],
  { quietPolls, pollEvery, deadline }: { quietPolls: number; pollEvery: number; deadline: number },
): Promise<void> {
  let quiet = 0;
  while (quiet < quietPolls && Date.now() <= deadline) {
    const counts = await Promise.all(
      queueUrls.map(async (QueueUrl) => {
        const { Attributes = {} } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl,
            AttributeNames: [
              "ApproximateNumberOfMessages",
              "ApproximateNumberOfMessagesNotVisible",
              "ApproximateNumberOfMessagesDelayed",
            ],
          }),
        );
        return Object.values(Attributes).reduce((sum, n) => sum + Number(n ?? 0), 0);
      }),
    );
    quiet = counts.every((n) => n === 0) ? quiet + 1 : 0;
    if (quiet < quietPolls) await new Promise((resolve) => setTimeout(resolve, pollEvery));
  }
}
