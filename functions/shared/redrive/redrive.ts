import type { SNSClient } from "@aws-sdk/client-sns";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { RedriveInputError } from "./errors.ts";
import { type MessageFilter, parseFilter } from "./filter.ts";
import { acquireLock } from "./lock.ts";
import { MOVE_TASK_MAX_RATE, probeMoveTasks, runMoveTask } from "./move-task.ts";
import { moveMessages } from "./mover.ts";
import { countByReceiving } from "./probe.ts";
import { describeQueue, parseQueueRef, type QueueInfo } from "./queues.ts";
import { findSnsSubscriptions, findSqsSources } from "./sources.ts";
import type { RedriveProgress, RedriveStrategy, RedriveSummary } from "./types.ts";

/** The clients a redrive uses: SQS always; SNS to find the queue behind an SNS subscription DLQ. */
export interface RedriveClients {
  readonly sqs: SQSClient;
  /** @default none: an SNS subscription DLQ then needs `to` */
  readonly sns?: SNSClient;
}

/** What to redrive; mirrors the CLI flags. */
export interface RedriveOptions {
  /** The DLQ: queue URL or ARN. */
  readonly from: string;
  /** The destination: queue URL or ARN. @default the DLQ's source queue (or the queue of the SNS subscription whose DLQ it is) */
  readonly to?: string;
  /** Move at most this many messages (a positive integer). @default all */
  readonly max?: number;
  /** Messages per second (> 0). @default unbounded (mover) / SQS's own ramp (move task) */
  readonly ratePerSecond?: number;
  /** Count what would move; move nothing. @default false */
  readonly dryRun?: boolean;
  /** `--filter` expressions (see `parseFilter`), all of which must match. @default [] */
  readonly filters?: readonly (string | MessageFilter)[];
  /** Force a strategy. @default "auto": the move task when possible, else the mover */
  readonly strategy?: "auto" | RedriveStrategy;
  /** Mover receive loops. @default 4 */
  readonly concurrency?: number;
  /** Mover long-poll wait; an empty poll ends a loop. @default 1 */
  readonly waitTimeSeconds?: number;
  /** Mover: DLQ visibility timeout for received messages. @default 120 */
  readonly visibilityTimeoutSeconds?: number;
  /** Move task polling interval. @default 1000 */
  readonly pollIntervalMs?: number;
  /** Shown to a concurrent redrive that finds the lock. @default "redrive" */
  readonly holder?: string;
  /** Lock lifetime without renewal (renewed every third of it). @default 60000 */
  readonly lockTtlMs?: number;
  /** Abort (Ctrl-C): the mover finishes the batch in hand and stops; a move task is cancelled. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RedriveProgress) => void;
}

/** The checked plan: every input error is raised while building it, before anything moves. */
export interface RedrivePlan {
  readonly strategy: RedriveStrategy;
  readonly dlq: QueueInfo;
  /** Undefined only for a move task without `to` (SQS returns each message to its own source). */
  readonly destination?: QueueInfo;
  readonly destinationIsSource: boolean;
  readonly sourceUrls: readonly string[];
  readonly filters: readonly MessageFilter[];
  /**
   * The DLQ's depth now: the most messages the run deals with (it stops there, so messages that fail again
   * while it runs wait for the next run). ApproximateNumberOfMessages, or, when that says 0, what a receive saw
   * (at least the counter's in-flight number, which a stale counter may report instead of visible).
   */
  readonly depth: number;
  /** What the run expects to move: min(`max`, `depth`). */
  readonly total: number;
  /** Why the mover was chosen over the move task (for the summary line). */
  readonly why: string;
}

function checkNumbers(options: RedriveOptions): void {
  if (options.max !== undefined && !(Number.isInteger(options.max) && options.max > 0)) {
    throw new RedriveInputError("--max", `--max ${options.max}: allowed is a positive integer`);
  }
  if (
    options.ratePerSecond !== undefined &&
    !(Number.isFinite(options.ratePerSecond) && options.ratePerSecond > 0)
  ) {
    throw new RedriveInputError(
      "--rate",
      `--rate ${options.ratePerSecond}: allowed is a number of messages per second > 0`,
    );
  }
}

/**
 * Checks the inputs against the live queues and chooses the strategy. Raises a {@link RedriveInputError} for:
 * malformed or unknown queues; `--to` equal to `--from`; a FIFO DLQ to a standard queue (group order and
 * deduplication would be lost) or a standard DLQ to a FIFO queue (no group id); an empty DLQ (when
 * ApproximateNumberOfMessages says 0, only after a receive found nothing: the counter lags); a DLQ with no
 * discoverable source and no `--to`; a running move task on the DLQ; `--strategy move-task` where it cannot run.
 */
export async function planRedrive(clients: RedriveClients, options: RedriveOptions): Promise<RedrivePlan> {
  checkNumbers(options);
  const filters = (options.filters ?? []).map((f) => (typeof f === "string" ? parseFilter(f) : f));
  const fromRef = parseQueueRef("--from", options.from);
  const toRef = options.to === undefined ? undefined : parseQueueRef("--to", options.to);
  const { sqs } = clients;
  const dlq = await describeQueue(sqs, "--from", fromRef);
  let destination = toRef ? await describeQueue(sqs, "--to", toRef) : undefined;
  if (destination && destination.arn === dlq.arn) {
    throw new RedriveInputError(
      "--to",
      `--to is the DLQ itself (${dlq.url}); name the queue to move messages to`,
    );
  }
  const { sqsSourceUrls } = await findSqsSources(sqs, dlq);
  const sourceArns: string[] = [];
  let snsEndpoint: string | undefined;
  if (!destination) {
    if (sqsSourceUrls.length === 1) {
      destination = await describeQueue(sqs, "--to", {
        kind: "url",
        url: sqsSourceUrls[0] ?? "",
        name: nameOf(sqsSourceUrls[0]),
      });
    } else if (sqsSourceUrls.length === 0) {
      const subscriptions = clients.sns ? await findSnsSubscriptions(clients.sns, dlq.arn) : [];
      const endpoints = [...new Set(subscriptions.map((s) => s.endpointArn))];
      if (endpoints.length !== 1) {
        throw new RedriveInputError(
          "--to",
          endpoints.length === 0
            ? `${dlq.url} is not the DLQ of any SQS queue or SNS subscription visible here; pass --to <queue url|arn>`
            : `${dlq.url} is the DLQ of ${endpoints.length} SNS subscriptions (${endpoints.join(", ")}); pass --to <queue url|arn>`,
        );
      }
      snsEndpoint = endpoints[0];
      destination = await describeQueue(sqs, "--to", parseQueueRef("--to", snsEndpoint ?? ""));
    }
  }
  for (const url of sqsSourceUrls) {
    if (destination && sameQueue(url, destination.url)) sourceArns.push(destination.arn);
  }
  const destinationIsSource =
    destination !== undefined && (sourceArns.length > 0 || snsEndpoint !== undefined);
  if (destination && dlq.fifo && !destination.fifo) {
    throw new RedriveInputError(
      "--to",
      `${dlq.url} is a FIFO DLQ and ${destination.url} a standard queue: message group order and deduplication would be lost; redrive to a FIFO queue`,
    );
  }
  if (destination && !dlq.fifo && destination.fifo) {
    throw new RedriveInputError(
      "--to",
      `${dlq.url} is a standard DLQ and ${destination.url} a FIFO queue: its messages have no MessageGroupId; redrive to a standard queue`,
    );
  }
  let depth = dlq.approximateVisible;
  if (depth === 0) {
    // The counter is eventually consistent: look before refusing.
    const seen = await countByReceiving(sqs, dlq.url, {
      ...(options.waitTimeSeconds !== undefined ? { waitTimeSeconds: options.waitTimeSeconds } : {}),
    });
    if (seen > 0) depth = Math.max(seen, dlq.approximateVisible + dlq.approximateInFlight);
  }
  if (depth === 0) {
    const inFlight =
      dlq.approximateInFlight > 0
        ? ` (${dlq.approximateInFlight} in flight: being received by someone else)`
        : "";
    throw new RedriveInputError(
      "--from",
      `nothing to redrive: ${dlq.url} has no visible messages${inFlight}`,
    );
  }

  const reasons: string[] = [];
  if (sqsSourceUrls.length === 0) reasons.push("not the DLQ of an SQS queue");
  if (filters.length > 0) reasons.push("--filter");
  if (options.max !== undefined) reasons.push("--max");
  if (options.dryRun) reasons.push("--dry-run");
  if (toRef && destination && !sqsSourceUrls.some((url) => sameQueue(url, destination?.url ?? ""))) {
    reasons.push("--to is not a source queue");
  }
  if (options.ratePerSecond !== undefined && options.ratePerSecond > MOVE_TASK_MAX_RATE) {
    reasons.push(`--rate above ${MOVE_TASK_MAX_RATE}/s`);
  }
  if (options.strategy === "mover") reasons.push("--strategy mover");
  let strategy: RedriveStrategy = "mover";
  if (reasons.length === 0) {
    const probe = await probeMoveTasks(sqs, dlq.arn);
    if (probe.supported && probe.running) {
      throw new RedriveInputError(
        "lock",
        `another redrive of ${dlq.url} is running (move task ${probe.running.Status}, ${probe.running.ApproximateNumberOfMessagesMoved ?? 0} moved); wait for it or cancel it`,
      );
    }
    if (probe.supported) strategy = "move-task";
    else reasons.push("the endpoint has no StartMessageMoveTask");
  }
  if (options.strategy === "move-task" && strategy !== "move-task") {
    throw new RedriveInputError(
      "--strategy",
      `--strategy move-task is not possible here: ${reasons.join(", ")}`,
    );
  }
  if (strategy === "mover" && !destination) {
    throw new RedriveInputError(
      "--to",
      `${dlq.url} is the DLQ of ${sqsSourceUrls.length} queues (${sqsSourceUrls.join(", ")}); the mover needs --to <queue url|arn>`,
    );
  }
  const total = Math.min(options.max ?? Number.POSITIVE_INFINITY, depth);
  return {
    strategy,
    dlq,
    ...(destination ? { destination } : {}),
    destinationIsSource,
    sourceUrls: sqsSourceUrls,
    filters,
    depth,
    total,
    why: strategy === "move-task" ? "SQS move task" : `own mover (${reasons.join(", ")})`,
  };
}

/**
 * Whether two queue URLs name the same queue: same account and name (the last two path segments). Hosts
 * may differ for one queue (legacy `queue.amazonaws.com` URLs, emulators answering under several hosts).
 */
function sameQueue(a: string, b: string): boolean {
  const tail = (url: string) => url.split("/").filter(Boolean).slice(-2).join("/");
  return tail(a) === tail(b);
}

function nameOf(url: string | undefined): string {
  return (url ?? "").split("/").filter(Boolean).at(-1) ?? "";
}

/**
 * Redrives a DLQ: plans (all input errors first, nothing moved), takes the DLQ's redrive lock, then runs SQS's
 * move task or the tool's own mover, and returns the summary. Never deletes a message it has not sent.
 */
export async function redrive(clients: RedriveClients, options: RedriveOptions): Promise<RedriveSummary> {
  const plan = await planRedrive(clients, options);
  const ttlMs = options.lockTtlMs ?? 60_000;
  const lock = await acquireLock(clients.sqs, plan.dlq.url, { ttlMs, holder: options.holder ?? "redrive" });
  const lockLost = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, lockLost.signal]) : lockLost.signal;
  const renewal = setInterval(() => {
    lock.renew().catch(() => lockLost.abort());
  }, ttlMs / 3);
  try {
    const base = {
      dryRun: options.dryRun ?? false,
      from: { url: plan.dlq.url, arn: plan.dlq.arn },
      to: plan.destination?.url ?? "original source queues",
    };
    if (plan.strategy === "move-task") {
      const task = await runMoveTask(clients.sqs, {
        sourceArn: plan.dlq.arn,
        // Name the destination whenever it is known: messages the consumer sent to the DLQ itself
        // (permanent errors, exhausted retries) carry no source queue for SQS to return them to.
        ...(plan.destination ? { destinationArn: plan.destination.arn } : {}),
        ...(options.ratePerSecond !== undefined ? { ratePerSecond: options.ratePerSecond } : {}),
        total: plan.total,
        ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
        signal,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      return {
        strategy: "move-task",
        ...base,
        received: 0,
        matched: task.moved,
        moved: task.moved,
        skipped: 0,
        skippedBy: { filter: 0, alreadyMoved: 0 },
        skips: [],
        failed: task.status === "FAILED" ? Math.max(0, plan.total - task.moved) : 0,
        deferred: 0,
        deleteFailed: 0,
        failures: [],
        warnings: [],
        plannedDepth: plan.depth,
        durationMs: task.durationMs,
        messagesPerSecond: task.durationMs > 0 ? (task.moved * 1000) / task.durationMs : 0,
        cancelled: task.cancelled,
        taskHandle: task.taskHandle,
        taskStatus: task.status,
        ...(task.failureReason ? { taskFailureReason: task.failureReason, error: task.failureReason } : {}),
      };
    }
    const destination = plan.destination as QueueInfo;
    const moved = await moveMessages(clients.sqs, {
      sourceUrl: plan.dlq.url,
      destinationUrl: destination.url,
      destination,
      destinationIsSource: plan.destinationIsSource,
      filters: plan.filters,
      plannedDepth: plan.depth,
      total: plan.total,
      signal,
      ...(options.max !== undefined ? { max: options.max } : {}),
      ...(options.ratePerSecond !== undefined ? { ratePerSecond: options.ratePerSecond } : {}),
      ...(options.dryRun !== undefined ? { dryRun: options.dryRun } : {}),
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options.waitTimeSeconds !== undefined ? { waitTimeSeconds: options.waitTimeSeconds } : {}),
      ...(options.visibilityTimeoutSeconds !== undefined
        ? { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds }
        : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const error =
      moved.error ?? (lockLost.signal.aborted ? "the redrive lock was lost to another run" : undefined);
    return {
      strategy: "mover",
      ...base,
      ...moved,
      plannedDepth: plan.depth,
      ...(error ? { error } : {}),
      messagesPerSecond: moved.movingMs > 0 ? (moved.moved * 1000) / moved.movingMs : 0,
    };
  } finally {
    clearInterval(renewal);
    await lock.release().catch(() => undefined);
  }
}
