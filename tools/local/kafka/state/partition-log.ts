/**
 * One partition's log: record batches in offset order, kept in memory as the producer sent them.
 *
 * Offsets are assigned on append (base offset rewritten in the batch). Retention, when set, drops
 * whole batches from the head while the log holds more than `retentionMessages` records or
 * `retentionBytes` bytes; the newest batch is always kept. Kafka drops whole segments instead, so
 * Kafka keeps somewhat more than the limit; here the bound is tighter (a batch, not a segment).
 */
import { decodeRecordBatch, setBaseOffset } from "../protocol/records.ts";

export interface RetentionOptions {
  /** Keep at most about this many records per partition. @default unlimited */
  readonly retentionMessages?: number;
  /** Keep at most about this many bytes of batches per partition (like `retention.bytes`). @default unlimited */
  readonly retentionBytes?: number;
}

interface StoredBatch {
  readonly baseOffset: number;
  readonly nextOffset: number;
  readonly maxTimestamp: number;
  readonly data: Buffer;
}

export class PartitionLog {
  private batches: StoredBatch[] = [];
  private head = 0;
  /** First offset still readable. */
  logStartOffset = 0;
  /** Offset the next record gets (the high watermark: everything is committed on one node). */
  highWatermark = 0;
  /** Bytes of batches held. */
  bytes = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly retention: RetentionOptions = {},
  ) {}

  /** Records held (highWatermark − logStartOffset). */
  get messageCount(): number {
    return this.highWatermark - this.logStartOffset;
  }

  /** Appends one validated batch (copied, so the request frame can be freed); returns its base offset. */
  append(batch: Buffer, recordCount: number, maxTimestamp: number): number {
    const data = Buffer.allocUnsafeSlow(batch.length);
    batch.copy(data);
    const baseOffset = this.highWatermark;
    setBaseOffset(data, baseOffset);
    data.writeInt32BE(0, 12); // partition leader epoch
    this.highWatermark = baseOffset + recordCount;
    this.batches.push({ baseOffset, nextOffset: this.highWatermark, maxTimestamp, data });
    this.bytes += data.length;
    this.enforceRetention();
    return baseOffset;
  }

  private enforceRetention(): void {
    const { retentionMessages, retentionBytes } = this.retention;
    while (this.batches.length - this.head > 1) {
      const tooMany = retentionMessages !== undefined && this.messageCount > retentionMessages;
      const tooBig = retentionBytes !== undefined && this.bytes > retentionBytes;
      if (!tooMany && !tooBig) break;
      const dropped = this.batches[this.head++] as StoredBatch;
      this.bytes -= dropped.data.length;
      this.logStartOffset = dropped.nextOffset;
    }
    if (this.head > 1024 && this.head * 2 > this.batches.length) {
      this.batches = this.batches.slice(this.head);
      this.head = 0;
    }
  }

  /** Index of the batch holding `offset` (which must be in [logStartOffset, highWatermark)). */
  private indexOf(offset: number): number {
    let lo = this.head;
    let hi = this.batches.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.batches[mid] as StoredBatch).baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Batches from the one holding `offset`, up to `maxBytes` (the first batch is always returned
   * whole even when larger, as Kafka does since KIP-74, so a big record never blocks a consumer).
   */
  read(offset: number, maxBytes: number): Buffer[] {
    if (offset >= this.highWatermark || offset < this.logStartOffset) return [];
    const out: Buffer[] = [];
    let size = 0;
    for (let i = this.indexOf(offset); i < this.batches.length; i++) {
      const b = this.batches[i] as StoredBatch;
      if (out.length > 0 && size + b.data.length > maxBytes) break;
      out.push(b.data);
      size += b.data.length;
    }
    return out;
  }

  /** The batches still held, oldest first (shared, not copied: do not modify). */
  storedBatches(): Buffer[] {
    return this.batches.slice(this.head).map((b) => b.data);
  }

  /** ListOffsets by timestamp: the first offset whose record timestamp is ≥ `timestamp`. */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | undefined {
    for (let i = this.head; i < this.batches.length; i++) {
      const b = this.batches[i] as StoredBatch;
      if (b.maxTimestamp < timestamp) continue;
      for (const record of decodeRecordBatch(b.data).records) {
        if (record.timestamp >= timestamp && record.offset >= this.logStartOffset) {
          return { offset: record.offset, timestamp: record.timestamp };
        }
      }
    }
    return undefined;
  }
}
