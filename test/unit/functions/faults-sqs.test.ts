import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import type { CloudEvent } from "../../../functions/shared/cloudevents.js";
import type { DlqSender } from "../../../functions/shared/dlq-sender.js";
import { PermanentError, RetryableError } from "../../../functions/shared/errors.js";
import { createSqsConsumer, type SqsConsumerOptions } from "../../../functions/shared/sqs-consumer.js";
import { ORDER_EVENT_SCHEMAS, type OrderData } from "../../../functions/sns-sqs-fanout/order-events.js";
import {
  cloudEvent,
  lambdaContext,
  orderData,
  queueArn,
  rawCloudEventRecord,
  sqsEvent,
  sqsRecord,
} from "../../helpers/events.js";

/**
 * Fault catalogue cases (../shared/FAULTS.md) for any SQS → Lambda consumer, on the shared SQS
 * consumer every handler of both shipped patterns is built on. The DLQ sender is a recording fake:
 * what reaches the DLQ is asserted here, and the real sender's wire behaviour in dlq-sender.test.ts.
 */

process.env.POWERTOOLS_METRICS_DISABLED = "true";

interface DeadLetter {
  readonly messageId: string;
  readonly type: string;
  readonly reason: string;
}

function consumer(overrides: Partial<SqsConsumerOptions<OrderData>> = {}) {
  const applied: string[] = [];
  const deadLetters: DeadLetter[] = [];
  const sendToDlq: DlqSender = async (record, error) => {
    deadLetters.push({ messageId: record.messageId, type: error.type, reason: error.reason });
  };
  const c = createSqsConsumer<OrderData>({
    name: "faults",
    envelope: "raw",
    schemas: ORDER_EVENT_SCHEMAS,
    handle: async (event: CloudEvent<OrderData>) => {
      applied.push(event.id);
    },
    sendToDlq,
    logger: new Logger({ logLevel: "SILENT" }),
    metrics: new Metrics({ namespace: "test", serviceName: "faults" }),
    ...overrides,
  });
  return { consumer: c, applied, deadLetters };
}

const failedIds = (response: SQSBatchResponse) => response.batchItemFailures.map((f) => f.itemIdentifier);

describe("SQS-01: a batch of 10 with one malformed-JSON record", () => {
  it("SQS-01: processes the 9 valid records, dead-letters the malformed one as MalformedJson, reports no failure and does not throw", async () => {
    const { consumer: c, applied, deadLetters } = consumer();
    const events = Array.from({ length: 9 }, (_, i) => cloudEvent({ id: `ok-${i}` }));
    const malformed = sqsRecord({ body: '{"specversion":"1.0","id":"broken"' });
    const records = [...events.slice(0, 4).map((e) => rawCloudEventRecord(e)), malformed];
    records.push(...events.slice(4).map((e) => rawCloudEventRecord(e)));
    expect(records).toHaveLength(10);

    const response = await c.handleBatch(sqsEvent(...records), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(applied.sort()).toEqual(events.map((e) => e.id as string).sort());
    expect(deadLetters).toEqual([
      { messageId: malformed.messageId, type: "MalformedJson", reason: expect.stringMatching(/not JSON/) },
    ]);
  });
});

describe("SQS-02: valid JSON, schema-invalid", () => {
  it("SQS-02: dead-letters a record whose data breaks the schema as SchemaViolation naming the paths; the other records go on", async () => {
    const { consumer: c, applied, deadLetters } = consumer();
    const { customerId: _, ...data } = orderData({ amount: -5, currency: "euro" });
    const invalid = rawCloudEventRecord(cloudEvent({ id: "invalid", data }));
    const valid = rawCloudEventRecord(cloudEvent({ id: "valid" }));
    const noEnvelope = sqsRecord({ body: JSON.stringify({ hello: "world" }) });

    const response = await c.handleBatch(sqsEvent(valid, invalid, noEnvelope), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(applied).toEqual(["valid"]);
    const byId = Object.fromEntries(deadLetters.map((d) => [d.messageId, d]));
    expect(byId[invalid.messageId]?.type).toBe("SchemaViolation");
    for (const path of ["data.customerId", "data.amount", "data.currency"]) {
      expect(byId[invalid.messageId]?.reason).toContain(path);
    }
    expect(byId[noEnvelope.messageId]?.type).toBe("SchemaViolation");
    expect(byId[noEnvelope.messageId]?.reason).toMatch(/^not a CloudEvent: /);
  });
});

describe("SQS-03: a handler bug throws for every record", () => {
  it("SQS-03: every record is reported failed on each of the 5 receives (no effect, nothing dead-lettered by the handler), so the redrive policy moves them to the DLQ", async () => {
    const effects: string[] = [];
    const { consumer: c, deadLetters } = consumer({
      handle: async (event) => {
        const broken = undefined as unknown as { apply(id: string): void };
        broken.apply(event.id); // TypeError: a bug, neither Retryable nor Permanent
        effects.push(event.id);
      },
    });
    const records = Array.from({ length: 4 }, (_, i) => rawCloudEventRecord(cloudEvent({ id: `bug-${i}` })));
    for (let receive = 1; receive <= 5; receive++) {
      const batch = records.map((r) => ({
        ...r,
        attributes: { ...r.attributes, ApproximateReceiveCount: String(receive) },
      }));
      // Resolves (a thrown handler would fail the batch as a whole and hide which records failed).
      const response = await c.handleBatch(sqsEvent(...batch), lambdaContext());
      expect(failedIds(response)).toEqual(records.map((r) => r.messageId));
    }
    expect(effects).toEqual([]);
    expect(deadLetters).toEqual([]);
  });
});

/** A deterministic PRNG (mulberry32), so a failing case can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Behaviour =
  | "ok"
  | "retryable"
  | "bug"
  | "permanent"
  | "permanent-dlq-down"
  | "malformed"
  | "unknown-type";
const BEHAVIOURS: readonly Behaviour[] = [
  "ok",
  "retryable",
  "bug",
  "permanent",
  "permanent-dlq-down",
  "malformed",
  "unknown-type",
];

describe("SQS-04: the partial batch response never names an unknown or empty itemIdentifier", () => {
  it.each([
    ["standard", "worker-queue"],
    ["FIFO", "worker-queue.fifo"],
  ])(
    "SQS-04: over 200 random %s batches, every itemIdentifier is a non-empty messageId of the batch, named once",
    async (_kind, queueName) => {
      const arn = queueArn(queueName);
      const fifo = queueName.endsWith(".fifo");
      for (let seed = 1; seed <= 200; seed++) {
        const next = random(seed);
        const size = 1 + Math.floor(next() * 10);
        const behaviour = new Map<string, Behaviour>();
        const records: SQSRecord[] = [];
        for (let i = 0; i < size; i++) {
          const b = BEHAVIOURS[Math.floor(next() * BEHAVIOURS.length)] as Behaviour;
          const options = { eventSourceARN: arn, messageGroupId: `g${Math.floor(next() * 3)}` };
          const record =
            b === "malformed"
              ? sqsRecord({ ...options, body: "{" })
              : rawCloudEventRecord(
                  cloudEvent({
                    id: `${seed}-${i}-${b}`,
                    ...(b === "unknown-type" ? { type: "order.x" } : {}),
                  }),
                  options,
                );
          behaviour.set(record.messageId, b);
          records.push(record);
        }
        const { consumer: c } = consumer({
          handle: async (event) => {
            const b = event.id.split("-")[2];
            if (b === "retryable") throw new RetryableError("dependency down");
            if (b === "bug") throw new TypeError("bug");
            if (b === "permanent") throw new PermanentError("BusinessRule", "no");
          },
          sendToDlq: async (record) => {
            if (behaviour.get(record.messageId) === "permanent-dlq-down") throw new Error("DLQ unavailable");
          },
        });
        const ids = records.map((r) => r.messageId);
        const response = await c.handleBatch(sqsEvent(...records), lambdaContext());
        const failed = failedIds(response);
        for (const id of failed) {
          expect(id, `seed ${seed}`).not.toBe("");
          expect(ids, `seed ${seed}`).toContain(id);
        }
        expect(new Set(failed).size, `seed ${seed}`).toBe(failed.length);
        // Exactly the records that must come back (FIFO: also the rest of a failed record's group).
        const blocked = new Set<string>();
        const expected = records
          .filter((r) => {
            const b = behaviour.get(r.messageId);
            const fails = b === "retryable" || b === "bug" || b === "permanent-dlq-down";
            const group = r.attributes.MessageGroupId ?? "";
            if (fifo && blocked.has(group)) return true;
            if (fails && fifo) blocked.add(group);
            return fails;
          })
          .map((r) => r.messageId);
        // Standard batches run in parallel (any order); FIFO batches in order.
        if (fifo) expect(failed, `seed ${seed}`).toEqual(expected);
        else expect([...failed].sort(), `seed ${seed}`).toEqual([...expected].sort());
      }
    },
  );
});

describe("SQS-07: FIFO, record 3 of group G fails in a batch of 10", () => {
  const arn = queueArn("orders.fifo");
  it("SQS-07: reports records 3..n of G failed in order, processes the other groups, and G resumes in order on the retry", async () => {
    let failG3 = true;
    const { consumer: c, applied } = consumer({
      handle: async (event) => {
        if (event.id === "G-3" && failG3) throw new RetryableError("downstream not ready");
        applied.push(event.id);
      },
    });
    // Interleaved: G-1 H-1 G-2 H-2 G-3 H-3 G-4 K-1 G-5 K-2
    const order = ["G-1", "H-1", "G-2", "H-2", "G-3", "H-3", "G-4", "K-1", "G-5", "K-2"];
    const records = order.map((id) =>
      rawCloudEventRecord(cloudEvent({ id }), { eventSourceARN: arn, messageGroupId: id.split("-")[0] }),
    );
    const byId = new Map(order.map((id, i) => [id, records[i] as SQSRecord]));

    const first = await c.handleBatch(sqsEvent(...records), lambdaContext());

    expect(failedIds(first)).toEqual(["G-3", "G-4", "G-5"].map((id) => byId.get(id)?.messageId));
    expect(applied).toEqual(["G-1", "H-1", "G-2", "H-2", "H-3", "K-1", "K-2"]);

    // SQS redelivers G's rest in order; now the dependency is back.
    failG3 = false;
    const retry = ["G-3", "G-4", "G-5"].map((id) => {
      const r = byId.get(id) as SQSRecord;
      return { ...r, attributes: { ...r.attributes, ApproximateReceiveCount: "2" } };
    });
    const second = await c.handleBatch(sqsEvent(...retry), lambdaContext());
    expect(second.batchItemFailures).toEqual([]);
    expect(applied.filter((id) => id.startsWith("G-"))).toEqual(["G-1", "G-2", "G-3", "G-4", "G-5"]);
  });
});

describe("SQS-08: a full batch of maximum-size messages", () => {
  it("SQS-08: processes 10 records of exactly 262,144 bytes (the consumed queues' maximum) without classifying any as Oversize", async () => {
    const { consumer: c, applied, deadLetters } = consumer();
    const records = Array.from({ length: 10 }, (_, i) => {
      const event = cloudEvent({ id: `big-${i}`, data: orderData({ note: "" }) });
      const base = Buffer.byteLength(JSON.stringify(event));
      (event.data as Record<string, unknown>).note = "x".repeat(262_144 - base);
      const record = rawCloudEventRecord(event);
      expect(Buffer.byteLength(record.body)).toBe(262_144);
      return record;
    });
    const response = await c.handleBatch(sqsEvent(...records), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLetters).toEqual([]);
    expect(applied).toHaveLength(10);
    // One byte more is Oversize: dead-lettered with its reason, never retried.
    const over = records[0] as SQSRecord;
    const tooBig = { ...over, body: `${over.body} ` };
    await c.handleBatch(sqsEvent(tooBig), lambdaContext());
    expect(deadLetters).toEqual([
      { messageId: over.messageId, type: "Oversize", reason: expect.stringContaining("262145 bytes") },
    ]);
  });
});

describe("SQS-13: a producer timestamp 2 hours in the future", () => {
  it("SQS-13: is processed like any other event, and counted once as EventTimeAhead (clock skew), unlike a past one", async () => {
    const metrics = new Metrics({ namespace: "test", serviceName: "faults" });
    const addMetric = vi.spyOn(metrics, "addMetric");
    const { consumer: c, applied, deadLetters } = consumer({ metrics });
    const future = new Date(Date.now() + 2 * 3_600_000).toISOString();
    const past = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const records = [
      rawCloudEventRecord(cloudEvent({ id: "from-the-future", time: future })),
      rawCloudEventRecord(cloudEvent({ id: "from-the-past", time: past })),
      rawCloudEventRecord(cloudEvent({ id: "no-time", time: undefined })),
    ];
    const response = await c.handleBatch(sqsEvent(...records), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLetters).toEqual([]);
    expect(applied.sort()).toEqual(["from-the-future", "from-the-past", "no-time"]);
    expect(addMetric.mock.calls.filter(([name]) => name === "EventTimeAhead")).toEqual([
      ["EventTimeAhead", "Count", 1],
    ]);
  });
});
