import { DynamoDBClient, GetItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { GetBootstrapBrokersCommand, KafkaClient } from "@aws-sdk/client-kafka";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MskLambdaStreamOutputs as O } from "../../../stacks/msk-lambda-stream-outputs.ts";
import { type LocalCloud, startLocal } from "../../../tools/local/index.ts";
import { MskService } from "../../../tools/local/services/msk.ts";
import { waitFor } from "../../helpers/wait.ts";

/**
 * MskLambdaStreamStack as synthesized, on the embedded cloud with the MSK service: the bundled
 * producer (GetBootstrapBrokers, IAM token, idempotent produce) → the broker → the Kafka event
 * source → the bundled consumer → DynamoDB, plus a poison record produced by another client.
 */
const EVENTS = 100;
const KEYS = 5;
let cloud: LocalCloud;
let ddb: DynamoDBClient;
let kafka: Kafka;
let ids: string[] = [];
/** The last offsets seen, for a failure message. */
let last = "";

/** Every partition's committed offset is its high watermark (an empty partition has nothing to commit). */
function lagZero(
  ends: { partition: number; high: string }[],
  committed: { partition: number; offset: string }[],
): boolean {
  return ends.every(
    (e) => e.high === "0" || committed.find((p) => p.partition === e.partition)?.offset === e.high,
  );
}

async function appliedTotal(): Promise<number> {
  const { Items = [] } = await ddb.send(new ScanCommand({ TableName: cloud.outputs[O.EffectsTableName] }));
  return Items.filter((i) => i.pk?.S?.startsWith("entity#")).reduce(
    (n, i) => n + Number(i.applied?.N ?? 0),
    0,
  );
}

beforeAll(async () => {
  cloud = await startLocal({ stack: "MskLambdaStreamStack", services: [new MskService()] });
  ddb = new DynamoDBClient({
    endpoint: cloud.endpoints.dynamodb,
    region: cloud.region,
    credentials: cloud.credentials,
  });
  const control = new KafkaClient({
    endpoint: cloud.endpoints.kafka,
    region: cloud.region,
    credentials: cloud.credentials,
  });
  const { BootstrapBrokerStringSaslIam } = await control.send(
    new GetBootstrapBrokersCommand({ ClusterArn: cloud.outputs[O.ClusterArn] }),
  );
  control.destroy();
  kafka = new Kafka({
    brokers: String(BootstrapBrokerStringSaslIam).split(","),
    logLevel: logLevel.NOTHING,
    sasl: { mechanism: "oauthbearer", oauthBearerProvider: async () => ({ value: "test" }) },
  });
  const events = Array.from({ length: EVENTS }, (_, i) => ({
    entityId: `order-${i % KEYS}`,
    sequence: Math.floor(i / KEYS) + 1,
    type: "order.updated",
  }));
  const result = (await cloud.invoke("StreamProducer", { events })) as { published: number; ids: string[] };
  ids = result.ids;
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: cloud.outputs[O.TopicName] as string,
    messages: [{ key: "order-0", value: "{not json" }],
  });
  await producer.disconnect();
  await waitFor(async () => (await appliedTotal()) >= EVENTS, {
    timeoutMs: 60_000,
    description: `${EVENTS} effects`,
  });
});
afterAll(async () => {
  ddb?.destroy();
  await cloud?.stop();
});

describe("MskLambdaStreamStack on the embedded cloud", () => {
  it("applies every event once, in order per entity (no order violations)", async () => {
    for (let k = 0; k < KEYS; k++) {
      const { Item } = await ddb.send(
        new GetItemCommand({
          TableName: cloud.outputs[O.EffectsTableName],
          Key: { pk: { S: `entity#order-${k}` } },
        }),
      );
      expect(Item?.applied?.N).toBe(String(EVENTS / KEYS));
      expect(Item?.lastSequence?.N).toBe(String(EVENTS / KEYS));
      expect(Item?.orderViolations).toBeUndefined();
    }
  });

  it("records the poison record with its offset and moves the partition on", async () => {
    const poison = await waitFor(async () => {
      const { Items = [] } = await ddb.send(
        new ScanCommand({ TableName: cloud.outputs[O.EffectsTableName] }),
      );
      return Items.find((i) => i.pk?.S?.startsWith("poison#"));
    });
    expect(poison.errorType?.S).toBe("MalformedJson");
    expect(poison.pk?.S).toMatch(new RegExp(`^poison#${cloud.outputs[O.TopicName]}-\\d+-\\d+$`));
  });

  it("commits every offset (lag 0) and leaves the failure queue empty", async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topic = cloud.outputs[O.TopicName] as string;
      await waitFor(
        async () => {
          const ends = await admin.fetchTopicOffsets(topic);
          const [group] = await admin.fetchOffsets({
            groupId: cloud.outputs[O.ConsumerGroupId] as string,
            topics: [topic],
          });
          last = JSON.stringify({ ends, committed: group?.partitions });
          return lagZero(ends, group?.partitions ?? []);
        },
        { timeoutMs: 20_000, description: "committed offsets at the end of every partition" },
      ).catch((error: Error) => {
        throw new Error(`${error.message}: ${last}`);
      });
    } finally {
      await admin.disconnect();
    }
    const sqs = new SQSClient({
      endpoint: cloud.endpoints.sqs,
      region: cloud.region,
      credentials: cloud.credentials,
    });
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: cloud.outputs[O.FailureQueueUrl],
        AttributeNames: ["ApproximateNumberOfMessages"],
      }),
    );
    sqs.destroy();
    expect(Attributes?.ApproximateNumberOfMessages).toBe("0");
  });

  it("applies a republished event (same CloudEvent id) no second time", async () => {
    await cloud.invoke("StreamProducer", {
      events: [{ entityId: "order-0", sequence: 1, type: "order.updated", id: ids[0] }],
    });
    const admin = kafka.admin();
    await admin.connect();
    const topic = cloud.outputs[O.TopicName] as string;
    try {
      await waitFor(
        async () => {
          const ends = await admin.fetchTopicOffsets(topic);
          const [group] = await admin.fetchOffsets({
            groupId: cloud.outputs[O.ConsumerGroupId] as string,
            topics: [topic],
          });
          last = JSON.stringify({ ends, committed: group?.partitions });
          return lagZero(ends, group?.partitions ?? []);
        },
        { timeoutMs: 20_000, description: "the republished event consumed" },
      );
    } finally {
      await admin.disconnect();
    }
    expect(await appliedTotal()).toBe(EVENTS);
  });
});
