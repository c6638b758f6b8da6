import type { PublishBatchRequestEntry } from "@aws-sdk/client-sns";
import { describe, expect, it } from "vitest";
import {
  chunkEntries,
  entrySizeBytes,
  MAX_BATCH_BYTES,
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
