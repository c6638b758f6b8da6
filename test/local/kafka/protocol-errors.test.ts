import { gzipSync, zstdCompressSync } from "node:zlib";
import { crc32c } from "@node-rs/crc32";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KafkaBroker, startKafka } from "../../../tools/local/kafka/index.ts";
import { ApiKey, SUPPORTED_VERSIONS } from "../../../tools/local/kafka/protocol/api-keys.ts";
import { Reader } from "../../../tools/local/kafka/protocol/reader.ts";
import { BATCH_HEADER_SIZE, encodeRecordBatch } from "../../../tools/local/kafka/protocol/records.ts";
import { Writer } from "../../../tools/local/kafka/protocol/writer.ts";
import { waitFor } from "../../helpers/wait.ts";
import { kafkajs, RawClient } from "./clients.ts";

const UNSUPPORTED_VERSION = 35;

describe("requests no well-behaved client sends", () => {
  let broker: KafkaBroker;
  const address = () => broker.brokers[0] as string;

  beforeAll(async () => {
    broker = await startKafka({ topics: [{ name: "raw", partitions: 1 }] });
  });
  afterAll(async () => {
    await broker.stop();
  });

  it("answers ApiVersions v3 (flexible) with the version table, and v9 with UNSUPPORTED_VERSION in v0 form", async () => {
    const raw = await RawClient.connect(address());
    const v3 = new Reader(
      await raw.request(18, 3, 1, (w) =>
        w.emptyTaggedFields().compactString("raw").compactString("1.0").emptyTaggedFields(),
      ),
    );
    expect(v3.int32()).toBe(1); // correlation id
    expect(v3.int16()).toBe(0);
    const count = v3.uvarint() - 1;
    const keys = Array.from({ length: count }, () => {
      const entry = { key: v3.int16(), min: v3.int16(), max: v3.int16() };
      v3.taggedFields();
      return entry;
    });
    expect(keys).toContainEqual({ key: 18, min: 0, max: 3 });
    expect(keys).toContainEqual({ key: 0, min: 0, max: 7 }); // Produce from v0, as Kafka 4 advertises it

    const v9 = new Reader(await raw.request(18, 9, 2));
    expect(v9.int32()).toBe(2);
    expect(v9.int16()).toBe(UNSUPPORTED_VERSION);
    expect(v9.array((r) => ({ key: r.int16(), min: r.int16(), max: r.int16() }))).toContainEqual({
      key: 18,
      min: 0,
      max: 3,
    });
    raw.close();
  });

  it("answers an unknown API key and an unsupported version with UNSUPPORTED_VERSION and keeps the connection", async () => {
    const raw = await RawClient.connect(address());
    const unknown = new Reader(await raw.request(999, 0, 7));
    expect([unknown.int32(), unknown.int16()]).toEqual([7, UNSUPPORTED_VERSION]);
    const tooNew = new Reader(await raw.request(3, 12, 8)); // Metadata v12
    expect([tooNew.int32(), tooNew.int16()]).toEqual([8, UNSUPPORTED_VERSION]);
    const tooOld = new Reader(await raw.request(0, 2, 9)); // Produce v2 (message format v1)
    expect([tooOld.int32(), tooOld.int16()]).toEqual([9, UNSUPPORTED_VERSION]);
    const ok = new Reader(await raw.request(18, 0, 10));
    expect([ok.int32(), ok.int16()]).toEqual([10, 0]);
    expect(raw.closed).toBe(false);
    raw.close();
  });

  it("closes only the connection that sent a malformed frame", async () => {
    const bystander = await RawClient.connect(address());
    const truncated = await RawClient.connect(address());
    // a Metadata v1 request whose topic array claims 1000 entries that are not there
    const body = new Writer().int16(3).int16(1).int32(1).nullableString("bad").int32(1000).toBuffer();
    truncated.writeRaw(Buffer.concat([new Writer().int32(body.length).toBuffer(), body]));
    const hugeFrame = await RawClient.connect(address());
    hugeFrame.writeRaw(new Writer().int32(0x7fffffff).toBuffer());
    const tiny = await RawClient.connect(address());
    tiny.writeRaw(new Writer().int32(2).int16(0).toBuffer());
    await waitFor(() => truncated.closed && hugeFrame.closed && tiny.closed, {
      description: "bad connections closed",
    });

    expect(bystander.closed).toBe(false);
    const answer = new Reader(await bystander.request(18, 2, 5));
    expect([answer.int32(), answer.int16()]).toEqual([5, 0]);
    bystander.close();
    // and real clients still work
    const admin = kafkajs(broker.brokers).admin();
    await admin.connect();
    expect(await admin.listTopics()).toContain("raw");
    await admin.disconnect();
  });

  it("survives random request bodies for every API and version it advertises", async () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const fuzzed: RawClient[] = [];
    for (const [name, [min, max]] of Object.entries(SUPPORTED_VERSIONS)) {
      for (let version = min; version <= max; version++) {
        for (let round = 0; round < 3; round++) {
          const raw = await RawClient.connect(address());
          const body = Buffer.from(
            Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256)),
          );
          raw.send(ApiKey[name as keyof typeof ApiKey], version, round, (w) => w.raw(body));
          fuzzed.push(raw);
        }
      }
    }
    const bystander = await RawClient.connect(address());
    const answer = new Reader(await bystander.request(18, 2, 1));
    expect([answer.int32(), answer.int16()]).toEqual([1, 0]);
    for (const raw of fuzzed) raw.close();
    bystander.close();
    const admin = kafkajs(broker.brokers).admin();
    await admin.connect();
    expect(await admin.listTopics()).toContain("raw");
    await admin.createTopics({ topics: [{ topic: "after-fuzz", numPartitions: 2 }] });
    // a partition count no broker should allocate is refused, not attempted
    await expect(
      admin.createTopics({ topics: [{ topic: "huge", numPartitions: 2_000_000_000 }] }),
    ).rejects.toMatchObject({
      errors: [expect.objectContaining({ topic: "huge", type: "INVALID_PARTITIONS" })],
    });
    await admin.disconnect();
  });

  it("refuses a corrupted batch with CORRUPT_MESSAGE and appends nothing", async () => {
    const raw = await RawClient.connect(address());
    const batch = encodeRecordBatch([{ value: "hello" }]);
    batch.writeUInt8(batch.readUInt8(batch.length - 1) ^ 0xff, batch.length - 1);
    const response = new Reader(
      await raw.request(0, 7, 3, (w) =>
        w
          .nullableString(null)
          .int16(1)
          .int32(1000)
          .array(["raw"], (w, topic) => {
            w.string(topic).array([0], (w, p) => {
              w.int32(p).bytes(batch);
            });
          }),
      ),
    );
    expect(response.int32()).toBe(3);
    const [topic] = response.array((r) => ({
      name: r.string(),
      partitions: r.array((r) => ({ index: r.int32(), errorCode: r.int16(), baseOffset: r.int64() })),
    }));
    expect(topic?.partitions).toEqual([{ index: 0, errorCode: 2, baseOffset: -1 }]);
    expect(broker.topics().find((t) => t.name === "raw")?.partitions[0]?.highWatermark).toBe(0);
    raw.close();
  });

  /** Sends one batch to partition 0 of "raw" with Produce `version`; returns the partition's error code. */
  const produceRaw = async (batch: Buffer, version = 7): Promise<number> => {
    const raw = await RawClient.connect(address());
    const response = new Reader(
      await raw.request(0, version, 4, (w) =>
        w
          .nullableString(null)
          .int16(1)
          .int32(1000)
          .array(["raw"], (w, topic) => {
            w.string(topic).array([0], (w, p) => {
              w.int32(p).bytes(batch);
            });
          }),
      ),
    );
    raw.close();
    response.int32();
    const [topic] = response.array((r) => ({
      name: r.string(),
      partitions: r.array((r) => ({ index: r.int32(), errorCode: r.int16(), baseOffset: r.int64() })),
    }));
    return topic?.partitions[0]?.errorCode ?? -1;
  };

  /** Sets a batch's codec bits (and the payload, if given) and recomputes its CRC, so only the codec is wrong. */
  const withCodec = (batch: Buffer, codec: number, payload?: Buffer): Buffer => {
    const out = payload ? Buffer.concat([batch.subarray(0, BATCH_HEADER_SIZE), payload]) : Buffer.from(batch);
    out.writeInt32BE(out.length - 12, 8);
    out.writeInt16BE((out.readInt16BE(21) & ~0x07) | codec, 21);
    out.writeUInt32BE(crc32c(out.subarray(21)), 17);
    return out;
  };

  const highWatermark = () => broker.topics().find((t) => t.name === "raw")?.partitions[0]?.highWatermark;

  it("refuses a batch with an unassigned codec id with UNSUPPORTED_COMPRESSION_TYPE and stores nothing", async () => {
    const before = highWatermark();
    for (const codec of [5, 6, 7]) {
      expect(await produceRaw(withCodec(encodeRecordBatch([{ value: "x" }]), codec))).toBe(76);
    }
    expect(highWatermark()).toBe(before);
  });

  it("refuses zstd on Produce below v7 with UNSUPPORTED_COMPRESSION_TYPE, as Kafka does", async () => {
    const before = highWatermark();
    const plain = encodeRecordBatch([{ value: "zstd" }]);
    const zstd = withCodec(plain, 4, zstdCompressSync(plain.subarray(BATCH_HEADER_SIZE)));
    expect(await produceRaw(zstd, 6)).toBe(76);
    expect(highWatermark()).toBe(before);
    expect(await produceRaw(zstd, 7)).toBe(0);
    expect(highWatermark()).toBe((before ?? 0) + 1);
  });

  it.each([
    ["gzip", 1],
    ["snappy", 2],
    ["lz4", 3],
    ["zstd", 4],
  ])("refuses a %s batch whose payload does not decompress with CORRUPT_MESSAGE", async (_name, codec) => {
    const before = highWatermark();
    const garbage = Buffer.from("this is not a compressed record payload at all, only bytes");
    expect(await produceRaw(withCodec(encodeRecordBatch([{ value: "x" }]), codec, garbage))).toBe(2);
    expect(highWatermark()).toBe(before);
  });

  it("refuses a batch whose records do not match its record count with CORRUPT_MESSAGE", async () => {
    const before = highWatermark();
    const plain = encodeRecordBatch([{ value: "one" }, { value: "two" }]);
    // gzip only the first record's bytes: the header still claims two records
    const firstRecordLength = plain.subarray(BATCH_HEADER_SIZE).indexOf(Buffer.from("two")) - 8;
    const truncated = withCodec(
      plain,
      1,
      gzipSync(plain.subarray(BATCH_HEADER_SIZE, BATCH_HEADER_SIZE + Math.max(1, firstRecordLength))),
    );
    expect(await produceRaw(truncated)).toBe(2);
    expect(highWatermark()).toBe(before);
  });

  it("deduplicates a retried idempotent batch and rejects a sequence gap", async () => {
    const raw = await RawClient.connect(address());
    const init = new Reader(await raw.request(22, 1, 1, (w) => w.nullableString(null).int32(60_000)));
    init.int32();
    init.int32(); // throttle
    expect(init.int16()).toBe(0);
    const producerId = init.int64();
    const produce = async (correlationId: number, baseSequence: number) => {
      const batch = encodeRecordBatch([{ value: `seq-${baseSequence}` }], {
        producerId,
        producerEpoch: 0,
        baseSequence,
      });
      const r = new Reader(
        await raw.request(0, 7, correlationId, (w) =>
          w
            .nullableString(null)
            .int16(-1)
            .int32(1000)
            .array(["dedupe"], (w, topic) => {
              w.string(topic).array([0], (w, p) => {
                w.int32(p).bytes(batch);
              });
            }),
        ),
      );
      r.int32();
      r.int32(); // topic count
      r.string();
      r.int32(); // partition count
      r.int32(); // index
      return { errorCode: r.int16(), baseOffset: r.int64() };
    };
    // auto-create the topic through Metadata first
    await raw.request(3, 4, 2, (w) => w.array(["dedupe"], (w, t) => w.string(t)).bool(true));
    expect(await produce(3, 0)).toEqual({ errorCode: 0, baseOffset: 0 });
    expect(await produce(4, 1)).toEqual({ errorCode: 0, baseOffset: 1 });
    expect(await produce(5, 1)).toEqual({ errorCode: 0, baseOffset: 1 }); // the retry is acknowledged, not appended
    expect(await produce(6, 5)).toEqual({ errorCode: 45, baseOffset: -1 }); // OUT_OF_ORDER_SEQUENCE_NUMBER
    expect(broker.topics().find((t) => t.name === "dedupe")?.partitions[0]?.highWatermark).toBe(2);
    raw.close();
  });
});
