import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import {
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCloud, startLocal, UnsupportedResourceError } from "../../../tools/local/index.ts";
import { fixtureCloudAssembly } from "../../fixtures/local/synth-once.ts";
import { waitFor } from "../../helpers/wait.ts";

let cloud: LocalCloud;
let sqs: SQSClient;
beforeAll(async () => {
  cloud = await startLocal(fixtureCloudAssembly());
  sqs = new SQSClient({
    region: cloud.region,
    endpoint: cloud.endpoints.sqs,
    credentials: cloud.credentials,
  });
});
afterAll(async () => {
  sqs?.destroy();
  await cloud?.stop();
});

const attributes = async (url: string) =>
  (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }))).Attributes ??
  {};

describe("startLocal on the fixture stack", () => {
  it("resolves the stack outputs: Ref, GetAtt, Join, Sub, Select/Split and If with a condition", () => {
    const { outputs } = cloud;
    expect(outputs.WorkQueueUrl).toMatch(
      /^http:\/\/sqs\.us-east-1\.localhost:\d+\/000000000000\/LocalFixtureStack-Work/,
    );
    expect(outputs.QueueNameFromArn).toBe(outputs.WorkQueueUrl?.split("/").pop());
    expect(outputs.Greeting).toBe(`hello us-east-1 ${outputs.WorkDlqUrl?.split("/").pop()}`);
    expect(outputs.Mode).toBe("dev");
    expect(outputs.Joined).toBe(
      `${outputs.TableName}/arn:aws:dynamodb:us-east-1:000000000000:table/${outputs.TableName}`,
    );
  });

  it("creates queues with their redrive policy, FIFO settings, visibility timeout and retention", async () => {
    const work = await attributes(cloud.outputs.WorkQueueUrl as string);
    expect(work.VisibilityTimeout).toBe("2");
    expect(work.MessageRetentionPeriod).toBe("345600");
    expect(JSON.parse(work.RedrivePolicy ?? "{}")).toEqual({
      deadLetterTargetArn: `arn:aws:sqs:us-east-1:000000000000:${cloud.outputs.WorkDlqUrl?.split("/").pop()}`,
      maxReceiveCount: 3,
    });
    const ordered = await attributes(cloud.outputs.OrderedQueueUrl as string);
    expect(ordered.FifoQueue).toBe("true");
    expect(ordered.ContentBasedDeduplication).toBe("true");
  });

  it("creates the table with its keys and global secondary index", async () => {
    const dynamodb = new DynamoDBClient({
      region: cloud.region,
      endpoint: cloud.endpoints.dynamodb,
      credentials: cloud.credentials,
    });
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: cloud.outputs.TableName }));
    dynamodb.destroy();
    expect(Table?.KeySchema).toEqual([
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    expect(Table?.GlobalSecondaryIndexes?.[0]?.IndexName).toBe("byKind");
  });

  it("reports the no-op resources of the parity table", () => {
    expect(cloud.notEmulated.get("AWS::IAM::Role")?.length).toBe(4);
    expect(cloud.notEmulated.has("AWS::KMS::Key")).toBe(true);
    expect(cloud.notEmulated.has("AWS::Logs::LogGroup")).toBe(true);
  });

  it("sends a raw delivery with more than 10 message attributes to the subscription DLQ, as SNS does (a client error)", async () => {
    const sns = new SNSClient({
      region: cloud.region,
      endpoint: cloud.endpoints.sns,
      credentials: cloud.credentials,
    });
    const attributes = Object.fromEntries([
      ["kind", { DataType: "String", StringValue: "wanted" }],
      ...Array.from({ length: 10 }, (_, i) => [`a${i}`, { DataType: "String", StringValue: String(i) }]),
    ]);
    await sns.send(
      new PublishCommand({
        TopicArn: cloud.outputs.TopicArn,
        Message: "eleven",
        MessageAttributes: attributes,
      }),
    );
    await sns.send(
      new PublishCommand({
        TopicArn: cloud.outputs.TopicArn,
        Message: "marker",
        MessageAttributes: { kind: { DataType: "String", StringValue: "wanted" } },
      }),
    );
    sns.destroy();
    const drain = async (url: string | undefined) => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      if (Messages.length > 0) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: url,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
      return Messages;
    };
    const delivered = await waitFor(async () => {
      const messages = await drain(cloud.outputs.PlainQueueUrl);
      return messages.length > 0 ? messages : undefined;
    });
    expect(delivered.map((m) => m.Body)).toEqual(["marker"]);
    const dead = await waitFor(async () => {
      const messages = await drain(cloud.outputs.PlainSubscriptionDlqUrl);
      return messages.length > 0 ? messages : undefined;
    });
    expect(dead).toHaveLength(1);
    const envelope = JSON.parse(dead[0]?.Body ?? "{}") as { Message: string; MessageAttributes: object };
    expect(envelope.Message).toBe("eleven");
    expect(Object.keys(envelope.MessageAttributes)).toHaveLength(11);
    expect(cloud.spy.filter("sns.subscription-dlq").map((e) => e.reason)).toEqual([
      expect.stringMatching(/more than 10 message attributes/),
    ]);
  });

  it("delivers through a filtered raw subscription, and dead-letters to the subscription DLQ once the queue is gone", async () => {
    const sns = new SNSClient({
      region: cloud.region,
      endpoint: cloud.endpoints.sns,
      credentials: cloud.credentials,
    });
    const publish = (kind: string, body: string) =>
      sns.send(
        new PublishCommand({
          TopicArn: cloud.outputs.TopicArn,
          Message: body,
          MessageAttributes: { kind: { DataType: "String", StringValue: kind } },
        }),
      );
    await publish("unwanted", "dropped by the filter");
    await publish("wanted", "raw body");
    const received = await waitFor(
      async () =>
        (
          await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: cloud.outputs.PlainQueueUrl,
              MaxNumberOfMessages: 10,
              MessageAttributeNames: ["All"],
            }),
          )
        ).Messages,
    );
    expect(received.map((m) => m.Body)).toEqual(["raw body"]);
    expect(received[0]?.MessageAttributes?.kind?.StringValue).toBe("wanted");

    await sqs.send(new DeleteQueueCommand({ QueueUrl: cloud.outputs.PlainQueueUrl }));
    await publish("unwanted", "still filtered");
    await publish("wanted", "undeliverable");
    const dead = await waitFor(
      async () =>
        (
          await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: cloud.outputs.PlainSubscriptionDlqUrl,
              MaxNumberOfMessages: 10,
            }),
          )
        ).Messages,
    );
    sns.destroy();
    expect(dead.map((m) => m.Body)).toEqual(["undeliverable"]);
    expect(cloud.spy.filter("sns.subscription-dlq", (e) => e.reason.includes("does not exist"))).toHaveLength(
      1,
    );
  });
});

describe("unsupported resources", () => {
  it("fail loudly with the logical ID and type, before starting anything", async () => {
    const cdkOut = mkdtempSync(join(tmpdir(), "local-unsupported-"));
    mkdirSync(cdkOut, { recursive: true });
    writeFileSync(
      join(cdkOut, "Bad.template.json"),
      JSON.stringify({
        Resources: { Queue: { Type: "AWS::SQS::Queue" }, Bucket83908E77: { Type: "AWS::S3::Bucket" } },
      }),
    );
    try {
      const attempt = startLocal({ stack: "Bad", cdkOut });
      await expect(attempt).rejects.toThrow(UnsupportedResourceError);
      await expect(attempt).rejects.toThrow("resource Bucket83908E77 (AWS::S3::Bucket) is not supported");
    } finally {
      rmSync(cdkOut, { recursive: true, force: true });
    }
  });
});

describe("stop", () => {
  it("closes every endpoint and can be called twice", async () => {
    const other = await startLocal(fixtureCloudAssembly());
    await other.invoke("Echo", {});
    await Promise.all([other.stop(), other.stop()]);
    for (const endpoint of Object.values(other.endpoints)) {
      await expect(fetch(endpoint, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
    }
  });
});
