import { randomUUID } from "node:crypto";
import { DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";
import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCloud, startLocal } from "../../tools/local/index.ts";
import { fixtureCloudAssembly } from "../fixtures/local/synth-once.ts";
import { waitFor } from "../helpers/wait.ts";

/**
 * SQS-07 (../shared/FAULTS.md) end to end on the embedded cloud: a FIFO queue (`Ordered`, maxReceiveCount
 * 5, visibility 2 s) whose FIFO-aware worker fails a record and the rest of its group. The unit side
 * (the shared consumer's `skipGroupOnError`) is in test/unit/functions/faults-sqs.test.ts.
 */
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

/** When the ordered worker processed `id` (`sk` = id#receiveCount), or undefined. */
async function processedAt(id: string): Promise<{ sk: string; at: number } | undefined> {
  const { Items = [] } = await dynamodb.send(
    new QueryCommand({
      TableName: cloud.outputs.TableName,
      KeyConditionExpression: "pk = :pk and begins_with(sk, :id)",
      ExpressionAttributeValues: { ":pk": { S: "ordered" }, ":id": { S: `${id}#` } },
    }),
  );
  const [item] = Items;
  return item ? { sk: item.sk?.S ?? "", at: Number(item.at?.N) } : undefined;
}

describe("FIFO: a message that always fails", () => {
  it("SQS-07: blocks only its group; after maxReceiveCount (5) it is in the FIFO DLQ and the group goes on in order", async () => {
    const run = randomUUID().slice(0, 8);
    const id = (name: string) => `${run}-${name}`;
    const messages = [
      { name: "g1", action: "ok", group: "G" },
      { name: "g2", action: "fail", group: "G" },
      { name: "g3", action: "ok", group: "G" },
      { name: "h1", action: "ok", group: "H" },
      { name: "h2", action: "ok", group: "H" },
    ];
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: cloud.outputs.OrderedQueueUrl,
        Entries: messages.map((m, i) => ({
          Id: String(i),
          MessageBody: JSON.stringify({ id: id(m.name), action: m.action }),
          MessageGroupId: `${run}-${m.group}`,
        })),
      }),
    );
    expect(sent.Failed ?? []).toEqual([]);
    const g2MessageId = sent.Successful?.find((s) => s.Id === "1")?.MessageId ?? "";

    const h2 = await waitFor(() => processedAt(id("h2")), {
      timeoutMs: 30_000,
      description: "group H processed",
    });
    const g3 = await waitFor(() => processedAt(id("g3")), {
      timeoutMs: 90_000,
      description: "g3 processed once g2 is dead-lettered",
    });
    const g1 = await processedAt(id("g1"));

    // g2 was received exactly maxReceiveCount times, then moved to the FIFO DLQ, never processed.
    expect(cloud.spy.filter("sqs.receive", (r) => r.messageIds.includes(g2MessageId))).toHaveLength(5);
    const moved = cloud.spy.find("sqs.dlq", (d) => d.messageId === g2MessageId);
    expect(moved).toBeDefined();
    expect(await processedAt(id("g2"))).toBeUndefined();
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: cloud.outputs.OrderedDlqUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ["MessageGroupId"],
      }),
    );
    const dead = Messages.find((m) => m.Body?.includes(id("g2")));
    expect(dead?.Attributes?.MessageGroupId).toBe(`${run}-G`);

    // Order: g1 before g2's DLQ move, g3 only after it; group H never waited for G.
    expect(g1?.sk).toBe(`${id("g1")}#1`);
    expect(g1?.at ?? Number.NaN).toBeLessThan(moved?.at ?? Number.NaN);
    expect(g3.at).toBeGreaterThanOrEqual(moved?.at ?? Number.NaN);
    expect(h2.at).toBeLessThan(moved?.at ?? Number.NaN);
  });
});
