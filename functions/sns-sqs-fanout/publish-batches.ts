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
