import { describe, expect, it } from "vitest";
import { MalformedFrameError, Reader } from "../../../tools/local/kafka/protocol/reader.ts";
import { Writer } from "../../../tools/local/kafka/protocol/writer.ts";

describe("Kafka primitive codec", () => {
  it("round-trips fixed-width integers, strings, bytes and arrays", () => {
    const w = new Writer(4); // tiny initial buffer forces growth
    w.int8(-3)
      .int16(-300)
      .int32(-70000)
      .int64(2 ** 40 + 7)
      .bool(true);
    w.string("héllo").nullableString(null).bytes(Buffer.from("raw")).nullableBytes(null);
    w.array([1, 2, 3], (w, v) => w.int32(v)).nullableArray(null, (w, v: number) => w.int32(v));
    const r = new Reader(w.toBuffer());
    expect([r.int8(), r.int16(), r.int32(), r.int64(), r.bool()]).toEqual([
      -3,
      -300,
      -70000,
      2 ** 40 + 7,
      true,
    ]);
    expect([r.string(), r.nullableString()]).toEqual(["héllo", null]);
    expect(r.bytes().toString()).toBe("raw");
    expect(r.nullableBytes()).toBeNull();
    expect(r.array((r) => r.int32())).toEqual([1, 2, 3]);
    expect(r.nullableArray((r) => r.int32())).toBeNull();
    expect(r.remaining).toBe(0);
  });

  it("encodes zig-zag varints as the Kafka protocol guide specifies", () => {
    // examples from the protocol guide / protobuf zig-zag table
    const cases: [number, number[]][] = [
      [0, [0x00]],
      [-1, [0x01]],
      [1, [0x02]],
      [-64, [0x7f]],
      [64, [0x80, 0x01]],
      [300, [0xd8, 0x04]],
    ];
    for (const [value, bytes] of cases) {
      expect([...new Writer().varint(value).toBuffer()]).toEqual(bytes);
      expect(new Reader(Buffer.from(bytes)).varint()).toBe(value);
    }
  });

  it("round-trips varlongs beyond 32 bits (timestamps)", () => {
    for (const v of [2 ** 31, -(2 ** 31) - 1, 1_795_000_000_000, -1_795_000_000_000, 2 ** 52]) {
      expect(new Reader(new Writer().varint(v).toBuffer()).varint()).toBe(v);
    }
  });

  it("writes compact (flexible-version) arrays and strings with length + 1", () => {
    const buf = new Writer()
      .compactString("ab")
      .compactArray([7], (w, v) => w.int8(v))
      .emptyTaggedFields()
      .toBuffer();
    expect([...buf]).toEqual([3, 0x61, 0x62, 2, 7, 0]);
    const r = new Reader(buf);
    expect(r.compactNullableString()).toBe("ab");
  });

  it("references large payloads instead of copying them", () => {
    const big = Buffer.alloc(4096, 1);
    const chunks = new Writer().int32(big.length).raw(big).toChunks();
    expect(chunks).toContain(big);
  });

  it("throws MalformedFrameError on truncated input and lying counts", () => {
    expect(() => new Reader(Buffer.from([0, 5, 0x61])).string()).toThrow(MalformedFrameError);
    expect(() => new Reader(Buffer.from([0, 0, 0])).int32()).toThrow(MalformedFrameError);
    expect(() => new Reader(Buffer.from([0x7f, 0xff, 0xff, 0xff])).array((r) => r.int8())).toThrow(
      MalformedFrameError,
    );
    expect(() => new Reader(Buffer.alloc(11, 0xff)).uvarint()).toThrow(MalformedFrameError);
  });
});
