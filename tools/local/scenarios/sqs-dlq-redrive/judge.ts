import type { JobRecord } from "../../../../functions/sqs-dlq-redrive/jobs-table-reader.ts";
import type { DeadLetter } from "../kit/dlq.ts";
import { perSecond, summarizeLatency } from "../kit/latency.ts";
import type { Judgement } from "../kit/ledger.ts";

/** How one transient job was retried: its failed receives with the backoff each chose, then success. */
export interface BackoffTrace {
  readonly jobId: string;
  readonly attempts: ReadonlyArray<{
    readonly receiveCount: number;
    readonly delaySeconds: number;
    readonly delayApplied: boolean;
    /** Time from setting the delay to the next receive (the next attempt, or the application). */
    readonly nextReceiveAfterMs: number;
  }>;
  /** The receive on which the job was applied. */
  readonly appliedOnReceive: number;
}

/** What the redrive function reported. */
export interface RedriveReport {
  /** `move-task` (SQS StartMessageMoveTask) or `mover` (the library's own), or `none` when not run. */
  readonly strategy: string;
  readonly moved: number;
  readonly durationMs: number;
  /** Whether only this run's messages were selected (`body:<runId>`), because the DLQ held older ones. */
  readonly filtered: boolean;
}

/** Everything the redrive scenario saw in one run: the judge's only input. */
export interface RedriveObservations {
  /** Every job sent, in order. */
  readonly jobIds: readonly string[];
  /** Jobs that fail while the fault switch is on (must be dead-lettered, then applied after the redrive). */
  readonly permanentIds: ReadonlySet<string>;
  /** Jobs that fail on their first two receives, then succeed. */
  readonly transientIds: ReadonlySet<string>;
  readonly sendFailures: number;
  /** The worker's `MAX_RECEIVE_COUNT`. */
  readonly maxReceiveCount: number;
  /** When each job was sent (epoch ms). */
  readonly sentAt: ReadonlyMap<string, number>;
  /** The jobs' items once phase 1 settled, before the redrive. */
  readonly beforeRedrive: readonly JobRecord[];
  /** The jobs' items at the end. */
  readonly afterRedrive: readonly JobRecord[];
  /** This run's DLQ entries before the redrive. */
  readonly deadLettersBefore: readonly DeadLetter[];
  /** This run's DLQ entries left after the redrive. */
  readonly deadLettersAfter: number;
  /** Entries of other runs the DLQ held when the run started (left where they were). */
  readonly olderDeadLetters: number;
  readonly redrive: RedriveReport;
}

/** The redrive ledger's own details. */
export interface RedriveDetails {
  readonly sent: {
    readonly jobs: number;
    readonly permanent: number;
    readonly transient: number;
    readonly sendFailures: number;
  };
  readonly faultInjection: string;
  readonly maxReceiveCount: number;
  readonly redrive: RedriveReport;
  /** This run's DLQ entries before the redrive (expected: the permanent jobs) and after it (expected: 0). */
  readonly dlqBefore: number;
  readonly dlqAfter: number;
  /** Entries of other runs in the DLQ at the start, left untouched. */
  readonly olderDlqEntries: number;
  /** Dead-lettered jobs applied exactly once after the redrive (judged by effects, whatever the strategy). */
  readonly redriven: number;
  /** This run's DLQ entries before the redrive, with their reasons. */
  readonly dlq: readonly { readonly errorType: string; readonly reason: string }[];
  readonly backoff: readonly BackoffTrace[];
  /** Jobs per second from the first send to the last first application. */
  readonly jobsPerSecond: number;
}

/**
 * Judges a redrive run, purely, by effects: every job applied exactly once in the end (and attempted once:
 * a second application the effect write suppressed is a duplicate); the permanent jobs
 * dead-lettered (and only they), each `RetriesExhausted` after `maxReceiveCount` receives, not applied
 * while the switch was on, and applied exactly once after the redrive; none of this run's entries left in
 * the DLQ; each transient job applied on its 3rd receive, no retry sooner than the backoff it chose. A
 * move task sets no `redrive-count`, so nothing here depends on it.
 */
export function judgeRedrive(o: RedriveObservations): Judgement<RedriveDetails> {
  const before = new Map(o.beforeRedrive.map((j) => [j.jobId, j]));
  const after = new Map(o.afterRedrive.map((j) => [j.jobId, j]));
  const permanent = o.permanentIds.size;
  let delivered = 0;
  let duplicates = 0;
  let lastEffect = 0;
  const latencies: number[] = [];
  for (const id of o.jobIds) {
    const job = after.get(id);
    if (!job || job.applications < 1) continue;
    delivered++;
    if (job.applications > 1 || job.suppressedDuplicates > 0) duplicates++;
    lastEffect = Math.max(lastEffect, job.firstAppliedAt);
    if (!o.permanentIds.has(id))
      latencies.push(Math.max(0, job.firstAppliedAt - (o.sentAt.get(id) ?? job.firstAppliedAt)));
  }
  const permanentList = [...o.permanentIds];
  const appliedWhileOn = permanentList.filter((id) => (before.get(id)?.applications ?? 0) > 0).length;
  const redriven = permanentList.filter(
    (id) => (before.get(id)?.applications ?? 0) === 0 && after.get(id)?.applications === 1,
  ).length;
  const backoff: BackoffTrace[] = [...o.transientIds].map((id) => {
    const job = after.get(id);
    const attempts = job?.attempts ?? [];
    return {
      jobId: id,
      attempts: attempts.map((a, i) => ({
        receiveCount: a.receiveCount,
        delaySeconds: a.delaySeconds,
        delayApplied: a.delayApplied,
        nextReceiveAfterMs: (attempts[i + 1]?.at ?? job?.firstAppliedAt ?? a.at) - a.at,
      })),
      appliedOnReceive: job?.receiveCount ?? 0,
    };
  });

  const lost = o.jobIds.length - delivered;
  const dlqBefore = o.deadLettersBefore.length;
  const problems: string[] = [];
  if (o.sendFailures > 0) problems.push(`${o.sendFailures} jobs could not be sent`);
  if (lost > 0) problems.push(`${lost} jobs lost (not applied after the redrive)`);
  if (duplicates > 0)
    problems.push(
      `${duplicates} jobs applied more than once or stopped only by the effect write's condition (suppressedDuplicates)`,
    );
  if (appliedWhileOn > 0)
    problems.push(`${appliedWhileOn} failing jobs were applied while the fault switch was on`);
  if (dlqBefore !== permanent)
    problems.push(`${dlqBefore} jobs in the DLQ before the redrive, expected ${permanent}`);
  if (o.deadLettersAfter !== 0)
    problems.push(`${o.deadLettersAfter} of this run's messages still in the DLQ after the redrive`);
  if (redriven !== permanent)
    problems.push(
      `${redriven} dead-lettered jobs applied exactly once after the redrive, expected ${permanent}`,
    );
  for (const entry of o.deadLettersBefore) {
    if (
      entry.errorType !== "RetriesExhausted" ||
      !entry.reason.includes(`all ${o.maxReceiveCount} receives`)
    ) {
      problems.push(
        `DLQ entry without the expected reason: ${entry.errorType || "(no error.type)"}: ${entry.reason || "(no error.reason)"}`,
      );
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
  return {
    problems,
    counts: {
      sent: o.jobIds.length,
      expected: o.jobIds.length,
      applied: delivered,
      duplicates,
      deadLettered: dlqBefore,
      lost,
      unexpected: appliedWhileOn,
    },
    latencyMs: summarizeLatency(latencies),
    details: {
      sent: {
        jobs: o.jobIds.length,
        permanent,
        transient: o.transientIds.size,
        sendFailures: o.sendFailures,
      },
      faultInjection:
        permanent + o.transientIds.size > 0
          ? `fault switch on for ${permanent} jobs (until the redrive), ${o.transientIds.size} jobs fail twice`
          : "",
      maxReceiveCount: o.maxReceiveCount,
      redrive: o.redrive,
      dlqBefore,
      dlqAfter: o.deadLettersAfter,
      olderDlqEntries: o.olderDeadLetters,
      redriven,
      dlq: o.deadLettersBefore.map((d) => ({ errorType: d.errorType, reason: d.reason })),
      backoff,
      jobsPerSecond: perSecond(o.jobIds.length, Math.min(...o.sentAt.values()), lastEffect),
    },
  };
}
