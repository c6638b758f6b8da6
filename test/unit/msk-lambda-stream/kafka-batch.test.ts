import { describe, expect, it } from "vitest";
import { PermanentError, RetryableError } from "../../../functions/shared/errors.js";
import { kafkaItemIdentifier, processKafkaBatch } from "../../../functions/shared/kafka-batch.js";
import { decodeKafkaRecord } from "../../../functions/shared/kafka-event.js";
import { mskEvent, mskRecord } from "./msk-events.js";

const noPoison = { onPoison: async () => {} };

describe("decodeKafkaRecord", () => {
  it("decodes base64 key and value and byte-array headers", () => {
    const d = decodeKafkaRecord(
      mskRecord("orders", 2, 7, "héllo", { key: "order-1", headers: { "ce-type": "order.created" } }),
    );
    expect(d).toMatchObject({
      topic: "orders",
      partition: 2,
      offset: 7,
      key: "order-1",
      headers: { "ce-type": "order.created" },
    });
    expect(d.value?.toString("utf8")).toBe("héllo");
  });

  it("keeps a keyless record's key and a tombstone's value undefined", () => {
    const d = decodeKafkaRecord(mskRecord("orders", 0, 1, null, { key: null }));
    expect(d.key).toBeUndefined();
    expect(d.value).toBeUndefined();
  });
});

describe("processKafkaBatch", () => {
  it("returns an empty batchItemFailures when every record succeeds", async () => {
    const event = mskEvent([mskRecord("t", 0, 1, "a"), mskRecord("t", 1, 5, "b")]);
    const outcome = await processKafkaBatch(event, async () => {}, noPoison);
    expect(outcome.response).toEqual({ batchItemFailures: [] });
    expect(outcome.processed).toBe(2);
  });

  it("uses the AWS-documented identifier: topic-partition and offset", () => {
    expect(kafkaItemIdentifier({ topic: "orders-v2", partition: 3, offset: 42 })).toEqual({
      "topic-partition": "orders-v2-3",
      offset: 42,
    });
  });

  it("MSK-02: stops a partition at its first failure and reports it and every later record of that partition", async () => {
    const seen: string[] = [];
    const event = mskEvent([
      mskRecord("t", 0, 10, "ok"),
      mskRecord("t", 0, 11, "fail"),
      mskRecord("t", 0, 12, "ok"),
      mskRecord("t", 0, 13, "ok"),
      mskRecord("t", 1, 20, "ok"),
      mskRecord("t", 1, 21, "ok"),
    ]);
    const outcome = await processKafkaBatch(
      event,
      async (r) => {
        seen.push(`${r.partition}:${r.offset}`);
        if (r.value?.toString() === "fail") throw new RetryableError("dependency down");
      },
      noPoison,
    );
    expect(outcome.response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      { "topic-partition": "t-0", offset: 11 },
      { "topic-partition": "t-0", offset: 12 },
      { "topic-partition": "t-0", offset: 13 },
    ]);
    // Records after the failure were not attempted; the other partition went on.
    expect(seen).not.toContain("0:12");
    expect(seen).toEqual(expect.arrayContaining(["0:10", "0:11", "1:20", "1:21"]));
    expect(outcome).toMatchObject({ processed: 3, failed: 3, poison: 0 });
  });

  it("treats an unknown error as retryable (never skips a record it cannot classify)", async () => {
    const outcome = await processKafkaBatch(
      mskEvent([mskRecord("t", 0, 1, "x")]),
      async () => {
        throw new TypeError("bug");
      },
      noPoison,
    );
    expect(outcome.response.batchItemFailures).toEqual([
      { itemIdentifier: { "topic-partition": "t-0", offset: 1 } },
    ]);
  });

  it("MSK-03: processes each partition in offset order even when the event lists records out of order", async () => {
    const order: number[] = [];
    const records = [3, 1, 2, 0].map((o) => mskRecord("t", 0, o, "v"));
    await processKafkaBatch(mskEvent(records), async (r) => void order.push(r.offset), noPoison);
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it("MSK-01: records a poison record with topic, partition, offset and reason, and moves the partition on", async () => {
    const poisoned: string[] = [];
    const processed: number[] = [];
    const event = mskEvent([
      mskRecord("t", 0, 1, "ok"),
      mskRecord("t", 0, 2, "poison"),
      mskRecord("t", 0, 3, "ok"),
    ]);
    const outcome = await processKafkaBatch(
      event,
      async (r) => {
        if (r.value?.toString() === "poison") throw new PermanentError("MalformedJson", "not JSON");
        processed.push(r.offset);
      },
      {
        onPoison: async (r, e) =>
          void poisoned.push(`${r.topic}-${r.partition}@${r.offset}: ${e.type} ${e.reason}`),
      },
    );
    expect(outcome.response.batchItemFailures).toEqual([]);
    expect(poisoned).toEqual(["t-0@2: MalformedJson not JSON"]);
    expect(processed).toEqual([1, 3]);
    expect(outcome).toMatchObject({ processed: 2, poison: 1, failed: 0 });
  });

  it("fails the poison record and the rest of its partition when recording the poison fails", async () => {
    const event = mskEvent([mskRecord("t", 0, 1, "poison"), mskRecord("t", 0, 2, "ok")]);
    const outcome = await processKafkaBatch(
      event,
      async (r) => {
        if (r.value?.toString() === "poison") throw new PermanentError("SchemaViolation", "bad");
      },
      {
        onPoison: async () => {
          throw new Error("table down");
        },
      },
    );
    expect(outcome.response.batchItemFailures.map((f) => f.itemIdentifier.offset)).toEqual([1, 2]);
  });

  it("runs partitions concurrently: a slow partition does not hold another's records", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const done: string[] = [];
    const event = mskEvent([mskRecord("t", 0, 1, "slow"), mskRecord("t", 1, 1, "fast")]);
    const run = processKafkaBatch(
      event,
      async (r) => {
        if (r.value?.toString() === "slow") await gate;
        else {
          done.push("fast");
          release();
        }
      },
      noPoison,
    );
    await run;
    expect(done).toEqual(["fast"]);
  });
});
