import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { TokenBucket } from "limiter";
import { buildSendEntry, type DestinationShape } from "./entries.ts";
import { type MessageFilter, matchesFilters } from "./filter.ts";
import type { RedriveFailure, RedriveProgress } from "./types.ts";

/** SQS FIFO deduplication interval: a deduplication id seen in the last 5 minutes is accepted but dropped. */
export const FIFO_DEDUP_WINDOW_MS = 5 * 60_000;

export interface MoverOptions {
  readonly sourceUrl: string;
  readonly destinationUrl: string;
  readonly destination: DestinationShape;
  /**
   * True when the destination is the queue the messages first came from. For FIFO this means their
   * deduplication ids may still be remembered by it (5 minutes after the first send): such messages are
   * deferred, left in the DLQ, because the send would succeed and SQS would silently drop them.
   */
  readonly destinationIsSource: boolean;
  /** Stop after this many messages moved (dry run: matched). @default unlimited */
  readonly max?: number;
  /** Messages per second, enforced by a token bucket (library `limiter`). @default unlimited */
  readonly ratePerSecond?: number;
  /** Receive and count, send nothing, release everything. @default false */
  readonly dryRun?: boolean;
  /** @default [] (everything matches) */
  readonly filters?: readonly MessageFilter[];
  /** Parallel receive loops. FIFO order per group still holds: SQS hands a group to one receiver at a time. @default 4 */
  readonly concurrency?: number;
  /** Long-poll wait; an empty long poll ends a loop (with long polling SQS asks every server). @default 1 */
  readonly waitTimeSeconds?: number;
  /** How long received messages stay invisible in the DLQ while being moved or held. @default 120 */
  readonly visibilityTimeoutSeconds?: number;
  /** Expected total for progress (min(--max, depth)). */
  readonly total: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RedriveProgress) => void;
  readonly now?: () => number;
}

export interface MoverResult {
  received: number;
  matched: number;
  moved: number;
  skipped: number;
  failed: number;
  deferred: number;
  deleteFailed: number;
  failures: RedriveFailure[];
  durationMs: number;
  /** From the start to the last accepted send: the span the rate is measured over (no final empty poll). */
  movingMs: number;
  cancelled: boolean;
  /** A call that failed outright (after the SDK's retries) stopped the run; the affected messages stayed. */
  error?: string;
}

const RECEIVE_ATTRIBUTES = { MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All" as const] };

/**
 * Moves messages from a DLQ to a queue with plain SQS calls, for the cases SQS's move task does not cover.
 * Each loop: ReceiveMessage (≤ 10) → filter → SendMessageBatch to the destination → DeleteMessageBatch of
 * exactly the entries the send accepted. Send before delete makes it at-least-once: a crash between the two
 * leaves the message in both queues (consumers deduplicate on the event id), never in neither. Messages that
 * are skipped (filter), deferred (FIFO dedup window) or failed stay invisible until the run ends, so a loop
 * never meets them twice, and are then made visible again in the DLQ (ChangeMessageVisibility 0); if the
 * process dies first they reappear on their own after `visibilityTimeoutSeconds`.
 */
export async function moveMessages(sqs: SQSClient, options: MoverOptions): Promise<MoverResult> {
  const now = options.now ?? Date.now;
  const started = now();
  const filters = options.filters ?? [];
  const rate = options.ratePerSecond;
  const batchSize = rate ? Math.max(1, Math.min(10, Math.floor(rate))) : 10;
  const bucket = rate
    ? new TokenBucket({ bucketSize: batchSize, tokensPerInterval: rate, interval: 1000 })
    : undefined;
  // With a rate, more loops than the rate can feed would only hold messages invisible while they wait.
  const concurrency = Math.max(
    1,
    Math.min(options.concurrency ?? 4, rate ? Math.ceil(rate / batchSize) : Number.POSITIVE_INFINITY),
  );
  const held = new Map<string, string>(); // messageId → latest receipt handle
  const result: MoverResult = {
    received: 0,
    matched: 0,
    moved: 0,
    skipped: 0,
    failed: 0,
    deferred: 0,
    deleteFailed: 0,
    failures: [],
    durationMs: 0,
    movingMs: 0,
    cancelled: false,
  };
  let remaining = options.max ?? Number.POSITIVE_INFINITY;
  let fatal: unknown;

  const hold = (message: Message, reason?: string) => {
    if (message.MessageId && message.ReceiptHandle) held.set(message.MessageId, message.ReceiptHandle);
    if (reason !== undefined && result.failures.length < 100) {
      result.failures.push({ messageId: message.MessageId ?? "?", reason });
    }
  };
  const progress = () =>
    options.onProgress?.({
      strategy: "mover",
      moved: result.moved,
      matched: result.matched,
      skipped: result.skipped,
      failed: result.failed + result.deferred,
      total: options.total,
      elapsedMs: now() - started,
    });

  const loop = async () => {
    while (!options.signal?.aborted && fatal === undefined) {
      const want = Math.min(batchSize, remaining);
      if (want <= 0) return;
      remaining -= want;
      let used = 0;
      try {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: options.sourceUrl,
            MaxNumberOfMessages: want,
            WaitTimeSeconds: options.waitTimeSeconds ?? 1,
            VisibilityTimeout: options.visibilityTimeoutSeconds ?? 120,
            ...RECEIVE_ATTRIBUTES,
          }),
        );
        if (Messages.length === 0) return;
        const toSend: Array<{ entry: SendMessageBatchRequestEntry; message: Message }> = [];
        for (const message of Messages) {
          if (message.MessageId && held.has(message.MessageId)) {
            hold(message); // came back after its visibility timeout: keep the fresh handle, count it once
            continue;
          }
          result.received++;
          if (!matchesFilters(message, filters)) {
            result.skipped++;
            hold(message);
            continue;
          }
          result.matched++;
          used++;
          if (options.dryRun) {
            hold(message);
            continue;
          }
          const sentAt = Number(message.Attributes?.SentTimestamp ?? 0);
          if (
            options.destination.fifo &&
            options.destinationIsSource &&
            sentAt + FIFO_DEDUP_WINDOW_MS > now()
          ) {
            result.deferred++;
            hold(
              message,
              `FIFO deduplication window: the source queue would drop it as a duplicate until ${new Date(sentAt + FIFO_DEDUP_WINDOW_MS).toISOString()}; redrive again after that`,
            );
            continue;
          }
          const built = buildSendEntry(String(toSend.length), message, options.destination);
          if (!built.ok) {
            result.failed++;
            hold(message, built.reason);
            continue;
          }
          toSend.push({ entry: built.entry, message });
        }
        if (toSend.length > 0) await sendThenDelete(toSend);
      } finally {
        remaining += want - used;
        progress();
      }
    }
  };

  const sendThenDelete = async (batch: Array<{ entry: SendMessageBatchRequestEntry; message: Message }>) => {
    if (bucket) await bucket.removeTokens(batch.length);
    let sent: typeof batch = [];
    try {
      const response = await sqs.send(
        new SendMessageBatchCommand({ QueueUrl: options.destinationUrl, Entries: batch.map((b) => b.entry) }),
      );
      const ok = new Set((response.Successful ?? []).map((s) => s.Id));
      sent = batch.filter((b) => ok.has(b.entry.Id));
      for (const failure of response.Failed ?? []) {
        const item = batch.find((b) => b.entry.Id === failure.Id);
        if (!item) continue;
        result.failed++;
        hold(item.message, `send failed: ${failure.Code ?? "error"} ${failure.Message ?? ""}`.trim());
      }
    } catch (error) {
      for (const item of batch) {
        result.failed++;
        hold(item.message, `send failed: ${(error as Error).message}`);
      }
      fatal = error;
      return;
    }
    result.moved += sent.length;
    if (sent.length > 0) result.movingMs = now() - started;
    if (sent.length === 0) return;
    try {
      const deleted = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.sourceUrl,
          Entries: sent.map((b) => ({ Id: b.entry.Id, ReceiptHandle: b.message.ReceiptHandle })),
        }),
      );
      for (const failure of deleted.Failed ?? []) {
        const item = sent.find((b) => b.entry.Id === failure.Id);
        if (!item) continue;
        result.deleteFailed++;
        hold(
          item.message,
          `sent, but not deleted from the DLQ (${failure.Code ?? "error"}): a later redrive duplicates it`,
        );
      }
    } catch (error) {
      for (const item of sent) {
        result.deleteFailed++;
        hold(
          item.message,
          `sent, but not deleted from the DLQ (${(error as Error).message}): a later redrive duplicates it`,
        );
      }
      fatal = error;
    }
  };

  await Promise.all(Array.from({ length: concurrency }, () => loop()));
  await release(sqs, options.sourceUrl, held);
  result.cancelled = options.signal?.aborted ?? false;
  result.durationMs = now() - started;
  if (fatal !== undefined) result.error = fatal instanceof Error ? fatal.message : String(fatal);
  progress();
  return result;
}

/** Makes held messages visible again in the DLQ at once (best effort: they reappear on their own anyway). */
async function release(sqs: SQSClient, queueUrl: string, held: Map<string, string>): Promise<void> {
  const handles = [...held.values()];
  for (let i = 0; i < handles.length; i += 10) {
    const chunk = handles.slice(i, i + 10);
    try {
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((ReceiptHandle, j) => ({ Id: String(j), ReceiptHandle, VisibilityTimeout: 0 })),
        }),
      );
    } catch {
      // They become visible after their visibility timeout; nothing is lost.
    }
  }
}
