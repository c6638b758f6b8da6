/**
 * How the messages were moved:
 * - `move-task`: SQS's own StartMessageMoveTask (server side, redrives each message to its original source);
 * - `mover`: this tool's receive → SendMessageBatch → DeleteMessageBatch loop (SNS subscription DLQs,
 *   emulators without move tasks, `--filter`, `--max`, `--dry-run`, or a destination other than the source).
 */
export type RedriveStrategy = "move-task" | "mover";

/** A snapshot of a running redrive, given to `onProgress` after every batch (mover) or poll (move task). */
export interface RedriveProgress {
  readonly strategy: RedriveStrategy;
  /** Messages now in the destination (sent; for a move task, ApproximateNumberOfMessagesMoved). */
  readonly moved: number;
  /** Messages that matched the filters (dry run: what would be moved). */
  readonly matched: number;
  /** Messages left in the DLQ on purpose: not matching `--filter`, or already moved by this run (came back). */
  readonly skipped: number;
  /** Messages that could not be moved (left in the DLQ; reasons in the summary). */
  readonly failed: number;
  /** The expected total: min(--max, the DLQ's approximate depth at start); an estimate. */
  readonly total: number;
  /**
   * Mover: distinct DLQ messages dealt with so far (moved, skipped by filter, failed, deferred); the run
   * stops when this reaches {@link plannedDepth}. Move task: the same as `moved`.
   */
  readonly handled?: number;
  /** The DLQ depth the run was planned with: the most messages it will deal with. */
  readonly plannedDepth?: number;
  readonly elapsedMs: number;
}

/**
 * Why the mover stopped:
 * - `drained`: a receive found nothing new (what is left is held by this run or in flight elsewhere);
 * - `planned-depth`: it dealt with as many messages as the DLQ held when the run was planned; messages that
 *   arrived since (new failures, or ones this run moved that failed again) are left for the next run;
 * - `max`: `--max` messages moved; `cancelled`: the caller's signal; `error`: a call failed outright.
 */
export type RedriveStopReason = "drained" | "planned-depth" | "max" | "cancelled" | "error";

/** Why one message stayed in the DLQ (or, in `warnings`, what to know about one that moved). */
export interface RedriveFailure {
  readonly messageId: string;
  readonly reason: string;
}

/** The result of a redrive: what moved, what stayed and why. */
export interface RedriveSummary {
  readonly strategy: RedriveStrategy;
  readonly dryRun: boolean;
  readonly from: { readonly url: string; readonly arn: string };
  /** The destination queue, or `original source queues` for a move task without `--to`. */
  readonly to: string;
  /** Messages received from the DLQ (mover only). */
  readonly received: number;
  readonly matched: number;
  readonly moved: number;
  /** Left in the DLQ on purpose: `skippedBy.filter + skippedBy.alreadyMoved`. */
  readonly skipped: number;
  /**
   * Why they were skipped. `filter`: did not match `--filter`. `alreadyMoved`: this run had moved the message
   * and it came back to the DLQ while the run lasted (consumers failed it again): the cause persists, so it is
   * left there instead of being moved round in a loop.
   */
  readonly skippedBy: { readonly filter: number; readonly alreadyMoved: number };
  /** Up to 100 skipped messages with the reason, `alreadyMoved` ones first. */
  readonly skips: readonly RedriveFailure[];
  readonly failed: number;
  /** FIFO messages still inside the 5-minute deduplication window of their first send (left in the DLQ). */
  readonly deferred: number;
  /** Sent, but the delete from the DLQ failed: they are in both queues, a later redrive would duplicate them. */
  readonly deleteFailed: number;
  /** Up to 100 reasons, one per message that stayed. */
  readonly failures: readonly RedriveFailure[];
  /** Up to 100 messages that were moved with a caveat (e.g. no room for `redrive-count`). */
  readonly warnings: readonly RedriveFailure[];
  /** The DLQ's depth when the run was planned (ApproximateNumberOfMessages, or what a receive saw when that said 0). */
  readonly plannedDepth: number;
  /** Mover only: why it stopped. */
  readonly stopReason?: RedriveStopReason;
  readonly durationMs: number;
  /** Mover only: from the start to the last message moved. */
  readonly movingMs?: number;
  /** moved / the time until the last message was moved (the mover's final empty poll excluded). */
  readonly messagesPerSecond: number;
  /** Stopped by the caller's AbortSignal (Ctrl-C): whatever was sent was also deleted; nothing half-moved. */
  readonly cancelled: boolean;
  /** Set when a call failed outright and stopped the run (the messages it concerned stayed in the DLQ). */
  readonly error?: string;
  /** Move task only: its handle, final status and failure reason. */
  readonly taskHandle?: string;
  readonly taskStatus?: string;
  readonly taskFailureReason?: string;
}
