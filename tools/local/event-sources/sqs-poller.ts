import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import type { InvocationResult } from "../lambda/environment-pool.ts";
import type { Spy } from "../spy.ts";
import { judgeBatchResponse } from "./batch-response.ts";
import { toSqsEvent, toSqsRecord } from "./sqs-records.ts";

/** An `AWS::Lambda::EventSourceMapping` on an SQS queue, resolved. */
export interface SqsMappingConfig {
  readonly logicalId: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly queueName: string;
  readonly functionLogicalId: string;
  /** Records per invocation, 1–10 000 (Lambda default 10). */
  readonly batchSize: number;
  /** `MaximumBatchingWindowInSeconds` in ms (default 0: invoke with what the first receive returns). */
  readonly batchingWindowMs: number;
  /** `FunctionResponseTypes` contains `ReportBatchItemFailures`. */
  readonly reportBatchItemFailures: boolean;
  /** Concurrent batches in flight: `ScalingConfig.MaximumConcurrency`, else the local poller count. */
  readonly concurrency: number;
  readonly enabled: boolean;
  /**
   * `FilterCriteria` as a predicate on a record (Lambda event filtering): records it rejects are
   * deleted without an invocation, as Lambda does for SQS. @default every record passes
   */
  readonly accepts?: (record: SQSRecord) => boolean;
}

/** Invokes the mapped function with an event payload (records the invocation on the spy). */
export type Invoker = (payload: string) => Promise<InvocationResult>;

const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

/**
 * Emulates Lambda's SQS event source: `concurrency` pollers long-poll the queue (20 s), gather up
 * to `batchSize` messages (several receives of at most 10 while the batching window is open, and
 * under Lambda's 6 MB payload limit), invoke the function synchronously and then:
 *
 * - on a function error (thrown, timed out, crashed): delete nothing, so every message returns after
 *   its visibility timeout and counts a receive (the queue's redrive policy moves it to the DLQ);
 * - on success: delete the batch, or with `ReportBatchItemFailures` delete all but the reported
 *   failures ({@link judgeBatchResponse}; an invalid response fails the whole batch);
 * - on FIFO queues, a failed message also keeps every later message of its message group in the
 *   batch, so a group is never processed out of order.
 */
export class SqsPoller {
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];
  private readonly fifo: boolean;

  constructor(
    readonly config: SqsMappingConfig,
    private readonly sqs: SQSClient,
    private readonly invoke: Invoker,
    private readonly spy: Spy,
    private readonly region: string,
  ) {
    this.fifo = config.queueName.endsWith(".fifo");
  }

  /** Starts the pollers (no-op when the mapping is disabled). */
  start(): void {
    if (!this.config.enabled) return;
    for (let i = 0; i < this.config.concurrency; i++) this.loops.push(this.loop());
  }

  /**
   * Stops polling: pending receives are aborted, a batch being processed gets `graceMs` to finish
   * (then the functions are stopped under it); unprocessed messages stay in the queue.
   */
  async stop(graceMs = 2_000): Promise<void> {
    this.abort.abort();
    await Promise.race([
      Promise.allSettled(this.loops),
      new Promise((resolve) => setTimeout(resolve, graceMs).unref()),
    ]);
  }

  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        const batch = await this.collect();
        if (batch.length > 0) await this.process(batch);
      } catch (error) {
        if (this.abort.signal.aborted) return;
        // A transient emulator error: back off briefly, as Lambda's pollers do.
        await new Promise((resolve) => setTimeout(resolve, 100));
        void error;
      }
    }
  }

  private async receive(max: number, waitSeconds: number): Promise<Message[]> {
    const result = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.config.queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
      { abortSignal: this.abort.signal },
    );
    return result.Messages ?? [];
  }

  private async collect(): Promise<Message[]> {
    const { batchSize, batchingWindowMs } = this.config;
    const batch = await this.receive(batchSize, 20);
    if (batch.length === 0 || batchingWindowMs === 0) return batch;
    const deadline = Date.now() + batchingWindowMs;
    let bytes = batch.reduce((sum, m) => sum + Buffer.byteLength(m.Body ?? ""), 0);
    while (batch.length < batchSize && bytes < MAX_PAYLOAD_BYTES && Date.now() < deadline) {
      const more = await this.receive(
        batchSize - batch.length,
        Math.min(1, Math.ceil((deadline - Date.now()) / 1000)),
      );
      batch.push(...more);
      bytes += more.reduce((sum, m) => sum + Buffer.byteLength(m.Body ?? ""), 0);
    }
    return batch;
  }

  private async process(received: Message[]): Promise<void> {
    const { logicalId, queueName, queueArn, reportBatchItemFailures, accepts } = this.config;
    this.spy.record({
      kind: "sqs.receive",
      queueName,
      messageIds: received.map((m) => m.MessageId ?? ""),
      mapping: logicalId,
      at: Date.now(),
    });
    let batch = received;
    if (accepts) {
      batch = received.filter((m) => accepts(toSqsRecord(m, queueArn, this.region)));
      const dropped = received.filter((m) => !batch.includes(m));
      if (dropped.length > 0) {
        await this.delete(dropped);
        this.spy.record({
          kind: "esm.filtered",
          mapping: logicalId,
          queueName,
          messageIds: dropped.map((m) => m.MessageId ?? ""),
          at: Date.now(),
        });
      }
      if (batch.length === 0) return;
    }
    const ids = batch.map((m) => m.MessageId ?? "");
    const result = await this.invoke(JSON.stringify(toSqsEvent(batch, queueArn, this.region)));
    const base = { kind: "esm.batch" as const, mapping: logicalId, queueName, size: batch.length };
    if (!result.ok) {
      const reason = `${result.error.errorType}: ${result.error.errorMessage}`;
      this.spy.record({
        ...base,
        outcome: "failure",
        failedMessageIds: ids,
        deletedMessageIds: [],
        reason,
        at: Date.now(),
      });
      return;
    }
    const verdict = judgeBatchResponse(result.payload, ids, reportBatchItemFailures);
    if (verdict.outcome === "failure") {
      this.spy.record({
        ...base,
        outcome: "failure",
        failedMessageIds: ids,
        deletedMessageIds: [],
        reason: verdict.reason,
        at: Date.now(),
      });
      return;
    }
    // Like Lambda: delete exactly the records the response does not list, FIFO included. Keeping a
    // failed record's group in order is the function's job (a FIFO-aware processor reports the rest
    // of the group as failed too); a handler that does not is flagged, not silently corrected.
    const failed: ReadonlySet<string> = verdict.outcome !== "partial" ? new Set() : verdict.failed;
    const orderViolations = this.fifo ? fifoOrderViolations(batch, failed) : [];
    const done = batch.filter((m) => !failed.has(m.MessageId ?? ""));
    await this.delete(done);
    this.spy.record({
      ...base,
      outcome: failed.size === 0 ? "success" : "partial",
      failedMessageIds: [...failed],
      deletedMessageIds: done.map((m) => m.MessageId ?? ""),
      ...(orderViolations.length > 0 ? { fifoOrderViolations: orderViolations } : {}),
      at: Date.now(),
    });
  }

  private async delete(messages: Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.config.queueUrl,
          Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle ?? "" })),
        }),
      );
    }
  }
}

/**
 * Records of a FIFO batch that the function reported as processed although an earlier record of
 * the same message group failed. Lambda deletes them, so they overtake the failed one: AWS asks
 * FIFO consumers to report the rest of a failed record's group as failed too.
 */
export function fifoOrderViolations(batch: readonly Message[], failed: ReadonlySet<string>): string[] {
  const violations: string[] = [];
  const failedGroups = new Set<string>();
  for (const message of batch) {
    const id = message.MessageId ?? "";
    const group = message.Attributes?.MessageGroupId ?? "";
    if (failed.has(id)) failedGroups.add(group);
    else if (failedGroups.has(group)) violations.push(id);
  }
  return violations;
}
