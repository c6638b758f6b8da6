import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { type AttributeValue, BatchGetItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { jobKey, setFaultSwitch } from "../../../functions/sqs-dlq-redrive/jobs-table.ts";
import { type DlqEntry, type Ledger, percentile } from "./ledger.ts";
import { outputReader, type ScenarioTarget } from "./target.ts";

/** Options of {@link runRedriveScenario}. */
export interface RedriveScenarioOptions {
  /** Jobs to send. @default 50 */
  readonly jobs?: number;
  /**
   * Turn the fault switch on for the first phase: `permanent` jobs fail on every receive until they are
   * dead-lettered, `transient` jobs fail twice and then succeed. Without faults every job just succeeds.
   * @default true
   */
  readonly faults?: boolean;
  /** Jobs that fail while the switch is on. @default max(1, 10 % of jobs) */
  readonly permanent?: number;
  /** Jobs that fail on their first 2 receives. @default 2 */
  readonly transient?: number;
  readonly onProgress?: (line: string, fraction: number) => void;
}

/** How one transient job was retried: its failed receives with the backoff each chose, then success. */
export interface BackoffTrace {
  readonly jobId: string;
  /** `[receiveCount, delaySeconds, ms until the next receive]` per failed receive. */
  readonly attempts: ReadonlyArray<{
    receiveCount: number;
    delaySeconds: number;
    delayApplied: boolean;
    nextReceiveAfterMs: number;
  }>;
  /** The receive on which the job was applied. */
  readonly appliedOnReceive: number;
}

/** The ledger of this pattern: the common one plus the redrive and the backoff evidence. */
export interface RedriveLedger extends Ledger {
  readonly maxReceiveCount: number;
  /** What the redrive function reported. */
  readonly redrive: { readonly strategy: string; readonly moved: number; readonly durationMs: number };
  /** DLQ depth before the redrive (expected: the permanent jobs) and after it (expected: 0). */
  readonly dlqBefore: number;
  readonly dlqAfter: number;
  /** Jobs applied after being redriven (their `redrive-count` was 1). */
  readonly redriven: number;
  readonly backoff: readonly BackoffTrace[];
}

interface JobItem {
  applications: number;
  firstAppliedAt: number;
  receiveCount: number;
  redriveCount: number;
  attempts: Array<{
    receiveCount: number;
    at: number;
    delaySeconds: number;
    delayApplied: boolean;
    error: string;
  }>;
}

/**
 * The `sqs-dlq-redrive` scenario. Phase 1, fault switch on (an item in the jobs table, flipped with one
 * DynamoDB call so it works on every target): N jobs are sent; M "faultable" jobs fail on every receive,
 * back off, and on their `maxReceiveCount`-th receive are dead-lettered by the worker with
 * `error.type = RetriesExhausted` and the last error as the reason; 2 "transient" jobs fail twice and then
 * succeed, each failure setting a backoff delay the next receive must respect. Phase 2: the switch goes off
 * and the redrive function is invoked: every job's effect is applied exactly once, the DLQ is empty,
 * nothing is lost. Reads only stack outputs and AWS SDK calls.
 */
export async function runRedriveScenario(
  target: ScenarioTarget,
  options: RedriveScenarioOptions = {},
): Promise<RedriveLedger> {
  const started = Date.now();
  const out = outputReader(target);
  const sqs = new SQSClient(target.clientConfig("sqs"));
  const dynamodb = new DynamoDBClient(target.clientConfig("dynamodb"));
  const lambda = new LambdaClient(target.clientConfig("lambda"));
  const table = out("JobsTableName");
  const queueUrl = out("QueueUrl");
  const dlqUrl = out("DlqUrl");
  const progress = (line: string, fraction: number) => options.onProgress?.(line, fraction);
  const pollEvery = target.name === "local" ? 100 : 2000;
  try {
    const runId = randomBytes(4).toString("hex");
    const count = options.jobs ?? 50;
    const faults = options.faults ?? true;
    const permanent = faults ? Math.min(count, options.permanent ?? Math.max(1, Math.round(count * 0.1))) : 0;
    const transient = faults ? Math.min(count - permanent, options.transient ?? 2) : 0;
    const ids = Array.from({ length: count }, (_, i) => `${runId}-${String(i).padStart(5, "0")}`);
    const permanentIds = new Set(ids.slice(0, permanent));
    const transientIds = new Set(ids.slice(permanent, permanent + transient));
    const config = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: out("WorkerFunctionName") }),
    );
    const maxReceiveCount = Number(config.Environment?.Variables?.MAX_RECEIVE_COUNT ?? 0);
    if (!(maxReceiveCount >= 3))
      throw new Error(`the worker's MAX_RECEIVE_COUNT is ${maxReceiveCount}; the scenario needs ≥ 3`);
    const dlqStart = await depth(sqs, dlqUrl);
    if (dlqStart.visible + dlqStart.inFlight > 0) {
      throw new Error(
        `the DLQ already holds ${dlqStart.visible + dlqStart.inFlight} messages; redrive or purge it first`,
      );
    }

    // Phase 1: switch on, send every job.
    await setFaultSwitch(dynamodb, table, faults);
    const sentAt = new Map<string, number>();
    let sendFailures = 0;
    for (let i = 0; i < ids.length; i += 10) {
      const chunk = ids.slice(i, i + 10);
      const now = Date.now();
      const response = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((id, j) => ({
            Id: String(j),
            MessageBody: JSON.stringify({
              specversion: "1.0",
              id,
              source: "redrive-scenario",
              type: "job.requested",
              time: new Date(now).toISOString(),
              datacontenttype: "application/json",
              data: {
                jobId: id,
                ...(permanentIds.has(id) ? { faultable: true } : {}),
                ...(transientIds.has(id) ? { transientFailures: 2 } : {}),
              },
            }),
          })),
        }),
      );
      sendFailures += response.Failed?.length ?? 0;
      for (const id of chunk) sentAt.set(id, now);
      progress(`sent ${Math.min(count, i + 10)}/${count} jobs`, (0.2 * (i + 10)) / count);
    }

    // Phase 1 settles when every other job is applied and the faultable ones are all in the DLQ.
    const items = new Map<string, JobItem>();
    const others = ids.filter((id) => !permanentIds.has(id));
    const deadline = Date.now() + target.settleTimeoutMs;
    let dlqBefore = 0;
    for (;;) {
      await readJobs(dynamodb, table, ids, items);
      const applied = others.filter((id) => (items.get(id)?.applications ?? 0) > 0).length;
      const d = await depth(sqs, dlqUrl);
      dlqBefore = d.visible;
      progress(
        `phase 1: ${applied}/${others.length} applied, ${dlqBefore}/${permanent} in the DLQ`,
        0.2 + 0.4 * ((applied + dlqBefore) / count),
      );
      if ((applied === others.length && dlqBefore >= permanent && d.inFlight === 0) || Date.now() > deadline)
        break;
      await sleep(pollEvery);
    }
    const dlqEntries = await peekDlq(sqs, dlqUrl, dlqBefore);

    // Phase 2: switch off, redrive, settle.
    await setFaultSwitch(dynamodb, table, false);
    let redrive = { strategy: "none", moved: 0, durationMs: 0 };
    if (dlqBefore > 0) {
      const response = await lambda.send(
        new InvokeCommand({ FunctionName: out("RedriveFunctionName"), Payload: Buffer.from("{}") }),
      );
      const text = Buffer.from(response.Payload ?? new Uint8Array()).toString("utf8");
      if (response.FunctionError) throw new Error(`the redrive function failed: ${text}`);
      const result = JSON.parse(text) as {
        status: string;
        reason?: string;
        summary?: { strategy: string; moved: number; durationMs: number };
      };
      if (result.status !== "done" || !result.summary)
        throw new Error(`the redrive did not run: ${result.reason}`);
      redrive = {
        strategy: result.summary.strategy,
        moved: result.summary.moved,
        durationMs: result.summary.durationMs,
      };
    }
    for (;;) {
      await readJobs(dynamodb, table, ids, items);
      const applied = ids.filter((id) => (items.get(id)?.applications ?? 0) > 0).length;
      const d = await depth(sqs, dlqUrl);
      const q = await depth(sqs, queueUrl);
      progress(`phase 2: ${applied}/${count} applied after the redrive`, 0.6 + 0.4 * (applied / count));
      if (
        (applied === count && d.visible + d.inFlight === 0 && q.visible + q.inFlight === 0) ||
        Date.now() > deadline
      )
        break;
      await sleep(pollEvery);
    }
    const dlqAfterDepth = await depth(sqs, dlqUrl);
    const dlqAfter = dlqAfterDepth.visible + dlqAfterDepth.inFlight;

    // The ledger.
    let delivered = 0;
    let applications = 0;
    let duplicates = 0;
    let redriven = 0;
    let lastEffect = 0;
    const latencies: number[] = [];
    for (const id of ids) {
      const item = items.get(id);
      if (!item || item.applications === 0) continue;
      delivered++;
      applications += item.applications;
      if (item.applications > 1) duplicates++;
      if (item.redriveCount > 0) redriven++;
      lastEffect = Math.max(lastEffect, item.firstAppliedAt);
      if (!permanentIds.has(id))
        latencies.push(Math.max(0, item.firstAppliedAt - (sentAt.get(id) ?? item.firstAppliedAt)));
    }
    const backoff: BackoffTrace[] = [...transientIds].map((id) => {
      const item = items.get(id);
      const attempts = item?.attempts ?? [];
      return {
        jobId: id,
        attempts: attempts.map((a, i) => ({
          receiveCount: a.receiveCount,
          delaySeconds: a.delaySeconds,
          delayApplied: a.delayApplied,
          nextReceiveAfterMs: (attempts[i + 1]?.at ?? item?.firstAppliedAt ?? a.at) - a.at,
        })),
        appliedOnReceive: item?.receiveCount ?? 0,
      };
    });

    const problems: string[] = [];
    const lost = count - delivered;
    if (sendFailures > 0) problems.push(`${sendFailures} jobs could not be sent`);
    if (lost > 0) problems.push(`${lost} jobs lost (not applied after the redrive)`);
    if (duplicates > 0) problems.push(`${duplicates} jobs applied more than once`);
    if (dlqBefore !== permanent)
      problems.push(`${dlqBefore} jobs in the DLQ before the redrive, expected ${permanent}`);
    if (dlqAfter !== 0) problems.push(`${dlqAfter} messages still in the DLQ after the redrive`);
    if (redriven !== permanent)
      problems.push(`${redriven} jobs applied after a redrive, expected ${permanent}`);
    for (const entry of dlqEntries) {
      if (
        entry.errorType !== "RetriesExhausted" ||
        !entry.reason.includes(`all ${maxReceiveCount} receives`)
      ) {
        problems.push(`DLQ entry without the expected reason: ${entry.errorType}: ${entry.reason}`);
      }
    }
    for (const trace of backoff) {
      // The receive count is the evidence of the retries; the attempt log can miss one when a receive
      // overlaps a still-running one (a queue visibility timeout shorter than the work, as in 1 s local runs).
      if (trace.appliedOnReceive !== 3) {
        problems.push(
          `transient job ${trace.jobId} was applied on receive ${trace.appliedOnReceive}; expected 3`,
        );
      }
      for (const a of trace.attempts) {
        if (a.delayApplied && a.nextReceiveAfterMs < a.delaySeconds * 1000) {
          problems.push(
            `transient job ${trace.jobId}: receive ${a.receiveCount + 1} came ${a.nextReceiveAfterMs} ms after a ${a.delaySeconds} s backoff`,
          );
        }
      }
    }
    const firstSend = Math.min(...sentAt.values());
    progress("done", 1);
    return {
      slug: "sqs-dlq-redrive",
      target: target.name,
      runId,
      sent: { events: count, malformed: 0, duplicatePublishes: 0, publishFailures: sendFailures },
      faultInjection: faults
        ? `fault switch on for ${permanent} jobs (until the redrive), ${transient} jobs fail twice`
        : "",
      subscribers: [
        {
          name: "jobs",
          expected: count,
          delivered,
          effectsApplied: applications,
          duplicates,
          transientInjected: transient,
          dlq: dlqBefore,
          expectedDlq: permanent,
          lost,
          unexpected: 0,
        },
      ],
      totals: {
        expected: count,
        delivered,
        effectsApplied: applications,
        duplicates,
        dlq: dlqBefore,
        lost,
        unexpected: 0,
      },
      dlq: dlqEntries,
      latencyMs: {
        p50: Math.round(percentile(latencies, 50)),
        p95: Math.round(percentile(latencies, 95)),
        p99: Math.round(percentile(latencies, 99)),
        samples: latencies.length,
      },
      eventsPerSecond: lastEffect > firstSend ? (count * 1000) / (lastEffect - firstSend) : 0,
      durationMs: Date.now() - started,
      ok: problems.length === 0,
      problems,
      maxReceiveCount,
      redrive,
      dlqBefore,
      dlqAfter,
      redriven,
      backoff,
    };
  } finally {
    for (const client of [sqs, dynamodb, lambda]) client.destroy();
  }
}

async function depth(sqs: SQSClient, url: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/**
 * Reads the reasons of the DLQ's messages without consuming them: receives up to `expected` messages, then
 * makes them visible again at once so the redrive finds them.
 */
async function peekDlq(sqs: SQSClient, url: string, expected: number): Promise<DlqEntry[]> {
  const seen = new Map<string, Message>();
  for (let empty = 0; seen.size < expected && empty < 3; ) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 30,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ["All"],
      }),
    );
    if (Messages.length === 0) empty++;
    for (const m of Messages) if (m.MessageId) seen.set(m.MessageId, m);
  }
  const messages = [...seen.values()];
  for (let i = 0; i < messages.length; i += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: messages.slice(i, i + 10).map((m, j) => ({
          Id: String(j),
          ReceiptHandle: m.ReceiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
  return messages.map((m) => ({
    subscriber: "jobs",
    source: "queue" as const,
    errorType: m.MessageAttributes?.["error.type"]?.StringValue ?? "",
    reason: m.MessageAttributes?.["error.reason"]?.StringValue ?? "",
  }));
}

/** BatchGetItem of the jobs' items (100 keys per call, unprocessed keys retried). */
async function readJobs(
  client: DynamoDBClient,
  table: string,
  ids: readonly string[],
  into: Map<string, JobItem>,
) {
  for (let i = 0; i < ids.length; i += 100) {
    let request:
      | Record<string, { Keys: Record<string, AttributeValue>[]; ConsistentRead: boolean }>
      | undefined = {
      [table]: { Keys: ids.slice(i, i + 100).map((id) => ({ pk: { S: jobKey(id) } })), ConsistentRead: true },
    };
    while (request && Object.keys(request).length > 0) {
      const response = await client.send(new BatchGetItemCommand({ RequestItems: request }));
      for (const item of response.Responses?.[table] ?? []) {
        const id = (item.pk?.S ?? "").replace(/^job#/, "");
        into.set(id, {
          applications: Number(item.applications?.N ?? 0),
          firstAppliedAt: Date.parse(item.firstAppliedAt?.S ?? "") || 0,
          receiveCount: Number(item.receiveCount?.N ?? 0),
          redriveCount: Number(item.redriveCount?.N ?? 0),
          attempts: (item.attempts?.L ?? []).map((a) => ({
            receiveCount: Number(a.M?.receiveCount?.N ?? 0),
            at: Number(a.M?.at?.N ?? 0),
            delaySeconds: Number(a.M?.delaySeconds?.N ?? 0),
            delayApplied: a.M?.delayApplied?.BOOL === true,
            error: a.M?.error?.S ?? "",
          })),
        });
      }
      request = response.UnprocessedKeys as typeof request;
    }
  }
}
