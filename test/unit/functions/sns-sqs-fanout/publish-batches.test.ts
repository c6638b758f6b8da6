import type { PublishBatchRequestEntry } from "@aws-sdk/client-sns";
import { describe, expect, it } from "vitest";
import {
  chunkEntries,
  entrySizeBytes,
  MAX_BATCH_BYTES,
  takeFifoCall,
} from "../../../../functions/sns-sqs-fanout/publish-batches.js";

const entry = (id: string, bytes: number): PublishBatchRequestEntry => ({
  Id: id,
  Message: "m".repeat(bytes),
  MessageAttributes: { type: { DataType: "String", StringValue: "t" } },
});

describe("entrySizeBytes", () => {
  it("counts body and attribute name, type and value in UTF-8 bytes", () => {
    expect(entrySizeBytes(entry("a", 100))).toBe(100 + "type".length + "String".length + 1);
    expect(entrySizeBytes({ Id: "b", Message: "é" })).toBe(2);
  });
});

describe("chunkEntries", () => {
  it("puts at most 10 entries in a call, in order", () => {
    const entries = Array.from({ length: 23 }, (_, i) => entry(`e${i}`, 10));
    const chunks = chunkEntries(entries);
    expect(chunks.map((c) => c.length)).toEqual([10, 10, 3]);
    expect(chunks.flat()).toEqual(entries);
  });

  it("keeps the aggregate of a call within 256 KiB", () => {
    const entries = Array.from({ length: 7 }, (_, i) => entry(`e${i}`, 100 * 1024));
    const chunks = chunkEntries(entries);
    expect(chunks.map((c) => c.length)).toEqual([2, 2, 2, 1]);
    for (const chunk of chunks) {
      expect(chunk.reduce((sum, e) => sum + entrySizeBytes(e), 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    }
  });

  it("accepts an entry of exactly the limit alone and refuses a larger one", () => {
    const exact = entry("x", MAX_BATCH_BYTES - entrySizeBytes(entry("x", 0)));
    expect(chunkEntries([entry("a", 1), exact, entry("b", 1)]).map((c) => c.map((e) => e.Id))).toEqual([
      ["a"],
      ["x"],
      ["b"],
    ]);
    expect(() => chunkEntries([entry("y", MAX_BATCH_BYTES)])).toThrow(RangeError);
  });
});

describe("takeFifoCall", () => {
  const fifo = (id: string, group: string, bytes = 10): PublishBatchRequestEntry => ({
    ...entry(id, bytes),
    MessageGroupId: group,
  });

  it("takes each group's earliest pending entry only, at most 10 per call", () => {
    const pending = [fifo("a0", "A"), fifo("a1", "A"), fifo("b0", "B"), fifo("a2", "A"), fifo("c0", "C")];
    expect(takeFifoCall(pending).map((e) => e.Id)).toEqual(["a0", "b0", "c0"]);
    expect(pending.map((e) => e.Id)).toEqual(["a1", "a2"]);
    expect(takeFifoCall(pending).map((e) => e.Id)).toEqual(["a1"]);
    const many = Array.from({ length: 12 }, (_, i) => fifo(`g${i}`, `G${i}`));
    expect(takeFifoCall(many)).toHaveLength(10);
    expect(many.map((e) => e.Id)).toEqual(["g10", "g11"]);
  });

  it("keeps a call within 256 KiB; an entry that does not fit waits, and so does the rest of its group", () => {
    const pending = [
      fifo("a0", "A", 200 * 1024),
      fifo("b0", "B", 100 * 1024),
      fifo("b1", "B", 1),
      fifo("c0", "C"),
    ];
    expect(takeFifoCall(pending).map((e) => e.Id)).toEqual(["a0", "c0"]);
    expect(takeFifoCall(pending).map((e) => e.Id)).toEqual(["b0"]);
    expect(takeFifoCall(pending).map((e) => e.Id)).toEqual(["b1"]);
    expect(pending).toEqual([]);
  });
});
