import { createHash } from "node:crypto";
import { DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";
import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCloud, startLocal } from "../../../tools/local/index.ts";
import { fixtureCloudAssembly } from "../../fixtures/local/synth-once.ts";
import { waitFor } from "../../helpers/wait.ts";

let cloud: LocalCloud;
let sqs: SQSClient;
let dynamodb: DynamoDBClient;
beforeAll(async () => {
  cloud = await startLocal(fixtureCloudAssembly());
  const config = { region: cloud.region, credentials: cloud.credentials };
  sqs = new SQSClient({ ...config, endpoint: cloud.endpoints.sqs });
  dynamodb = new DynamoDBClient({ ...config, endpoint: cloud.endpoints.dynamodb });
});
afterAll(async () => {
  sqs?.destroy();
  dynamodb?.destroy();
  await cloud?.stop();
});

type Action = "ok" | "fail" | "throw" | "bogus-id" | "malformed" | "failOnce" | "slow";
let unique = 0;

/** Sends messages to a queue in one SendMessageBatch; returns their message IDs by our ID. */
async function send(
  queue: string,
  messages: Array<{ id: string; action: Action; group?: string }>,
): Promise<Map<string, string>> {
  const result = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: cloud.outputs[queue],
      Entries: messages.map((m, i) => ({
        Id: String(i),
        MessageBody: JSON.stringify({ id: m.id, action: m.action, n: unique++ }),
        MessageAttributes: { color: { DataType: "String", StringValue: "blue" } },
        ...(m.group ? { MessageGroupId: m.group } : {}),
      })),
    }),
  );
  expect(result.Failed ?? []).toEqual([]);
  return new Map(
    messages.map((m, i) => [m.id, result.Successful?.find((s) => s.Id === String(i))?.MessageId ?? ""]),
  );
}

/** Items the worker wrote for `id` (one per successful processing, `sk` = id#receiveCount). */
async function items(role: string, id: string) {
  const result = await dynamodb.send(
    new QueryCommand({
      TableName: cloud.outputs.TableName,
      KeyConditionExpression: "pk = :pk and begins_with(sk, :id)",
      ExpressionAttributeValues: { ":pk": { S: role }, ":id": { S: `${id}#` } },
    }),
  );
  return (result.Items ?? []).map((item) => ({
    sk: item.sk?.S ?? "",
    at: Number(item.at?.N),
    record: JSON.parse(item.record?.S ?? "{}") as SQSRecord,
  }));
}

const batchesWith = (messageId: string) =>
  cloud.spy.filter(
    "esm.batch",
    (b) => b.failedMessageIds.includes(messageId) || b.deletedMessageIds.includes(messageId),
  );

describe("SQS event source mapping", () => {
  it("invokes with records shaped like Lambda's SQS events and deletes on success", async () => {
    const ids = await send("WorkQueueUrl", [{ id: "shape", action: "ok" }]);
    const [item] = await waitFor(async () => {
      const found = await items("worker", "shape");
      return found.length > 0 && found;
    });
    const record = item?.record as SQSRecord;
    const body = record.body;
    expect(record.messageId).toBe(ids.get("shape"));
    expect(record.eventSource).toBe("aws:sqs");
    expect(record.eventSourceARN).toBe(
      `arn:aws:sqs:us-east-1:000000000000:${cloud.outputs.WorkQueueUrl?.split("/").pop()}`,
    );
    expect(record.awsRegion).toBe("us-east-1");
    expect(record.md5OfBody).toBe(createHash("md5").update(body).digest("hex"));
    expect(record.attributes.ApproximateReceiveCount).toBe("1");
    expect(Number(record.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(record.messageAttributes.color).toEqual({
      stringValue: "blue",
      stringListValues: [],
      binaryListValues: [],
      dataType: "String",
    });
    expect(record.receiptHandle).not.toBe("");
    await waitFor(() => batchesWith(ids.get("shape") ?? "").find((b) => b.outcome === "success"));
    expect(cloud.spy.find("sqs.delete", (d) => d.messageId === ids.get("shape"))).toBeDefined();
  });

  it("gathers batches of at most BatchSize (5) records within the batching window", async () => {
    const messages = Array.from({ length: 10 }, (_, i) => ({ id: `bulk-${i}`, action: "ok" as const }));
    const ids = await send("WorkQueueUrl", messages);
    const mine = new Set(ids.values());
    await waitFor(() => [...mine].every((id) => cloud.spy.find("sqs.delete", (d) => d.messageId === id)), {
      timeoutMs: 20_000,
    });
    const batches = cloud.spy.filter("esm.batch", (b) => b.deletedMessageIds.some((id) => mine.has(id)));
    expect(batches.every((b) => b.size <= 5)).toBe(true);
    expect(batches.some((b) => b.size > 1)).toBe(true);
  });

  it("deletes the successes of a partial batch response and retries the reported failure until its DLQ (SQS-03)", async () => {
    const ids = await send("WorkQueueUrl", [
      { id: "partial-ok", action: "ok" },
      { id: "partial-fail", action: "fail" },
    ]);
    const failing = ids.get("partial-fail") ?? "";
    const dead = await waitFor(
      async () => {
        const response = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: cloud.outputs.WorkDlqUrl, MaxNumberOfMessages: 10 }),
        );
        return response.Messages?.find((m) => m.Body?.includes("partial-fail"));
      },
      { timeoutMs: 30_000, description: "the failing message in the DLQ" },
    );
    expect(dead.MessageId).toBe(failing);
    // maxReceiveCount is 3: three receives, each reported as failed, then the DLQ.
    expect(cloud.spy.filter("sqs.receive", (r) => r.messageIds.includes(failing))).toHaveLength(3);
    expect(
      batchesWith(failing).some((b) => b.outcome === "partial" && b.failedMessageIds.includes(failing)),
    ).toBe(true);
    expect(cloud.spy.find("sqs.dlq", (d) => d.messageId === failing)).toBeDefined();
    expect((await items("worker", "partial-ok")).map((i) => i.sk)).toEqual(["partial-ok#1"]);
    expect(await items("worker", "partial-fail")).toEqual([]);
  });

  it("fails the whole batch when the function throws: nothing is deleted and the message comes back", async () => {
    const ids = await send("WorkQueueUrl", [{ id: "thrower", action: "throw" }]);
    const id = ids.get("thrower") ?? "";
    const failure = await waitFor(() => batchesWith(id).find((b) => b.outcome === "failure"));
    expect(failure.reason).toMatch(/Error: boom thrower/);
    expect(failure.deletedMessageIds).toEqual([]);
    await waitFor(() => cloud.spy.filter("sqs.receive", (r) => r.messageIds.includes(id)).length >= 2, {
      timeoutMs: 15_000,
    });
  });

  it("fails the whole batch for an identifier not in the batch and for a malformed response", async () => {
    // Another test's failing message may share a batch: look for the failure each response causes.
    const bogus = (await send("WorkQueueUrl", [{ id: "bogus", action: "bogus-id" }])).get("bogus") ?? "";
    await waitFor(() =>
      batchesWith(bogus).find(
        (b) =>
          b.outcome === "failure" &&
          /itemIdentifier not-in-this-batch is not in the batch/.test(b.reason ?? ""),
      ),
    );
    const garbled =
      (await send("WorkQueueUrl", [{ id: "garbled", action: "malformed" }])).get("garbled") ?? "";
    await waitFor(() =>
      batchesWith(garbled).find(
        (b) => b.outcome === "failure" && /is not a partial batch response/.test(b.reason ?? ""),
      ),
    );
    const ids = new Map([["bogus", bogus]]);
    expect(cloud.spy.find("sqs.delete", (d) => d.messageId === ids.get("bogus"))).toBeUndefined();
  });
});

describe("event filtering (FilterCriteria)", () => {
  it("invokes only with matching records and deletes the others without an invocation (SQS-09)", async () => {
    const result = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: cloud.outputs.FilteredQueueUrl,
        Entries: [
          { Id: "keep", MessageBody: JSON.stringify({ kind: "keep", n: 1 }) },
          { Id: "drop", MessageBody: JSON.stringify({ kind: "drop", n: 2 }) },
          { Id: "text", MessageBody: "not json" },
        ],
      }),
    );
    const id = (entry: string) => result.Successful?.find((s) => s.Id === entry)?.MessageId ?? "";
    const filtered = await waitFor(() => {
      const ids = cloud.spy.filter("esm.filtered").flatMap((f) => f.messageIds);
      return ids.includes(id("drop")) && ids.includes(id("text")) && ids;
    });
    expect(filtered).not.toContain(id("keep"));
    const invoked = await waitFor(() =>
      cloud.spy.find(
        "lambda.invoke",
        (e) => e.functionLogicalId.startsWith("EchoTwo") && e.payload.includes(id("keep")),
      ),
    );
    expect(invoked.payload).not.toContain(id("drop"));
    expect(invoked.payload).not.toContain(id("text"));
    await waitFor(() =>
      ["keep", "drop", "text"].every((e) => cloud.spy.find("sqs.delete", (d) => d.messageId === id(e))),
    );
  });
});

describe("FIFO event source", () => {
  it("keeps order per message group: a failed message blocks its group until it succeeds", async () => {
    await send("OrderedQueueUrl", [
      { id: "a1", action: "ok", group: "A" },
      { id: "a2", action: "failOnce", group: "A" },
      { id: "a3", action: "ok", group: "A" },
      { id: "b1", action: "ok", group: "B" },
      { id: "b2", action: "ok", group: "B" },
    ]);
    const done = await waitFor(
      async () => {
        const all = await Promise.all(["a1", "a2", "a3", "b1", "b2"].map((id) => items("ordered", id)));
        return all.every((list) => list.length > 0) && all.flat();
      },
      { timeoutMs: 30_000, description: "every FIFO message processed" },
    );
    const at = (sk: string) => done.find((i) => i.sk === sk)?.at ?? Number.NaN;
    expect(done.map((i) => i.sk).sort()).toEqual(["a1#1", "a2#2", "a3#1", "b1#1", "b2#1"]);
    expect(at("a1#1")).toBeLessThan(at("a2#2"));
    expect(at("a2#2")).toBeLessThanOrEqual(at("a3#1"));
    expect(at("b1#1")).toBeLessThanOrEqual(at("b2#1"));
    // Group B was not held up by group A's failure.
    expect(at("b2#1")).toBeLessThan(at("a2#2"));
  });
});

describe("maximum concurrency", () => {
  it("never runs more concurrent batches than ScalingConfig.MaximumConcurrency (2), even with more environments", async () => {
    const wide = await startLocal({ ...fixtureCloudAssembly(), concurrency: 4 });
    const client = new SQSClient({
      region: wide.region,
      endpoint: wide.endpoints.sqs,
      credentials: wide.credentials,
    });
    try {
      for (let round = 0; round < 3; round++) {
        await client.send(
          new SendMessageBatchCommand({
            QueueUrl: wide.outputs.WorkQueueUrl,
            Entries: Array.from({ length: 10 }, (_, i) => ({
              Id: String(i),
              MessageBody: JSON.stringify({ id: `c${round}-${i}`, action: "slow" }),
            })),
          }),
        );
      }
      await waitFor(() => wide.spy.filter("sqs.delete").length >= 30, { timeoutMs: 30_000 });
      let inFlight = 0;
      let peak = 0;
      for (const event of wide.spy.events()) {
        if (event.kind === "lambda.invoke" && event.functionLogicalId.startsWith("Worker"))
          peak = Math.max(peak, ++inFlight);
        if (event.kind === "lambda.result" && event.functionLogicalId.startsWith("Worker")) inFlight--;
      }
      expect(peak).toBeGreaterThanOrEqual(1);
      expect(peak).toBeLessThanOrEqual(2);
    } finally {
      client.destroy();
      await wide.stop();
    }
  });
});
