/**
 * Writes the Kafka protocol's primitive types. Output is kept as a list of chunks so that large
 * payloads (stored record batches served by Fetch) go to the socket without being copied.
 */
const CHUNK = 16 * 1024;
/** Payloads at least this large are referenced, not copied. */
const ZERO_COPY_MIN = 512;

export class Writer {
  private readonly parts: Buffer[] = [];
  private current: Buffer;
  private pos = 0;
  private flushedBytes = 0;

  constructor(initialSize = 256) {
    this.current = Buffer.allocUnsafe(initialSize);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.flushedBytes + this.pos;
  }

  private ensure(n: number): void {
    if (this.current.length - this.pos >= n) return;
    this.flush();
    this.current = Buffer.allocUnsafe(Math.max(n, CHUNK));
  }

  private flush(): void {
    if (this.pos > 0) {
      this.parts.push(this.current.subarray(0, this.pos));
      this.flushedBytes += this.pos;
      this.current = this.current.subarray(this.pos);
      this.pos = 0;
    }
  }

  int8(v: number): this {
    this.ensure(1);
    this.current.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.ensure(2);
    this.current.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.current.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.current.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: number | bigint): this {
    this.ensure(8);
    this.current.writeBigInt64BE(BigInt(v), this.pos);
    this.pos += 8;
    return this;
  }

  uvarint(v: number): this {
    this.ensure(10);
    let value = v;
    while (value >= 0x80) {
      this.current[this.pos++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    this.current[this.pos++] = value;
    return this;
  }

  /** Zig-zag signed varint/varlong. */
  varint(v: number): this {
    return this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  raw(buf: Uint8Array): this {
    if (buf.length >= ZERO_COPY_MIN) {
      this.flush();
      const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.length);
      this.parts.push(b);
      this.flushedBytes += b.length;
      return this;
    }
    this.ensure(buf.length);
    this.current.set(buf, this.pos);
    this.pos += buf.length;
    return this;
  }

  string(s: string): this {
    const b = Buffer.from(s, "utf8");
    return this.int16(b.length).raw(b);
  }

  nullableString(s: string | null | undefined): this {
    return s === null || s === undefined ? this.int16(-1) : this.string(s);
  }

  compactString(s: string): this {
    const b = Buffer.from(s, "utf8");
    return this.uvarint(b.length + 1).raw(b);
  }

  bytes(b: Uint8Array): this {
    return this.int32(b.length).raw(b);
  }

  nullableBytes(b: Uint8Array | null | undefined): this {
    return b === null || b === undefined ? this.int32(-1) : this.bytes(b);
  }

  array<T>(items: readonly T[], item: (w: Writer, v: T) => void): this {
    this.int32(items.length);
    for (const v of items) item(this, v);
    return this;
  }

  nullableArray<T>(items: readonly T[] | null, item: (w: Writer, v: T) => void): this {
    return items === null ? this.int32(-1) : this.array(items, item);
  }

  compactArray<T>(items: readonly T[], item: (w: Writer, v: T) => void): this {
    this.uvarint(items.length + 1);
    for (const v of items) item(this, v);
    return this;
  }

  /** An empty tagged-field section. */
  emptyTaggedFields(): this {
    return this.uvarint(0);
  }

  /** The chunks written, in order (no copy). */
  toChunks(): Buffer[] {
    this.flush();
    return this.parts;
  }

  /** One contiguous buffer (copies). */
  toBuffer(): Buffer {
    const chunks = this.toChunks();
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  }
}
