import { randomUUID } from "node:crypto";
import {
  DeleteMessageBatchCommand,
  ListQueuesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { FauxqsServer, SqsSpyMessage } from "fauxqs";
import { SqsActionError, type SqsActionHandler } from "./fauxqs-server.ts";

/** Status of a message move task, as `ListMessageMoveTasks` reports it. */
export type MoveTaskStatus = "RUNNING" | "COMPLETED" | "CANCELLING" | "CANCELLED" | "FAILED";

interface MoveTask {
  readonly taskHandle: string;
  readonly sourceArn: string;
  readonly destinationArn?: string;
  readonly maxNumberOfMessagesPerSecond?: number;
  readonly startedTimestamp: number;
  readonly toMove: number;
  status: MoveTaskStatus;
  moved: number;
  failureReason?: string;
}

/** SQS's documented maximum of `MaxNumberOfMessagesPerSecond`. */
const MAX_RATE = 500;
/** The rate when none is given (SQS then picks its own; locally as fast as this allows). */
const DEFAULT_RATE = MAX_RATE;
/** SendMessageBatch: at most 10 entries and 1 MiB in all. */
const BATCH_BYTES = 1_048_576;

/**
 * SQS message move tasks on fauxqs (which has no such API), with SQS's documented semantics:
 *
 * - `StartMessageMoveTask`: the source must be a dead-letter queue of SQS queues, i.e. some queue's
 *   `RedrivePolicy` names it and its `RedriveAllowPolicy` admits that queue (`allowAll`, or `byQueue`
 *   listing it; `denyAll` admits none); else `UnsupportedOperation`. Messages go to `DestinationArn`,
 *   or each back to the queue it was dead-lettered from. `MaxNumberOfMessagesPerSecond` (1–500) caps
 *   the rate. One active task per source (`UnsupportedOperation` otherwise). The task moves the
 *   messages visible when it started (`ApproximateNumberOfMessagesToMove`) with new message IDs.
 * - `ListMessageMoveTasks`: the source's tasks, newest first, `MaxResults` 1–10 (default 1); only a
 *   RUNNING task carries its `TaskHandle`; a FAILED one its `FailureReason`.
 * - `CancelMessageMoveTask`: only a RUNNING task; it becomes CANCELLING, then CANCELLED, and returns
 *   how many messages it had moved. What it did not move stays in the source.
 *
 * A message that was sent to the DLQ directly (not dead-lettered by a redrive policy) has no source
 * queue: without `DestinationArn` it goes to the DLQ's only source queue, and the task fails when the
 * DLQ has several (a documented gap; SQS itself knows only the dead-lettered message's source).
 */
export class MoveTasks {
  private readonly tasks: MoveTask[] = [];
  /** Message ID → ARN of the queue it was dead-lettered from (fauxqs keeps the ID when it moves one). */
  private readonly deadLetteredFrom = new Map<string, string>();
  private readonly abort = new AbortController();

  constructor(
    private readonly region: string,
    private readonly accountId: string,
    private readonly fauxqs: () => FauxqsServer,
    private readonly sqs: () => SQSClient,
  ) {}

  /** The SQS JSON actions these tasks answer. */
  readonly actions: Readonly<Record<string, SqsActionHandler>> = {
    StartMessageMoveTask: (input) => this.start(input),
    ListMessageMoveTasks: (input) => this.list(input),
    CancelMessageMoveTask: (input) => this.cancel(input),
  };

  /** Remembers where a dead-lettered message came from (fauxqs's spy: `status: "dlq"`). */
  recordDeadLetter(message: SqsSpyMessage): void {
    this.deadLetteredFrom.set(message.messageId, this.arnOf(message.queueName));
  }

  /** Stops every running task (the cloud is stopping). */
  stop(): void {
    this.abort.abort();
  }

  private async start(input: Record<string, unknown>): Promise<{ TaskHandle: string }> {
    const sourceArn = requiredString(input, "SourceArn");
    const destinationArn = optionalString(input, "DestinationArn");
    const rate = input.MaxNumberOfMessagesPerSecond;
    if (
      rate !== undefined &&
      (!Number.isInteger(rate) || (rate as number) < 1 || (rate as number) > MAX_RATE)
    ) {
      throw new SqsActionError(
        "InvalidParameterValue",
        `Value ${String(rate)} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: must be between 1 and ${MAX_RATE}.`,
      );
    }
    const source = this.queue(sourceArn);
    if (destinationArn) this.queue(destinationArn);
    const sources = await this.sourcesOf(sourceArn);
    if (sources.length === 0) {
      throw new SqsActionError(
        "UnsupportedOperation",
        `Source queue ${sourceArn} must be configured as a dead-letter queue of an Amazon SQS queue ` +
          "(a RedrivePolicy naming it, admitted by its RedriveAllowPolicy).",
      );
    }
    if (
      this.tasks.some(
        (t) => t.sourceArn === sourceArn && (t.status === "RUNNING" || t.status === "CANCELLING"),
      )
    ) {
      throw new SqsActionError(
        "UnsupportedOperation",
        `There is already a message movement task running on ${sourceArn}.`,
      );
    }
    const taskHandle = Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn })).toString("base64");
    const task: MoveTask = {
      taskHandle,
      sourceArn,
      ...(destinationArn ? { destinationArn } : {}),
      ...(typeof rate === "number" ? { maxNumberOfMessagesPerSecond: rate } : {}),
      startedTimestamp: Date.now(),
      toMove: Number(source.attributes.ApproximateNumberOfMessages ?? 0),
      status: "RUNNING",
      moved: 0,
    };
    this.tasks.unshift(task);
    void this.run(task, source.url, sources);
    return { TaskHandle: taskHandle };
  }

  private list(input: Record<string, unknown>): { Results: Record<string, unknown>[] } {
    const sourceArn = requiredString(input, "SourceArn");
    this.queue(sourceArn);
    const max = input.MaxResults === undefined ? 1 : Number(input.MaxResults);
    if (!Number.isInteger(max) || max < 1 || max > 10) {
      throw new SqsActionError(
        "InvalidParameterValue",
        `Value ${String(input.MaxResults)} for parameter MaxResults is invalid. Reason: must be between 1 and 10.`,
      );
    }
    const results = this.tasks
      .filter((t) => t.sourceArn === sourceArn)
      .slice(0, max)
      .map((t) => ({
        ...(t.status === "RUNNING" ? { TaskHandle: t.taskHandle } : {}),
        Status: t.status,
        SourceArn: t.sourceArn,
        ...(t.destinationArn ? { DestinationArn: t.destinationArn } : {}),
        ...(t.maxNumberOfMessagesPerSecond
          ? { MaxNumberOfMessagesPerSecond: t.maxNumberOfMessagesPerSecond }
          : {}),
        ApproximateNumberOfMessagesMoved: t.moved,
        ApproximateNumberOfMessagesToMove: t.toMove,
        ...(t.failureReason ? { FailureReason: t.failureReason } : {}),
        StartedTimestamp: t.startedTimestamp,
      }));
    return { Results: results };
  }

  private cancel(input: Record<string, unknown>): { ApproximateNumberOfMessagesMoved: number } {
    const handle = requiredString(input, "TaskHandle");
    const task = this.tasks.find((t) => t.taskHandle === handle);
    if (!task) throw new SqsActionError("ResourceNotFoundException", `Task ${handle} does not exist.`);
    if (task.status !== "RUNNING") {
      throw new SqsActionError(
        "UnsupportedOperation",
        `Only a RUNNING task can be cancelled; this one is ${task.status}.`,
      );
    }
    task.status = "CANCELLING";
    return { ApproximateNumberOfMessagesMoved: task.moved };
  }

  /** Moves the task's messages at its rate until it moved what it planned, the source is empty, or it is cancelled. */
  private async run(task: MoveTask, sourceUrl: string, sources: readonly string[]): Promise<void> {
    const rate = task.maxNumberOfMessagesPerSecond ?? DEFAULT_RATE;
    const started = Date.now();
    try {
      while (task.moved < task.toMove && !this.abort.signal.aborted) {
        if (task.status === "CANCELLING") {
          task.status = "CANCELLED";
          return;
        }
        // Pace: never ahead of `rate` messages per second since the start.
        const due = started + (task.moved / rate) * 1000;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
        const budget = Math.min(10, task.toMove - task.moved, Math.max(1, Math.floor(rate)));
        const { Messages = [] } = await this.sqs().send(
          new ReceiveMessageCommand({
            QueueUrl: sourceUrl,
            MaxNumberOfMessages: budget,
            VisibilityTimeout: 30,
            WaitTimeSeconds: 0,
            MessageSystemAttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
        );
        if (Messages.length === 0) break;
        await this.move(task, sourceUrl, Messages, sources);
      }
      if (task.status === "RUNNING") task.status = "COMPLETED";
      else if (task.status === "CANCELLING") task.status = "CANCELLED";
    } catch (error) {
      task.status = "FAILED";
      task.failureReason = error instanceof Error ? error.message : String(error);
    }
  }

  private async move(
    task: MoveTask,
    sourceUrl: string,
    messages: Message[],
    sources: readonly string[],
  ): Promise<void> {
    const byDestination = new Map<string, Message[]>();
    for (const message of messages) {
      const destination = task.destinationArn ?? this.originOf(message, sources);
      byDestination.set(destination, [...(byDestination.get(destination) ?? []), message]);
    }
    for (const [destinationArn, group] of byDestination) {
      const url = this.queue(destinationArn).url;
      for (const batch of bySize(group)) {
        const result = await this.sqs().send(
          new SendMessageBatchCommand({ QueueUrl: url, Entries: batch.map((m, i) => entry(m, i)) }),
        );
        const failed = result.Failed ?? [];
        if (failed.length > 0) {
          throw new Error(
            `moving to ${destinationArn} failed: ${failed.map((f) => f.Message ?? f.Code).join("; ")}`,
          );
        }
        await this.sqs().send(
          new DeleteMessageBatchCommand({
            QueueUrl: sourceUrl,
            Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? "" })),
          }),
        );
        for (const m of batch) this.deadLetteredFrom.delete(m.MessageId ?? "");
        task.moved += batch.length;
      }
    }
  }

  private originOf(message: Message, sources: readonly string[]): string {
    const recorded = this.deadLetteredFrom.get(message.MessageId ?? "");
    if (recorded) return recorded;
    if (sources.length === 1 && sources[0]) return sources[0];
    throw new Error(
      `message ${message.MessageId} was not dead-lettered by a redrive policy and the DLQ has ${sources.length} source queues: give a DestinationArn`,
    );
  }

  /** ARNs of the queues whose redrive policy names `dlqArn` and whose use of it the DLQ's RedriveAllowPolicy admits. */
  private async sourcesOf(dlqArn: string): Promise<string[]> {
    const dlq = this.queue(dlqArn);
    const allow = parse(dlq.attributes.RedriveAllowPolicy);
    const permission = typeof allow?.redrivePermission === "string" ? allow.redrivePermission : "allowAll";
    const listed = Array.isArray(allow?.sourceQueueArns) ? allow.sourceQueueArns : [];
    const { QueueUrls = [] } = await this.sqs().send(new ListQueuesCommand({ MaxResults: 1000 }));
    const sources: string[] = [];
    for (const url of QueueUrls) {
      const queue = this.fauxqs().inspectQueue(url.split("/").pop() ?? "");
      if (!queue || parse(queue.attributes.RedrivePolicy)?.deadLetterTargetArn !== dlqArn) continue;
      if (permission === "denyAll") continue;
      if (permission === "byQueue" && !listed.includes(queue.arn)) continue;
      sources.push(queue.arn);
    }
    return sources;
  }

  private queue(arn: string): { url: string; arn: string; attributes: Record<string, string> } {
    const name = arn.split(":").pop() ?? "";
    const queue = arn.startsWith("arn:") ? this.fauxqs().inspectQueue(name) : undefined;
    if (!queue)
      throw new SqsActionError(
        "ResourceNotFoundException",
        `The resource that you specified for the ARN ${arn} does not exist.`,
      );
    return queue;
  }

  private arnOf(queueName: string): string {
    return (
      this.fauxqs().inspectQueue(queueName)?.arn ??
      `arn:aws:sqs:${this.region}:${this.accountId}:${queueName}`
    );
  }
}

/** A SendMessageBatch entry that keeps the body, message attributes and FIFO group/deduplication IDs. */
function entry(message: Message, index: number): SendMessageBatchRequestEntry {
  const group = message.Attributes?.MessageGroupId;
  const dedup = message.Attributes?.MessageDeduplicationId;
  return {
    Id: String(index),
    MessageBody: message.Body ?? "",
    ...(message.MessageAttributes ? { MessageAttributes: message.MessageAttributes } : {}),
    ...(group ? { MessageGroupId: group } : {}),
    ...(dedup ? { MessageDeduplicationId: dedup } : {}),
  };
}

/** Splits messages into SendMessageBatch calls under 10 entries and 1 MiB. */
function bySize(messages: readonly Message[]): Message[][] {
  const batches: Message[][] = [];
  let current: Message[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = Buffer.byteLength(message.Body ?? "") + attributeBytes(message);
    if (current.length > 0 && (current.length === 10 || bytes + size > BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function attributeBytes(message: Message): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? "");
    bytes += Buffer.byteLength(value.StringValue ?? "") + (value.BinaryValue?.byteLength ?? 0);
  }
  return bytes;
}

function parse(value: string | undefined): Record<string, unknown> | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function requiredString(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (typeof value !== "string" || value === "") {
    throw new SqsActionError("MissingParameter", `The request must contain the parameter ${name}.`);
  }
  return value;
}

function optionalString(input: Record<string, unknown>, name: string): string | undefined {
  const value = input[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}
