import { createHash } from "node:crypto";
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
import { chunkBySize } from "./batches.ts";
import { buildSendEntry, type DestinationShape, REDRIVE_COUNT_ATTRIBUTE } from "./entries.ts";
import { type MessageFilter, matchesFilters } from "./filter.ts";
import type { RedriveFailure, RedriveProgress, RedriveStopReason } from "./types.ts";

/** SQS FIFO deduplication interval: a deduplication id seen in the last 5 minutes is accepted but dropped. */
export const FIFO_DEDUP_WINDOW_MS = 5 * 60_000;

/** At most this many per-message reasons are kept in each of failures, skips and warnings. */
const MAX_REASONS = 100;

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
  /**
   * The DLQ's depth when the run was planned. The mover deals with at most this many distinct messages and
   * then stops, instead of running until a receive comes back empty: while consumers run, messages that fail
   * again come straight back to the DLQ, and a run that waits for an empty queue moves them round forever.
   */
  readonly plannedDepth: number;
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
  /** Distinct DLQ messages received (messages met again after their visibility timeout count once). */
  received: number;
  matched: number;
  moved: number;
  /** `skippedBy.filter + skippedBy.alreadyMoved`. */
  skipped: number;
  skippedBy: { filter: number; alreadyMoved: number };
  skips: RedriveFailure[];
  failed: number;
  deferred: number;
  deleteFailed: number;
  failures: RedriveFailure[];
  warnings: RedriveFailure[];
  durationMs: number;
  /** From the start to the last accepted send: the span the rate is measured over (no final empty poll). */
  movingMs: number;
  cancelled: boolean;
  stopReason: RedriveStopReason;
  /** A call that failed outright (after the SDK's retries) stopped the run; the affected messages stayed. */
  error?: string;
}

const RECEIVE_ATTRIBUTES = { MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All" as const] };

/** One message on its way: the entry to send, where it came from, its size and its identity key. */
interface Outgoing {
  readonly entry: SendMessageBatchRequestEntry;
  readonly message: Message;
  readonly size: number;
  readonly bodyHash: string;
  readonly warning?: string;
}

function hashBody(body: string): string {
  return createHash("sha256").update(body).digest("base64url").slice(0, 22);
}

/** The identity of a moved message that survives a consumer's re-send to the DLQ: body and redrive-count. */
function movedKey(bodyHash: string, redriveCount: string | undefined): string {
  return `${bodyHash}#${redriveCount ?? ""}`;
}

/**
 * Moves messages from a DLQ to a queue with plain SQS calls, for the cases SQS's move task does not cover.
 * Each loop: ReceiveMessage (≤ 10) → filter → SendMessageBatch to the destination, split so that no call
 * exceeds 10 entries or 1 MiB in total → DeleteMessageBatch of exactly the entries the send accepted. Send
 * before delete makes it at-least-once: a crash between the two leaves the message in both queues (consumers
 * deduplicate on the event id), never in neither. Messages that are skipped (filter, or already moved by this
 * run), deferred (FIFO dedup window) or failed stay invisible until the run ends, so a loop never meets them
 * twice, and are then made visible again in the DLQ (ChangeMessageVisibility 0); if the process dies first
 * they reappear on their own after `visibilityTimeoutSeconds`.
 *
 * The run ends at the first of: a receive with nothing new, `plannedDepth` distinct messages dealt with,
 * `max` moved, the signal, or a failed call. It never moves a message twice: a message it moved that comes
 * back while it runs is recognised by its message ID (SQS's RedrivePolicy keeps the ID it got from our send)
 * or by its body and `redrive-count` (a consumer's own DLQ copy has a new ID but the same body and
 * attributes), and left in the DLQ. The second rule can take a distinct message with an identical body and
 * the same redrive-count for one this run moved; it then stays in the DLQ for the next run, never lost.
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
  const sentIds = new Set<string>(); // message IDs our sends got: SQS's RedrivePolicy keeps them
  const movedKeys = new Set<string>(); // body hash + redrive-count of what we sent
  const result: MoverResult = {
    received: 0,
    matched: 0,
    moved: 0,
    skipped: 0,
    skippedBy: { filter: 0, alreadyMoved: 0 },
    skips: [],
    failed: 0,
    deferred: 0,
    deleteFailed: 0,
    failures: [],
    warnings: [],
    durationMs: 0,
    movingMs: 0,
    cancelled: false,
    stopReason: "drained",
  };
  const filterSkips: RedriveFailure[] = [];
  let remaining = options.max ?? Number.POSITIVE_INFINITY;
  let budget = Math.max(0, options.plannedDepth);
  let handled = 0;
  let fatal: unknown;

  const note = (list: RedriveFailure[], message: Message, reason: string) => {
    if (list.length < MAX_REASONS) list.push({ messageId: message.MessageId ?? "?", reason });
  };
  const hold = (message: Message, reason?: string) => {
    if (message.MessageId && message.ReceiptHandle) held.set(message.MessageId, message.ReceiptHandle);
    if (reason !== undefined) note(result.failures, message, reason);
  };
  const progress = () =>
    options.onProgress?.({
      strategy: "mover",
      moved: result.moved,
      matched: result.matched,
      skipped: result.skipped,
      failed: result.failed + result.deferred,
      total: options.total,
      handled,
      plannedDepth: options.plannedDepth,
      elapsedMs: now() - started,
    });
  const alreadyMoved = (message: Message, bodyHash: string): string | undefined => {
    if (message.MessageId && sentIds.has(message.MessageId)) {
      return "moved by this run and back in the DLQ with the same message ID (dead-lettered again by the queue's RedrivePolicy): the cause persists; left for a run after the fix";
    }
    const count = message.MessageAttributes?.[REDRIVE_COUNT_ATTRIBUTE]?.StringValue;
    if (movedKeys.has(movedKey(bodyHash, count))) {
      return `moved by this run and back in the DLQ (same body, ${REDRIVE_COUNT_ATTRIBUTE} ${count ?? "absent"}: a consumer dead-lettered it again): the cause persists; left for a run after the fix`;
    }
    return undefined;
  };

  const loop = async () => {
    while (!options.signal?.aborted && fatal === undefined) {
      const want = Math.min(batchSize, remaining, budget);
      if (want <= 0) return;
      remaining -= want;
      budget -= want;
      let used = 0;
      let fresh = 0;
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
        const toSend: Outgoing[] = [];
        for (const message of Messages) {
          if (message.MessageId && held.has(message.MessageId)) {
            hold(message); // came back after its visibility timeout: keep the fresh handle, count it once
            continue;
          }
          result.received++;
          const bodyHash = hashBody(message.Body ?? "");
          const moved = alreadyMoved(message, bodyHash);
          if (moved !== undefined) {
            result.skipped++;
            result.skippedBy.alreadyMoved++;
            hold(message);
            note(result.skips, message, moved);
            continue;
          }
          fresh++;
          if (!matchesFilters(message, filters)) {
            result.skipped++;
            result.skippedBy.filter++;
            hold(message);
            note(filterSkips, message, "did not match --filter");
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
          toSend.push({
            entry: built.entry,
            message,
            size: built.size,
            bodyHash,
            ...(built.warning ? { warning: built.warning } : {}),
          });
        }
        if (toSend.length > 0) await sendInChunks(toSend);
      } finally {
        remaining += want - used;
        budget += want - fresh;
        handled += fresh;
        progress();
      }
    }
  };

  /** Sends in calls of ≤ 10 entries and ≤ 1 MiB; for FIFO, a group whose message failed sends no later one. */
  const sendInChunks = async (items: Outgoing[]) => {
    const blocked = new Set<string>();
    for (const chunk of chunkBySize(items, (item) => item.size)) {
      const sendable: Outgoing[] = [];
      for (const item of chunk) {
        const group = item.entry.MessageGroupId;
        if (fatal !== undefined) {
          result.failed++;
          hold(item.message, "not sent: an earlier call of this run failed");
        } else if (group !== undefined && blocked.has(group)) {
          result.failed++;
          hold(item.message, "not sent: an earlier message of its FIFO group could not be sent (order kept)");
        } else sendable.push(item);
      }
      if (sendable.length === 0) continue;
      for (const group of await sendThenDelete(sendable)) blocked.add(group);
    }
  };

  /** One SendMessageBatch, then the delete of what it accepted; returns the FIFO groups that failed. */
  const sendThenDelete = async (batch: Outgoing[]): Promise<string[]> => {
    if (bucket) await bucket.removeTokens(batch.length);
    const failedGroups: string[] = [];
    const fail = (item: Outgoing, reason: string) => {
      result.failed++;
      hold(item.message, reason);
      if (item.entry.MessageGroupId !== undefined) failedGroups.push(item.entry.MessageGroupId);
    };
    let sent: Outgoing[] = [];
    try {
      const response = await sqs.send(
        new SendMessageBatchCommand({ QueueUrl: options.destinationUrl, Entries: batch.map((b) => b.entry) }),
      );
      const ok = new Map((response.Successful ?? []).map((s) => [s.Id, s.MessageId]));
      sent = batch.filter((b) => ok.has(b.entry.Id));
      for (const item of sent) {
        const id = ok.get(item.entry.Id);
        if (id) sentIds.add(id);
        const count = item.entry.MessageAttributes?.[REDRIVE_COUNT_ATTRIBUTE]?.StringValue;
        movedKeys.add(movedKey(item.bodyHash, count));
        if (item.warning) note(result.warnings, item.message, item.warning);
      }
      for (const failure of response.Failed ?? []) {
        const item = batch.find((b) => b.entry.Id === failure.Id);
        if (item) fail(item, `send failed: ${failure.Code ?? "error"} ${failure.Message ?? ""}`.trim());
      }
    } catch (error) {
      for (const item of batch) fail(item, `send failed: ${(error as Error).message}`);
      fatal = error;
      return failedGroups;
    }
    result.moved += sent.length;
    if (sent.length > 0) result.movingMs = now() - started;
    if (sent.length === 0) return failedGroups;
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
    return failedGroups;
  };

  await Promise.all(Array.from({ length: concurrency }, () => loop()));
  await release(sqs, options.sourceUrl, held);
  result.cancelled = options.signal?.aborted ?? false;
  result.durationMs = now() - started;
  result.skips = [...result.skips, ...filterSkips].slice(0, MAX_REASONS);
  if (fatal !== undefined) result.error = fatal instanceof Error ? fatal.message : String(fatal);
  result.stopReason = result.cancelled
    ? "cancelled"
    : fatal !== undefined
      ? "error"
      : options.max !== undefined && (options.dryRun ? result.matched : result.moved) >= options.max
        ? "max"
        : handled >= options.plannedDepth
          ? "planned-depth"
          : "drained";
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
