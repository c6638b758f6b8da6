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
  /** Messages received that did not match `--filter` (left in the DLQ). */
  readonly skipped: number;
  /** Messages that could not be moved (left in the DLQ; reasons in the summary). */
  readonly failed: number;
  /** The expected total: min(--max, the DLQ's approximate depth at start); an estimate. */
  readonly total: number;
  readonly elapsedMs: number;
}

/** Why one message stayed in the DLQ. */
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
  readonly skipped: number;
  readonly failed: number;
  /** FIFO messages still inside the 5-minute deduplication window of their first send (left in the DLQ). */
  readonly deferred: number;
  /** Sent, but the delete from the DLQ failed: they are in both queues, a later redrive would duplicate them. */
  readonly deleteFailed: number;
  /** Up to 100 reasons, one per message that stayed. */
  readonly failures: readonly RedriveFailure[];
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
