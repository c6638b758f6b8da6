import { createRequire } from "node:module";
import { crc32c } from "@node-rs/crc32";
import { describe, expect, it } from "vitest";
import {
  Compression,
  decodeRecordBatch,
  encodeRecordBatch,
  InvalidBatchError,
  parseBatchHeader,
  splitBatches,
} from "../../../tools/local/kafka/protocol/records.ts";

// kafkajs's own record batch codec, an implementation we did not write, as a cross-check
const require = createRequire(import.meta.url);
type KafkajsBatch = (o: Record<string, unknown>) => Promise<{ buffer: Buffer }>;
type KafkajsRecord = (o: Record<string, unknown>) => unknown;
const { RecordBatch } = require("kafkajs/src/protocol/recordBatch/v0/index.js") as {
  RecordBatch: KafkajsBatch;
};
const Record = require("kafkajs/src/protocol/recordBatch/record/v0/index.js") as KafkajsRecord;
const Decoder = require("kafkajs/src/protocol/decoder.js") as new (b: Buffer) => unknown;
const decodeKafkajs = require("kafkajs/src/protocol/recordBatch/v0/decoder.js") as (d: unknown) => Promise<{
  firstOffset: string;
  records: { key: Buffer | null; value: Buffer; offset: string; headers: Record<string, Buffer> }[];
}>;

describe("record batch v2", () => {
  it("uses CRC32C (Castagnoli): check value of '123456789'", () => {
    expect(crc32c(Buffer.from("123456789"))).toBe(0xe3069283);
  });

  it("round-trips keys, values, null keys, headers and timestamps", () => {
    const batch = encodeRecordBatch(
      [
        { key: "k1", value: "v1", headers: { a: "1", b: "2" }, timestamp: 1_000 },
        { key: null, value: Buffer.from([0, 1, 2]), timestamp: 1_005 },
        { key: "k3", value: null, timestamp: 1_002 },
      ],
      { baseOffset: 40 },
    );
    const { header, records } = decodeRecordBatch(batch);
    expect(header).toMatchObject({
      baseOffset: 40,
      recordCount: 3,
      lastOffsetDelta: 2,
      firstTimestamp: 1_000,
    });
    expect(header.maxTimestamp).toBe(1_005);
    expect(records.map((r) => r.offset)).toEqual([40, 41, 42]);
    expect(records.map((r) => r.timestamp)).toEqual([1_000, 1_005, 1_002]);
    expect(records[0]?.key?.toString()).toBe("k1");
    expect(records[0]?.headers.map((h) => [h.key, h.value?.toString()])).toEqual([
      ["a", "1"],
      ["b", "2"],
    ]);
    expect(records[1]?.key).toBeNull();
    expect([...(records[1]?.value ?? [])]).toEqual([0, 1, 2]);
    expect(records[2]?.value).toBeNull();
  });

  it("round-trips gzip batches", () => {
    const values = Array.from({ length: 50 }, (_, i) => `value-${i}-${"x".repeat(100)}`);
    const batch = encodeRecordBatch(
      values.map((value) => ({ value })),
      { compression: Compression.gzip },
    );
    const header = parseBatchHeader(batch);
    expect(header.compression).toBe(Compression.gzip);
    expect(batch.length).toBeLessThan(values.join("").length / 2);
    expect(decodeRecordBatch(batch).records.map((r) => r.value?.toString())).toEqual(values);
  });

  it("decodes batches encoded by kafkajs, compressed or not", async () => {
    for (const compression of [Compression.none, Compression.gzip]) {
      const records = [
        Record({
          offsetDelta: 0,
          key: Buffer.from("a"),
          value: Buffer.from("1"),
          headers: { h: Buffer.from("x") },
        }),
        Record({ offsetDelta: 1, key: Buffer.from("b"), value: Buffer.from("2") }),
      ];
      const encoded = await RecordBatch({ compression, records, lastOffsetDelta: 1, firstOffset: undefined });
      const { header, records: decoded } = decodeRecordBatch(encoded.buffer);
      expect(header.compression).toBe(compression);
      expect(decoded.map((r) => [r.key?.toString(), r.value?.toString(), r.offset])).toEqual([
        ["a", "1", 0],
        ["b", "2", 1],
      ]);
      expect(decoded[0]?.headers[0]).toMatchObject({ key: "h" });
    }
  });

  it("produces batches kafkajs decodes", async () => {
    const ours = encodeRecordBatch([{ key: "k", value: "v", headers: { h: "x" } }, { value: "w" }], {
      baseOffset: 7,
      compression: Compression.gzip,
    });
    const decoded = await decodeKafkajs(new Decoder(ours));
    expect(decoded.firstOffset).toBe("7");
    expect(decoded.records.map((r) => [r.key?.toString() ?? null, r.value.toString(), r.offset])).toEqual([
      ["k", "v", "7"],
      [null, "w", "8"],
    ]);
    expect(decoded.records[0]?.headers.h?.toString()).toBe("x");
  });

  it("rejects a corrupted batch (CRC mismatch) with CORRUPT_MESSAGE", () => {
    const batch = encodeRecordBatch([{ value: "payload" }]);
    const at = batch.length - 2;
    batch.writeUInt8(batch.readUInt8(at) ^ 0xff, at);
    expect(() => parseBatchHeader(batch)).toThrow(InvalidBatchError);
    expect(() => parseBatchHeader(batch)).toThrow(expect.objectContaining({ code: 2 }));
  });

  it("rejects old message formats (magic 0/1) with UNSUPPORTED_FOR_MESSAGE_FORMAT", () => {
    const batch = encodeRecordBatch([{ value: "payload" }]);
    batch.writeInt8(1, 16);
    expect(() => parseBatchHeader(batch)).toThrow(expect.objectContaining({ code: 43 }));
  });

  it("splits concatenated batches and refuses a length that overruns", () => {
    const a = encodeRecordBatch([{ value: "a" }]);
    const b = encodeRecordBatch([{ value: "b" }, { value: "c" }]);
    const parts = splitBatches(Buffer.concat([a, b]));
    expect(parts.map((p) => parseBatchHeader(p).recordCount)).toEqual([1, 2]);
    expect(() => splitBatches(Buffer.concat([a, b.subarray(0, 30)]))).toThrow(InvalidBatchError);
  });
});
