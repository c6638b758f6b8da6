import { setTimeout as delay } from "node:timers/promises";
import {
  CancelMessageMoveTaskCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { isUnsupportedAction, RedriveInputError } from "./errors.ts";
import type { RedriveProgress } from "./types.ts";

/** SQS caps a move task's MaxNumberOfMessagesPerSecond at 500. */
export const MOVE_TASK_MAX_RATE = 500;

const FINAL = new Set(["COMPLETED", "CANCELLED", "FAILED"]);

/**
 * Asks the endpoint for the move tasks of `sourceArn`: `unsupported` when it does not implement the API
 * (fauxqs, older emulators), else the tasks, newest first. Also tells whether one is RUNNING: SQS allows one
 * task per source at a time, so a running one means a concurrent redrive.
 */
export async function probeMoveTasks(
  sqs: SQSClient,
  sourceArn: string,
): Promise<{ supported: false } | { supported: true; running?: ListMessageMoveTasksResultEntry }> {
  try {
    const { Results = [] } = await sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 }),
    );
    const running = Results.find((task) => task.Status === "RUNNING" || task.Status === "CANCELLING");
    return running ? { supported: true, running } : { supported: true };
  } catch (error) {
    if (isUnsupportedAction(error)) return { supported: false };
    throw error;
  }
}

export interface MoveTaskOptions {
  readonly sourceArn: string;
  /** Omit to send each message back to the queue it came from (the move task reads that per message). */
  readonly destinationArn?: string;
  /** 1..500 messages per second. @default SQS chooses (it starts low and ramps up) */
  readonly ratePerSecond?: number;
  readonly total: number;
  /** Between ListMessageMoveTasks polls. @default 1000 */
  readonly pollIntervalMs?: number;
  /** Aborting cancels the task (CancelMessageMoveTask) and waits until SQS reports it stopped. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RedriveProgress) => void;
  readonly now?: () => number;
}

export interface MoveTaskResult {
  taskHandle: string;
  status: string;
  moved: number;
  failureReason?: string;
  cancelled: boolean;
  durationMs: number;
}

/**
 * Runs SQS's own redrive, StartMessageMoveTask: server side, no messages through this process, each message
 * back to its original source unless a destination is given. Progress comes from ListMessageMoveTasks
 * (ApproximateNumberOfMessagesMoved); the task moves what was in the DLQ when it started.
 */
export async function runMoveTask(sqs: SQSClient, options: MoveTaskOptions): Promise<MoveTaskResult> {
  const now = options.now ?? Date.now;
  const started = now();
  if (options.ratePerSecond !== undefined && options.ratePerSecond > MOVE_TASK_MAX_RATE) {
    throw new RedriveInputError(
      "--rate",
      `--rate ${options.ratePerSecond}: a move task allows 1..${MOVE_TASK_MAX_RATE}/s`,
    );
  }
  const { TaskHandle = "" } = await sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: options.sourceArn,
      ...(options.destinationArn ? { DestinationArn: options.destinationArn } : {}),
      ...(options.ratePerSecond ? { MaxNumberOfMessagesPerSecond: Math.floor(options.ratePerSecond) } : {}),
    }),
  );
  let cancelRequested = false;
  for (;;) {
    const { Results = [] } = await sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: options.sourceArn, MaxResults: 10 }),
    );
    // Only a RUNNING task carries its handle; the newest entry is ours (one task per source at a time).
    const task = Results.find((t) => t.TaskHandle === TaskHandle) ?? Results[0];
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    const status = task?.Status ?? "UNKNOWN";
    options.onProgress?.({
      strategy: "move-task",
      moved,
      matched: task?.ApproximateNumberOfMessagesToMove ?? options.total,
      skipped: 0,
      failed: 0,
      total: task?.ApproximateNumberOfMessagesToMove ?? options.total,
      elapsedMs: now() - started,
    });
    if (FINAL.has(status)) {
      return {
        taskHandle: TaskHandle,
        status,
        moved,
        ...(task?.FailureReason ? { failureReason: task.FailureReason } : {}),
        cancelled: status === "CANCELLED",
        durationMs: now() - started,
      };
    }
    if (options.signal?.aborted && !cancelRequested) {
      cancelRequested = true;
      await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
      continue;
    }
    await delay(
      options.pollIntervalMs ?? 1000,
      undefined,
      cancelRequested ? {} : { signal: options.signal },
    ).catch(() => undefined);
  }
}
