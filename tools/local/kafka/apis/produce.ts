/**
 * Produce (key 0), v3–v7: record batch v2 only (uncompressed or any codec, stored as sent).
 * Every batch is decompressed and its records walked before anything is appended, as Kafka's log
 * validator does: an unknown codec gets UNSUPPORTED_COMPRESSION_TYPE (76), a payload that does not
 * decompress or whose records do not match the header gets CORRUPT_MESSAGE (2).
 * acks 0 sends no response; 1 and −1 ("all") are the same on one node: answered once appended.
 * Idempotent batches are checked against the producer's sequence numbers (see ProducerState).
 */
import type { Handler } from "../context.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { Reader } from "../protocol/reader.ts";
import {
  Compression,
  InvalidBatchError,
  parseBatchHeader,
  splitBatches,
  validateRecords,
} from "../protocol/records.ts";
import type { PartitionLog } from "../state/partition-log.ts";

interface PartitionResult {
  readonly index: number;
  readonly errorCode: number;
  readonly baseOffset: number;
  readonly logStartOffset: number;
}

interface PartitionData {
  readonly index: number;
  readonly records: Buffer | null;
}

const readPartition = (r: Reader): PartitionData => ({ index: r.int32(), records: r.nullableBytes() });

export const produce: Handler = (ctx, _conn, header, r, w) => {
  const v = header.apiVersion;
  const transactionalId = r.nullableString();
  const acks = r.int16();
  r.int32(); // timeout_ms
  const topics = r.array((r) => ({ name: r.string(), partitions: r.array(readPartition) }));

  const results = topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p): PartitionResult => {
      const fail = (errorCode: number): PartitionResult => ({
        index: p.index,
        errorCode,
        baseOffset: -1,
        logStartOffset: -1,
      });
      if (acks !== 0 && acks !== 1 && acks !== -1) return fail(ErrorCode.INVALID_REQUIRED_ACKS);
      if (transactionalId !== null) return fail(ErrorCode.INVALID_REQUEST);
      const log = ctx.topics.partition(t.name, p.index);
      if (log === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      try {
        const baseOffset = appendAll(ctx, log, p.records ?? Buffer.alloc(0), v);
        return { index: p.index, errorCode: ErrorCode.NONE, baseOffset, logStartOffset: log.logStartOffset };
      } catch (error) {
        if (error instanceof InvalidBatchError) return fail(error.code);
        if (error instanceof ProduceError) return fail(error.code);
        throw error;
      }
    }),
  }));
  if (acks === 0) return "none";
  w.array(results, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => {
      w.int32(p.index).int16(p.errorCode).int64(p.baseOffset);
      w.int64(-1); // log_append_time_ms: −1 means CreateTime
      if (v >= 5) w.int64(p.logStartOffset);
    });
  });
  w.int32(0); // throttle_time_ms
};

class ProduceError extends Error {
  constructor(readonly code: number) {
    super(`produce error ${code}`);
  }
}

/** Validates the format of every batch first (so a bad batch appends nothing), then appends in order. */
function appendAll(ctx: Parameters<Handler>[0], log: PartitionLog, records: Buffer, version: number): number {
  const batches = splitBatches(records);
  if (batches.length === 0) throw new ProduceError(ErrorCode.CORRUPT_MESSAGE);
  const headers = batches.map((b) => {
    const h = parseBatchHeader(b);
    if (h.size > ctx.settings.maxMessageBytes) throw new ProduceError(ErrorCode.MESSAGE_TOO_LARGE);
    if (h.transactional || h.control) throw new ProduceError(ErrorCode.INVALID_REQUEST);
    if (h.recordCount !== h.lastOffsetDelta + 1) throw new ProduceError(ErrorCode.CORRUPT_MESSAGE);
    // zstd needs Produce v7 (KIP-110): older clients cannot read it back
    if (h.compression === Compression.zstd && version < 7) {
      throw new ProduceError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    }
    validateRecords(b, h);
    return h;
  });
  const key = `${log.topic}\u0000${log.partition}`;
  let first = -1;
  for (const [i, h] of headers.entries()) {
    const check = ctx.producers.check(key, h.producerId, h.producerEpoch, h.baseSequence, h.recordCount);
    if (check.kind === "error") throw new ProduceError(check.code);
    if (check.kind === "duplicate") {
      if (first < 0) first = check.baseOffset;
      continue;
    }
    const baseOffset = log.append(batches[i] as Buffer, h.recordCount, h.maxTimestamp);
    ctx.producers.record(key, h.producerId, h.producerEpoch, h.baseSequence, h.recordCount, baseOffset);
    if (first < 0) first = baseOffset;
  }
  ctx.topics.notifyAppend(log);
  return first;
}
