/**
 * Reads the Kafka protocol's primitive types from a request frame (big-endian integers, zig-zag
 * varints, length-prefixed strings and bytes, arrays, and the compact forms used by flexible
 * versions). Every read is bounds-checked: a truncated or lying frame throws
 * {@link MalformedFrameError}, which the connection turns into closing only that connection.
 */
export class MalformedFrameError extends Error {
  override readonly name = "MalformedFrameError";
}

export class Reader {
  offset: number;

  constructor(
    readonly buffer: Buffer,
    offset = 0,
    readonly end = buffer.length,
  ) {
    this.offset = offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private take(n: number): number {
    if (n < 0 || this.offset + n > this.end) {
      throw new MalformedFrameError(
        `frame truncated: need ${n} bytes at ${this.offset}, have ${this.remaining}`,
      );
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  int8(): number {
    return this.buffer.readInt8(this.take(1));
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    return this.buffer.readInt16BE(this.take(2));
  }

  int32(): number {
    return this.buffer.readInt32BE(this.take(4));
  }

  uint32(): number {
    return this.buffer.readUInt32BE(this.take(4));
  }

  /** int64 as a JavaScript number: offsets and timestamps stay far below 2^53. */
  int64(): number {
    return Number(this.buffer.readBigInt64BE(this.take(8)));
  }

  /** Unsigned LEB128 varint (used by compact lengths and tagged fields). */
  uvarint(): number {
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 10; i++) {
      const byte = this.buffer[this.take(1)] as number;
      result += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) return result;
      multiplier *= 128;
    }
    throw new MalformedFrameError("varint longer than 10 bytes");
  }

  /** Zig-zag signed varint/varlong (record fields); exact up to 2^53. */
  varint(): number {
    const raw = this.uvarint();
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  bytesRaw(n: number): Buffer {
    const at = this.take(n);
    return this.buffer.subarray(at, at + n);
  }

  string(): string {
    const s = this.nullableString();
    if (s === null) throw new MalformedFrameError("null where a string is required");
    return s;
  }

  nullableString(): string | null {
    const n = this.int16();
    if (n < 0) return null;
    return this.bytesRaw(n).toString("utf8");
  }

  compactNullableString(): string | null {
    const n = this.uvarint() - 1;
    if (n < 0) return null;
    return this.bytesRaw(n).toString("utf8");
  }

  bytes(): Buffer {
    return this.nullableBytes() ?? Buffer.alloc(0);
  }

  nullableBytes(): Buffer | null {
    const n = this.int32();
    if (n < 0) return null;
    return this.bytesRaw(n);
  }

  /** int32-counted array; `null` for a count of -1. */
  nullableArray<T>(item: (r: Reader) => T): T[] | null {
    const n = this.int32();
    if (n < 0) return null;
    if (n > this.remaining) throw new MalformedFrameError(`array count ${n} exceeds the frame`);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this));
    return out;
  }

  array<T>(item: (r: Reader) => T): T[] {
    return this.nullableArray(item) ?? [];
  }

  /** Skips a flexible version's tagged-field section (no tags are understood here). */
  taggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.take(this.uvarint());
    }
  }
}
