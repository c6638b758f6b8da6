import type { SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";

/** SQS `SendMessageBatch` accepts at most 10 entries per call. */
export const MAX_BATCH_ENTRIES = 10;

/**
 * SQS limit for one message and for the sum of all messages of one `SendMessageBatch` call (1 MiB,
 * "Batch requests cannot be longer than 1048576 bytes"); a queue's own `MaximumMessageSize` may be lower.
 */
export const MAX_BATCH_BYTES = 1_048_576;

/**
 * The size SQS counts for a message: the UTF-8 bytes of the body plus, for every message attribute, its
 * name, data type and value. Binary values are counted as their base64 form (what the JSON protocol sends
 * and emulators measure), which is never less than the raw bytes AWS counts, so the estimate errs safe.
 */
export function messageSizeBytes(
  entry: Partial<Pick<SendMessageBatchRequestEntry, "MessageBody" | "MessageAttributes">>,
): number {
  let size = Buffer.byteLength(entry.MessageBody ?? "", "utf8");
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    size += Buffer.byteLength(name, "utf8") + Buffer.byteLength(value.DataType ?? "", "utf8");
    if (value.StringValue !== undefined) size += Buffer.byteLength(value.StringValue, "utf8");
    if (value.BinaryValue !== undefined) size += Math.ceil(value.BinaryValue.byteLength / 3) * 4;
  }
  return size;
}

/**
 * Splits items into `SendMessageBatch` calls of at most {@link MAX_BATCH_ENTRIES} entries and
 * {@link MAX_BATCH_BYTES} bytes in total, keeping their order (FIFO groups stay in order across calls).
 * Each item must fit on its own (the caller checks it against the destination's maximum first).
 */
export function chunkBySize<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  { maxEntries = MAX_BATCH_ENTRIES, maxBytes = MAX_BATCH_BYTES } = {},
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length === maxEntries || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
