import { describe, expect, it } from "vitest";
import {
  decodeRecordBatch,
  encodeRecordBatch,
  parseBatchHeader,
} from "../../../tools/local/kafka/protocol/records.ts";
import { PartitionLog } from "../../../tools/local/kafka/state/partition-log.ts";

const append = (log: PartitionLog, values: string[], timestamp = Date.now()) => {
  const batch = encodeRecordBatch(values.map((value, i) => ({ value, timestamp: timestamp + i })));
  const h = parseBatchHeader(batch);
  return log.append(batch, h.recordCount, h.maxTimestamp);
};

describe("PartitionLog", () => {
  it("assigns consecutive offsets and serves reads from inside a batch", () => {
    const log = new PartitionLog("t", 0);
    expect(append(log, ["a", "b", "c"])).toBe(0);
    expect(append(log, ["d", "e"])).toBe(3);
    expect(log.highWatermark).toBe(5);
    const [batch] = log.read(4, 1_000_000);
    expect(decodeRecordBatch(batch as Buffer).records.map((r) => [r.offset, r.value?.toString()])).toEqual([
      [3, "d"],
      [4, "e"],
    ]);
    expect(log.read(5, 1_000_000)).toEqual([]);
  });

  it("returns at least one whole batch even when it exceeds maxBytes", () => {
    const log = new PartitionLog("t", 0);
    append(log, ["x".repeat(1000)]);
    append(log, ["y"]);
    expect(log.read(0, 10)).toHaveLength(1);
  });

  it("retains by record count and by bytes, dropping whole batches from the head", () => {
    const byCount = new PartitionLog("t", 0, { retentionMessages: 4 });
    for (let i = 0; i < 5; i++) append(byCount, ["1", "2"]);
    expect([byCount.logStartOffset, byCount.highWatermark]).toEqual([6, 10]);
    expect(byCount.read(0, 1000)).toEqual([]);

    const byBytes = new PartitionLog("t", 0, { retentionBytes: 1 });
    append(byBytes, ["a"]);
    append(byBytes, ["b"]);
    expect(byBytes.logStartOffset).toBe(1); // the newest batch always stays
  });

  it("finds the first offset at or after a timestamp", () => {
    const log = new PartitionLog("t", 0);
    append(log, ["a", "b"], 1_000);
    append(log, ["c", "d"], 2_000);
    expect(log.offsetForTimestamp(1_001)).toEqual({ offset: 1, timestamp: 1_001 });
    expect(log.offsetForTimestamp(1_500)).toEqual({ offset: 2, timestamp: 2_000 });
    expect(log.offsetForTimestamp(9_999)).toBeUndefined();
  });
});
