import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { setFaultSwitch } from "../../../../functions/sqs-dlq-redrive/jobs-table.ts";
import { type JobRecord, readJobs } from "../../../../functions/sqs-dlq-redrive/jobs-table-reader.ts";
import type { RedriveResponse } from "../../../../functions/sqs-dlq-redrive/redrive-function.ts";
import { SqsDlqRedriveOutputs as Outputs } from "../../../../stacks/sqs-dlq-redrive-outputs.ts";
import { bodyMentions, type DeadLetter, readDeadLetters } from "../kit/dlq.ts";
import { functionEnvironment, invokeJson } from "../kit/invoke.ts";
import type { ScenarioLedger } from "../kit/ledger.ts";
import { type ProgressListener, phasedProgress } from "../kit/progress.ts";
import { queueDepth } from "../kit/queues.ts";
import { runScenario } from "../kit/run.ts";
import { deadlineIn, waitUntil } from "../kit/wait.ts";
import type { ScenarioTarget } from "../target.ts";
import { judgeRedrive, type RedriveDetails, type RedriveReport } from "./judge.ts";

/** The redrive ledger: the core plus {@link RedriveDetails}. */
export type RedriveLedger = ScenarioLedger<RedriveDetails>;

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
  readonly onProgress?: ProgressListener;
}

/** The body of one job as the scenario sends it (a CloudEvent; the worker's fault hooks in `data`). */
function jobBody(id: string, now: number, hooks: { faultable: boolean; transient: boolean }): string {
  return JSON.stringify({
    specversion: "1.0",
    id,
    source: "redrive-scenario",
    type: "job.requested",
    time: new Date(now).toISOString(),
    datacontenttype: "application/json",
    data: {
      jobId: id,
      ...(hooks.faultable ? { faultable: true } : {}),
      ...(hooks.transient ? { transientFailures: 2 } : {}),
    },
  });
}

/**
 * The `sqs-dlq-redrive` scenario. Phase 1, fault switch on (an item in the jobs table, flipped with one
 * DynamoDB call so it works on every target): N jobs are sent; M "faultable" jobs fail on every receive,
 * back off, and on their `maxReceiveCount`-th receive are dead-lettered by the worker with
 * `error.type = RetriesExhausted`; 2 "transient" jobs fail twice and then succeed. Phase 2: the switch
 * goes off and the redrive function is invoked (whatever strategy it picks). {@link judgeRedrive} then
 * judges by effects. A DLQ that already holds other runs' entries is fine: the scenario reads only its
 * own entries and asks the redrive function to move only them (`filters: ["body:<runId>"]`), leaving the
 * others where they were.
 */
export function runRedriveScenario(
  target: ScenarioTarget,
  options: RedriveScenarioOptions = {},
): Promise<RedriveLedger> {
  const progress = phasedProgress(
    [
      { name: "send", weight: 2 },
      { name: "phase1", weight: 4 },
      { name: "phase2", weight: 4 },
    ],
    options.onProgress,
  );
  return runScenario(
    target,
    "sqs-dlq-redrive",
    async ({ runId, clients, out, intervalMs, receiveWaitSeconds }) => {
      const { sqs, dynamodb, lambda } = clients;
      const table = out(Outputs.jobsTableName);
      const queueUrl = out(Outputs.queueUrl);
      const dlqUrl = out(Outputs.dlqUrl);
      const waitTimeSeconds = receiveWaitSeconds;
      const count = options.jobs ?? 50;
      const faults = options.faults ?? true;
      const permanent = faults
        ? Math.min(count, options.permanent ?? Math.max(1, Math.round(count * 0.1)))
        : 0;
      const transient = faults ? Math.min(count - permanent, options.transient ?? 2) : 0;
      const jobIds = Array.from({ length: count }, (_, i) => `${runId}-${String(i).padStart(5, "0")}`);
      const permanentIds = new Set(jobIds.slice(0, permanent));
      const transientIds = new Set(jobIds.slice(permanent, permanent + transient));
      const maxReceiveCount = Number(
        (await functionEnvironment(lambda, out(Outputs.workerFunctionName))).MAX_RECEIVE_COUNT ?? 0,
      );
      if (!(maxReceiveCount >= 3))
        throw new Error(`the worker's MAX_RECEIVE_COUNT is ${maxReceiveCount}; the scenario needs ≥ 3`);
      const ours = bodyMentions(runId);
      const readOurDeadLetters = () => readDeadLetters(sqs, dlqUrl, { isOurs: ours, waitTimeSeconds });
      const olderDeadLetters = (await readDeadLetters(sqs, dlqUrl, { isOurs: () => true, waitTimeSeconds }))
        .length;

      // Phase 1: switch on, send every job.
      await setFaultSwitch(dynamodb, table, faults);
      const sentAt = new Map<string, number>();
      let sendFailures = 0;
      for (let i = 0; i < jobIds.length; i += 10) {
        const chunk = jobIds.slice(i, i + 10);
        const now = Date.now();
        const response = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((id, j) => ({
              Id: String(j),
              MessageBody: jobBody(id, now, {
                faultable: permanentIds.has(id),
                transient: transientIds.has(id),
              }),
            })),
          }),
        );
        sendFailures += response.Failed?.length ?? 0;
        for (const id of chunk) sentAt.set(id, now);
        const sent = i + chunk.length;
        progress("send", `sent ${sent}/${count} jobs`, sent, count);
      }

      // Phase 1 settles when every other job is applied and the faultable ones are all in the DLQ.
      const deadline = deadlineIn(target.settleTimeoutMs);
      const others = jobIds.filter((id) => !permanentIds.has(id));
      const appliedCount = (records: readonly JobRecord[], among: readonly string[]) => {
        const applied = new Set(records.filter((r) => r.applications > 0).map((r) => r.jobId));
        return among.filter((id) => applied.has(id)).length;
      };
      let deadLettersBefore: DeadLetter[] = [];
      await waitUntil(
        async () => {
          const applied = appliedCount(await readJobs(dynamodb, table, others), others);
          deadLettersBefore = await readOurDeadLetters();
          const dead = deadLettersBefore.length;
          progress(
            "phase1",
            `phase 1: ${applied}/${others.length} applied, ${dead}/${permanent} in the DLQ`,
            applied + Math.min(dead, permanent),
            count,
          );
          return applied === others.length && dead >= permanent;
        },
        { timeoutMs: deadline.remainingMs(), intervalMs },
      );
      const beforeRedrive = await readJobs(dynamodb, table, jobIds);

      // Phase 2: switch off, redrive (only this run's messages if the DLQ holds others), settle.
      await setFaultSwitch(dynamodb, table, false);
      let redrive: RedriveReport = { strategy: "none", moved: 0, durationMs: 0, filtered: false };
      if (deadLettersBefore.length > 0) {
        const filtered = olderDeadLetters > 0;
        const result = await invokeJson<RedriveResponse>(
          lambda,
          out(Outputs.redriveFunctionName),
          filtered ? { filters: [`body:${runId}`] } : {},
        );
        if (result.status !== "done") throw new Error(`the redrive did not run: ${result.reason}`);
        redrive = {
          strategy: result.summary.strategy,
          moved: result.summary.moved,
          durationMs: result.summary.durationMs,
          filtered,
        };
      }
      let deadLettersAfter = 0;
      await waitUntil(
        async () => {
          const applied = appliedCount(await readJobs(dynamodb, table, jobIds), jobIds);
          progress("phase2", `phase 2: ${applied}/${count} applied after the redrive`, applied, count);
          if (applied < count) return false;
          // Scan the DLQ only once every job is applied: a scan holds messages invisible, which must not
          // hide them from a move task still running (StartMessageMoveTask is asynchronous).
          deadLettersAfter = (await readOurDeadLetters()).length;
          const q = await queueDepth(sqs, queueUrl);
          return deadLettersAfter === 0 && q.visible + q.inFlight === 0;
        },
        { timeoutMs: deadline.remainingMs(), intervalMs },
      );
      const afterRedrive = await readJobs(dynamodb, table, jobIds);
      deadLettersAfter = (await readOurDeadLetters()).length;

      const judgement = judgeRedrive({
        jobIds,
        permanentIds,
        transientIds,
        sendFailures,
        maxReceiveCount,
        sentAt,
        beforeRedrive,
        afterRedrive,
        deadLettersBefore,
        deadLettersAfter,
        olderDeadLetters,
        redrive,
      });
      progress("phase2", "done", 1, 1);
      return judgement;
    },
  );
}
