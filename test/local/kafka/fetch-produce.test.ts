import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KafkaBroker, startKafka } from "../../../tools/local/kafka/index.ts";
import { Reader } from "../../../tools/local/kafka/protocol/reader.ts";
import {
  decodeRecordBatch,
  encodeRecordBatch,
  splitBatches,
} from "../../../tools/local/kafka/protocol/records.ts";
import type { Writer } from "../../../tools/local/kafka/protocol/writer.ts";
import { waitFor } from "../../helpers/wait.ts";
import { kafkajs, RawClient } from "./clients.ts";

/** A Fetch v11 request body for one partition. */
const fetchBody =
  (topic: string, offset: number, { maxWaitMs = 0, minBytes = 1, partitionMaxBytes = 1 << 20 } = {}) =>
  (w: Writer) => {
    w.int32(-1)
      .int32(maxWaitMs)
      .int32(minBytes)
      .int32(50 << 20)
      .int8(0)
      .int32(0)
      .int32(-1);
    w.array([topic], (w, t) => {
      w.string(t).array([0], (w, p) => {
        w.int32(p).int32(-1).int64(offset).int64(-1).int32(partitionMaxBytes);
      });
    });
    w.int32(0).string("");
  };

/** Reads a Fetch v11 response for one partition: error code, high watermark and the records' values. */
function readFetch(frame: Buffer) {
  const r = new Reader(frame);
  r.int32(); // correlation id
  r.int32(); // throttle
  r.int16(); // error
  r.int32(); // session
  r.int32(); // topics
  r.string();
  r.int32(); // partitions
  r.int32(); // index
  const errorCode = r.int16();
  const highWatermark = r.int64();
  r.int64();
  r.int64();
  r.int32(); // aborted transactions (null)
  r.int32(); // preferred read replica
  const records = r.nullableBytes() ?? Buffer.alloc(0);
  const batches = splitBatches(records).map((b) => decodeRecordBatch(b).records);
  return { errorCode, highWatermark, batches: batches.map((rs) => rs.map((x) => x.value?.toString())) };
}

const produceBody = (topic: string, acks: number, values: string[]) => (w: Writer) => {
  w.nullableString(null).int16(acks).int32(1000);
  w.array([topic], (w, t) => {
    w.string(t).array([0], (w, p) => {
      w.int32(p).bytes(encodeRecordBatch(values.map((value) => ({ value }))));
    });
  });
};

describe("Produce acks and Fetch waiting rules", () => {
  let broker: KafkaBroker;
  const hw = (topic: string) => broker.topics().find((t) => t.name === topic)?.partitions[0]?.highWatermark;

  beforeAll(async () => {
    broker = await startKafka({ topics: ["acks", "poll", "sized"].map((name) => ({ name, partitions: 1 })) });
  });
  afterAll(async () => {
    await broker.stop();
  });

  it("sends no response for acks=0 and answers acks=1 and acks=all", async () => {
    const raw = await RawClient.connect(broker.brokers[0] as string);
    raw.send(0, 7, 1, produceBody("acks", 0, ["fire-and-forget"]));
    // responses keep request order: had acks=0 been answered, that answer would come first
    const next = new Reader(await raw.request(18, 2, 2));
    expect(next.int32()).toBe(2);
    expect(raw.unmatched).toEqual([]);
    expect(hw("acks")).toBe(1);
    raw.close();

    const producer = kafkajs(broker.brokers).producer();
    await producer.connect();
    const [one] = await producer.send({ topic: "acks", acks: 1, messages: [{ value: "one" }] });
    const [all] = await producer.send({ topic: "acks", acks: -1, messages: [{ value: "all" }] });
    await producer.send({ topic: "acks", acks: 0, messages: [{ value: "zero" }] });
    await producer.disconnect();
    expect([one?.baseOffset, all?.baseOffset]).toEqual(["1", "2"]);
    await waitFor(() => hw("acks") === 4, { description: "acks=0 record appended" });
  });

  it("refuses acks values other than 0, 1 and -1", async () => {
    const raw = await RawClient.connect(broker.brokers[0] as string);
    const r = new Reader(await raw.request(0, 7, 1, produceBody("acks", 2, ["x"])));
    r.int32();
    r.int32();
    r.string();
    r.int32();
    r.int32();
    expect(r.int16()).toBe(21); // INVALID_REQUIRED_ACKS
    raw.close();
  });

  it("parks a Fetch with no data until a record arrives (long poll), and answers at once when data is there", async () => {
    const raw = await RawClient.connect(broker.brokers[0] as string);
    const parked = raw.request(1, 11, 1, fetchBody("poll", 0, { maxWaitMs: 60_000 }));
    let answered = false;
    void parked.then(() => {
      answered = true;
    });
    const producer = await RawClient.connect(broker.brokers[0] as string);
    await producer.request(18, 2, 1); // a round trip on another connection while the fetch waits
    expect(answered).toBe(false);
    await producer.request(0, 7, 2, produceBody("poll", 1, ["wake-up"]));
    expect(readFetch(await parked)).toEqual({ errorCode: 0, highWatermark: 1, batches: [["wake-up"]] });

    const immediate = readFetch(await raw.request(1, 11, 2, fetchBody("poll", 0, { maxWaitMs: 60_000 })));
    expect(immediate.batches).toEqual([["wake-up"]]);
    producer.close();
    raw.close();
  });

  it("honours partition max bytes in whole batches, never returning less than one batch", async () => {
    const raw = await RawClient.connect(broker.brokers[0] as string);
    for (const [i, values] of [["a", "b"], ["c"], ["d"]].entries()) {
      await raw.request(0, 7, i + 1, produceBody("sized", 1, values));
    }
    const tiny = readFetch(await raw.request(1, 11, 10, fetchBody("sized", 1, { partitionMaxBytes: 10 })));
    expect(tiny.batches).toEqual([["a", "b"]]); // the batch holding offset 1, whole
    const all = readFetch(await raw.request(1, 11, 11, fetchBody("sized", 0)));
    expect(all.batches).toEqual([["a", "b"], ["c"], ["d"]]);
    const outOfRange = readFetch(await raw.request(1, 11, 12, fetchBody("sized", 99)));
    expect(outOfRange.errorCode).toBe(1); // OFFSET_OUT_OF_RANGE
    raw.close();
  });
});
