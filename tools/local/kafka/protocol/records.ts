/**
 * Record batch v2 ("magic 2", Kafka ≥ 0.11): the on-wire and in-log format of produced data.
 *
 * The broker stores batches exactly as the producer sent them (compressed or not) and serves
 * them back from Fetch, as Kafka does; it only rewrites the base offset (outside the CRC) on
 * append. {@link parseBatchHeader} validates a batch (length, magic, CRC32C) without decompressing;
 * {@link decodeRecordBatch} and {@link encodeRecordBatch} give the full record view, used for
 * ListOffsets by timestamp and by tests.
 */
import { gunzipSync, gzipSync, zstdDecompressSync } from "node:zlib";
import { crc32c } from "@node-rs/crc32";
import { compressionsAlgorithmsByBitmask } from "@platformatic/kafka";
import { ErrorCode as ErrorCodes } from "./errors.ts";
import { MalformedFrameError, Reader } from "./reader.ts";
import { Writer } from "./writer.ts";

/** Bytes before the first record: baseOffset … recordCount. */
export const BATCH_HEADER_SIZE = 61;
/** Offset of the CRC-covered region (attributes onwards). */
const CRC_START = 21;

export const Compression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export type CompressionCodec = (typeof Compression)[keyof typeof Compression];
export type CompressionName = keyof typeof Compression | `unknown(${number})`;

/** The name of a codec id from a batch's attributes (ids 5–7 are not assigned by Kafka). */
export function compressionName(codec: number): CompressionName {
  const found = (Object.entries(Compression) as [keyof typeof Compression, number][]).find(
    ([, id]) => id === codec,
  );
  return found ? found[0] : `unknown(${codec})`;
}

export interface RecordHeader {
  readonly key: string;
  readonly value: Buffer | null;
}

/** One record as a client sees it. */
export interface KafkaRecord {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
}

/** The fixed-size batch header, read without touching the records. */
export interface BatchHeader {
  readonly baseOffset: number;
  /** Total size of the batch in bytes (12 + batchLength). */
  readonly size: number;
  readonly magic: number;
  readonly crc: number;
  readonly attributes: number;
  readonly compression: number;
  readonly transactional: boolean;
  readonly control: boolean;
  readonly lastOffsetDelta: number;
  readonly firstTimestamp: number;
  readonly maxTimestamp: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly recordCount: number;
}

/** Why a produced batch was refused; `code` is the Kafka error code to return. */
export class InvalidBatchError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/**
 * Reads and validates the header of the batch at `buf[0]`: the batch must be magic 2, fit in
 * `buf`, and carry a correct CRC32C over attributes … end.
 */
export function parseBatchHeader(buf: Buffer, verifyCrc = true): BatchHeader {
  if (buf.length < BATCH_HEADER_SIZE) throw new InvalidBatchError("record batch shorter than its header", 2);
  const magic = buf.readInt8(16);
  if (magic !== 2) {
    throw new InvalidBatchError(`record batch magic ${magic} (only v2 record batches are supported)`, 43);
  }
  const size = buf.readInt32BE(8) + 12;
  if (size < BATCH_HEADER_SIZE || size > buf.length) {
    throw new InvalidBatchError(`record batch length ${size} does not match the ${buf.length} bytes sent`, 2);
  }
  const crc = buf.readUInt32BE(17);
  if (verifyCrc && crc32c(buf.subarray(CRC_START, size)) !== crc) {
    throw new InvalidBatchError("record batch CRC32C mismatch", 2);
  }
  const attributes = buf.readInt16BE(21);
  const recordCount = buf.readInt32BE(57);
  const lastOffsetDelta = buf.readInt32BE(23);
  if (recordCount < 0 || lastOffsetDelta < 0) throw new InvalidBatchError("negative record count", 2);
  return {
    baseOffset: Number(buf.readBigInt64BE(0)),
    size,
    magic,
    crc,
    attributes,
    compression: attributes & 0x07,
    transactional: (attributes & 0x10) !== 0,
    control: (attributes & 0x20) !== 0,
    lastOffsetDelta,
    firstTimestamp: Number(buf.readBigInt64BE(27)),
    maxTimestamp: Number(buf.readBigInt64BE(35)),
    producerId: Number(buf.readBigInt64BE(43)),
    producerEpoch: buf.readInt16BE(51),
    baseSequence: buf.readInt32BE(53),
    recordCount,
  };
}

/** Splits a Produce `records` field into its batches (a producer may send several). */
export function splitBatches(records: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < records.length) {
    if (records.length - at < 12)
      throw new InvalidBatchError("trailing bytes after the last record batch", 2);
    const size = records.readInt32BE(at + 8) + 12;
    if (size < BATCH_HEADER_SIZE || at + size > records.length) {
      throw new InvalidBatchError(`record batch length ${size} overruns the ${records.length} bytes sent`, 2);
    }
    out.push(records.subarray(at, at + size));
    at += size;
  }
  return out;
}

/** Rewrites the base offset in place (the field is not covered by the CRC). */
export function setBaseOffset(batch: Buffer, baseOffset: number): void {
  batch.writeBigInt64BE(BigInt(baseOffset), 0);
}

/**
 * Decompresses a batch's records section. gzip and zstd use `node:zlib`; snappy (raw or the
 * xerial framing Java clients send) and lz4 (frame format) use the codecs of `@platformatic/kafka`,
 * already a dependency of the project.
 * @throws InvalidBatchError UNSUPPORTED_COMPRESSION_TYPE (76) for a codec id Kafka does not assign,
 *   CORRUPT_MESSAGE (2) when the payload does not decompress
 */
export function decompress(codec: number, data: Buffer): Buffer {
  if (codec === Compression.none) return data;
  if (codec > Compression.zstd) {
    throw new InvalidBatchError(
      `unknown compression codec ${codec}`,
      ErrorCodes.UNSUPPORTED_COMPRESSION_TYPE,
    );
  }
  try {
    if (codec === Compression.gzip) return gunzipSync(data);
    if (codec === Compression.zstd) return zstdDecompressSync(data);
    const algorithm = compressionsAlgorithmsByBitmask[codec];
    if (algorithm === undefined) throw new Error(`no decoder for codec ${codec}`);
    return Buffer.from(algorithm.decompressSync(data));
  } catch (error) {
    throw new InvalidBatchError(
      `${compressionName(codec)} payload does not decompress: ${error instanceof Error ? error.message : String(error)}`,
      ErrorCodes.CORRUPT_MESSAGE,
    );
  }
}

/**
 * Walks the records of a batch body, checking each record's length against its fields and the
 * count against the header; `visit` gets each record (omit it to validate only, without copies).
 */
function walkRecords(header: BatchHeader, body: Buffer, visit?: (record: KafkaRecord) => void): void {
  const r = new Reader(body);
  try {
    for (let i = 0; i < header.recordCount; i++) {
      const length = r.varint();
      const end = r.offset + length;
      r.int8(); // attributes (unused)
      const timestampDelta = r.varint();
      const offsetDelta = r.varint();
      const keyLength = r.varint();
      const key = keyLength < 0 ? null : r.bytesRaw(keyLength);
      const valueLength = r.varint();
      const value = valueLength < 0 ? null : r.bytesRaw(valueLength);
      const headerCount = r.varint();
      const headers: RecordHeader[] = [];
      for (let h = 0; h < headerCount; h++) {
        const k = r.bytesRaw(r.varint());
        const vl = r.varint();
        const hv = vl < 0 ? null : r.bytesRaw(vl);
        if (visit) headers.push({ key: k.toString("utf8"), value: hv === null ? null : Buffer.from(hv) });
      }
      if (r.offset !== end)
        throw new MalformedFrameError(`record ${i} length ${length} does not match its fields`);
      visit?.({
        offset: header.baseOffset + offsetDelta,
        timestamp: header.firstTimestamp + timestampDelta,
        key: key === null ? null : Buffer.from(key),
        value: value === null ? null : Buffer.from(value),
        headers,
      });
    }
    if (r.offset !== body.length) {
      throw new MalformedFrameError(`bytes after the ${header.recordCount} records the batch header counts`);
    }
  } catch (error) {
    if (error instanceof MalformedFrameError || error instanceof RangeError) {
      throw new InvalidBatchError(error.message, ErrorCodes.CORRUPT_MESSAGE);
    }
    throw error;
  }
}

/**
 * Checks at produce time that a batch can be read by consumers: its codec is known and its payload
 * decompresses into exactly the records the header counts, as Kafka's log validator does. A
 * batch that fails is refused with the error code in the thrown {@link InvalidBatchError}
 * instead of being stored, where every consumer would fail on it.
 */
export function validateRecords(batch: Buffer, header: BatchHeader): void {
  walkRecords(header, decompress(header.compression, batch.subarray(BATCH_HEADER_SIZE, header.size)));
}

/** Decodes every record of one batch (any codec). */
export function decodeRecordBatch(batch: Buffer): { header: BatchHeader; records: KafkaRecord[] } {
  const header = parseBatchHeader(batch);
  const body = decompress(header.compression, batch.subarray(BATCH_HEADER_SIZE, header.size));
  const records: KafkaRecord[] = [];
  walkRecords(header, body, (record) => records.push(record));
  return { header, records };
}

export interface RecordInput {
  readonly key?: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers?: Readonly<Record<string, Buffer | string>>;
  readonly timestamp?: number;
}

export interface BatchOptions {
  readonly baseOffset?: number;
  readonly compression?: typeof Compression.none | typeof Compression.gzip;
  readonly producerId?: number;
  readonly producerEpoch?: number;
  readonly baseSequence?: number;
}

const asBuffer = (v: Buffer | string): Buffer => (typeof v === "string" ? Buffer.from(v, "utf8") : v);

/** Encodes a record batch v2 with a correct CRC32C (used by tests and tooling, not by the broker). */
export function encodeRecordBatch(records: readonly RecordInput[], options: BatchOptions = {}): Buffer {
  if (records.length === 0) throw new RangeError("a record batch needs at least one record");
  const now = Date.now();
  const timestamps = records.map((r) => r.timestamp ?? now);
  const first = Math.min(...timestamps);
  const max = Math.max(...timestamps);
  const body = new Writer(1024);
  records.forEach((rec, i) => {
    const w = new Writer(256);
    w.int8(0)
      .varint((timestamps[i] as number) - first)
      .varint(i);
    if (rec.key === null || rec.key === undefined) w.varint(-1);
    else {
      const k = asBuffer(rec.key);
      w.varint(k.length).raw(k);
    }
    if (rec.value === null) w.varint(-1);
    else {
      const v = asBuffer(rec.value);
      w.varint(v.length).raw(v);
    }
    const headers = Object.entries(rec.headers ?? {});
    w.varint(headers.length);
    for (const [k, v] of headers) {
      const kb = Buffer.from(k, "utf8");
      const vb = asBuffer(v);
      w.varint(kb.length).raw(kb).varint(vb.length).raw(vb);
    }
    const encoded = w.toBuffer();
    body.varint(encoded.length).raw(encoded);
  });
  const codec = options.compression ?? Compression.none;
  let payload = body.toBuffer();
  if (codec === Compression.gzip) payload = gzipSync(payload);
  const out = Buffer.alloc(BATCH_HEADER_SIZE + payload.length);
  out.writeBigInt64BE(BigInt(options.baseOffset ?? 0), 0);
  out.writeInt32BE(out.length - 12, 8);
  out.writeInt32BE(0, 12); // partition leader epoch
  out.writeInt8(2, 16);
  out.writeInt16BE(codec, 21);
  out.writeInt32BE(records.length - 1, 23);
  out.writeBigInt64BE(BigInt(first), 27);
  out.writeBigInt64BE(BigInt(max), 35);
  out.writeBigInt64BE(BigInt(options.producerId ?? -1), 43);
  out.writeInt16BE(options.producerEpoch ?? -1, 51);
  out.writeInt32BE(options.baseSequence ?? -1, 53);
  out.writeInt32BE(records.length, 57);
  payload.copy(out, BATCH_HEADER_SIZE);
  out.writeUInt32BE(crc32c(out.subarray(CRC_START)), 17);
  return out;
}
