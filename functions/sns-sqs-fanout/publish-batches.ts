/**
 * Splits PublishBatch entries into calls that respect SNS limits: at most 10 entries per call and
 * at most 256 KiB (262,144 bytes) for the aggregate of all messages in the call, where a message's
 * size is its body plus its message attributes (name, data type and value bytes).
 */
import type { PublishBatchRequestEntry } from "@aws-sdk/client-sns";

/** SNS `PublishBatch` allows at most 10 entries per call. */
export const MAX_BATCH_ENTRIES = 10;
/** SNS limit for one message and for the aggregate of one `PublishBatch` call (256 KiB). */
export const MAX_BATCH_BYTES = 262_144;

/** Billable/limited size of one entry: UTF-8 bytes of the body and of every attribute's name, type and value. */
export function entrySizeBytes(entry: PublishBatchRequestEntry): number {
  let size = Buffer.byteLength(entry.Message ?? "", "utf8");
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    size += Buffer.byteLength(name, "utf8") + Buffer.byteLength(value.DataType ?? "", "utf8");
    size += Buffer.byteLength(value.StringValue ?? "", "utf8") + (value.BinaryValue?.byteLength ?? 0);
  }
  return size;
}

/** Limits of {@link chunkEntries}. */
export interface BatchLimits {
  /** @default MAX_BATCH_ENTRIES */
  readonly maxEntries?: number;
  /** @default MAX_BATCH_BYTES */
  readonly maxBytes?: number;
}

/**
 * Greedy, order-preserving split (FIFO topics keep per-group order across calls). Every entry must
 * already fit `maxBytes` on its own; oversize entries are the caller's to reject.
 */
export function chunkEntries<T extends PublishBatchRequestEntry>(
  entries: readonly T[],
  { maxEntries = MAX_BATCH_ENTRIES, maxBytes = MAX_BATCH_BYTES }: BatchLimits = {},
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const entry of entries) {
    const size = entrySizeBytes(entry);
    if (size > maxBytes) throw new RangeError(`entry ${entry.Id} is ${size} bytes, above ${maxBytes}`);
    if (current.length === maxEntries || currentBytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(entry);
    currentBytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * FIFO topics: removes from `pending` (in order) and returns the entries of the next `PublishBatch` call,
 * with AT MOST ONE ENTRY PER MESSAGE GROUP, and only each group's earliest pending entry.
 *
 * Why: SNS processes the entries of one call independently. With two entries of a group in one call,
 * the first can fail while the second is published, and the caller's retry of the first then arrives
 * after the second: the group's order is broken and no caller can repair it. With one entry per group
 * per call, and calls sent one after the other, an entry is only ever sent once its predecessor in the
 * group has been answered; if the predecessor failed, the caller drops the rest of that group (see
 * `createPublisher`).
 *
 * Trade-off: a request whose entries all share one group takes one call per entry (one round trip
 * each); entries of different groups still share calls (up to 10, and 256 KiB, per call). Choose
 * message groups per business key (order, customer), not one group for everything: that is also what
 * FIFO throughput scales with.
 *
 * An entry that does not fit the call's remaining bytes waits for a later call, and so does the rest
 * of its group; other groups may go ahead (their relative order is not promised by SNS FIFO anyway).
 */
export function takeFifoCall<T extends PublishBatchRequestEntry>(
  pending: T[],
  { maxEntries = MAX_BATCH_ENTRIES, maxBytes = MAX_BATCH_BYTES }: BatchLimits = {},
): T[] {
  const call: T[] = [];
  const groupsSeen = new Set<string | undefined>();
  let bytes = 0;
  for (let i = 0; i < pending.length && call.length < maxEntries; ) {
    const entry = pending[i] as T;
    const group = entry.MessageGroupId;
    const size = entrySizeBytes(entry);
    if (size > maxBytes) throw new RangeError(`entry ${entry.Id} is ${size} bytes, above ${maxBytes}`);
    const eligible = !groupsSeen.has(group) && bytes + size <= maxBytes;
    groupsSeen.add(group);
    if (eligible) {
      call.push(entry);
      bytes += size;
      pending.splice(i, 1);
    } else {
      i++;
    }
  }
  return call;
}
