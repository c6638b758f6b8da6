import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import {
  DeleteQueueCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEffect } from "../../functions/sns-sqs-fanout/effects.ts";
import type { PublishResult } from "../../functions/sns-sqs-fanout/publisher.ts";
import {
  type FanoutSubscriberName,
  SnsSqsFanoutOutputs as Outputs,
} from "../../stacks/sns-sqs-fanout-outputs.ts";
import { invokeJson } from "../../tools/local/scenarios/kit/invoke.ts";
import { localTarget } from "../../tools/local/targets/local.ts";
import { orderData } from "../helpers/events.ts";
import { waitFor } from "../helpers/wait.ts";

/**
 * Fault catalogue cases of the sns-sqs-fanout pattern (../shared/FAULTS.md) on the embedded cloud,
 * from the real synthesized SnsSqsFanoutStack and its bundled handlers: `billing` takes
 * `order.created` (attribute filter on `type`), `shipping` orders whose body has `data.status = paid`,
 * `audit` everything (SNS envelope). Events go in through the deployed publisher function.
 */
let target: Awaited<ReturnType<typeof localTarget>>;
let sqs: SQSClient;
let sns: SNSClient;
let dynamodb: DynamoDBClient;
let lambda: LambdaClient;
const out = (name: string): string => {
  const value = target.outputs[name];
  if (!value) throw new Error(`output ${name} missing`);
  return value;
};
const subscriberOutputs = (s: FanoutSubscriberName) => Outputs.subscribers[s];
const queueName = (url: string) => url.split("/").at(-1) ?? "";

beforeAll(async () => {
  target = await localTarget({ stack: "SnsSqsFanoutStack" });
  sqs = new SQSClient({ ...target.clientConfig("sqs"), useQueueUrlAsEndpoint: false });
  sns = new SNSClient(target.clientConfig("sns"));
  dynamodb = new DynamoDBClient(target.clientConfig("dynamodb"));
  lambda = new LambdaClient(target.clientConfig("lambda"));
});
afterAll(async () => {
  for (const client of [sqs, sns, dynamodb, lambda]) client?.destroy();
  await target?.stop();
});

const publish = (events: Array<Record<string, unknown>>) =>
  invokeJson<PublishResult>(lambda, out(Outputs.publisherFunctionName), { events });

const effect = (subscriber: FanoutSubscriberName, eventId: string) =>
  readEffect(dynamodb, out(Outputs.effectsTableName), { subscriber, eventId });

/** Waits until `subscriber` applied the effect of `eventId`, and returns it. */
const applied = (subscriber: FanoutSubscriberName, eventId: string) =>
  waitFor(() => effect(subscriber, eventId), {
    timeoutMs: 60_000,
    description: `${subscriber}'s effect of ${eventId}`,
  });

/** Messages SNS (or anyone) sent to `subscriber`'s queue whose body mentions `needle`. */
const deliveries = (subscriber: FanoutSubscriberName, needle: string) => {
  const name = queueName(out(subscriberOutputs(subscriber).queueUrl));
  return target.cloud.spy.filter("sqs.send", (e) => e.queueName === name && e.body.includes(needle));
};

/** Receives (and leaves in flight) the first message of `url` whose body mentions `needle`. */
const findIn = (url: string, needle: string) =>
  waitFor(
    async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ["All"],
          VisibilityTimeout: 1,
        }),
      );
      return Messages.find((m: Message) => m.Body?.includes(needle));
    },
    { timeoutMs: 60_000, description: `a message mentioning ${needle} in ${queueName(url)}` },
  );

describe("sns-sqs-fanout faults on the embedded cloud", () => {
  it("FAN-01: order.created reaches billing and audit only; a paid order reaches shipping and audit only", async () => {
    const created = `fan01-created-${randomUUID()}`;
    const paid = `fan01-paid-${randomUUID()}`;
    const result = await publish([
      { id: created, type: "order.created", data: orderData({ status: "created" }) },
      { id: paid, type: "order.paid", data: orderData({ status: "paid" }) },
    ]);
    expect(result.failed).toEqual([]);
    await Promise.all([
      applied("billing", created),
      applied("audit", created),
      applied("shipping", paid),
      applied("audit", paid),
    ]);
    // SNS delivers to every matching subscription within the Publish call: what is not there now never will be.
    expect(deliveries("billing", paid)).toEqual([]);
    expect(deliveries("shipping", created)).toEqual([]);
    expect(await effect("billing", paid)).toBeUndefined();
    expect(await effect("shipping", created)).toBeUndefined();
  });

  it("FAN-02: an unknown event type lands in audit only, which dead-letters it with its reason (never silently lost)", async () => {
    const unknown = `fan02-unknown-${randomUUID()}`;
    const result = await publish([
      { id: unknown, type: "order.refunded", data: orderData({ status: "created" }) },
    ]);
    expect(result.failed).toEqual([]);
    const dead = await findIn(out(subscriberOutputs("audit").dlqUrl), unknown);
    expect(dead.MessageAttributes?.["error.type"]?.StringValue).toBe("UnknownEventType");
    expect(dead.MessageAttributes?.["error.reason"]?.StringValue).toMatch(/order\.refunded/);
    expect(JSON.parse(JSON.parse(dead.Body ?? "{}").Message).id).toBe(unknown);
    expect(deliveries("billing", unknown)).toEqual([]);
    expect(deliveries("shipping", unknown)).toEqual([]);
  });

  it("FAN-02: an event published without the filter attribute `type` reaches audit only, which applies it", async () => {
    const id = `fan02-no-attribute-${randomUUID()}`;
    const event = {
      specversion: "1.0",
      id,
      source: "another-producer",
      type: "order.created",
      time: new Date().toISOString(),
      datacontenttype: "application/json",
      data: orderData({ status: "paid" }),
    };
    await sns.send(new PublishCommand({ TopicArn: out(Outputs.topicArn), Message: JSON.stringify(event) }));
    await applied("audit", id);
    expect(deliveries("billing", id)).toEqual([]); // the attribute filter needs `type`
    // The body filter (data.status = paid) does not need an attribute: shipping gets it too.
    await applied("shipping", id);
  });

  it("FAN-07: the publisher refuses an event of 256 KiB + 1 byte before sending; SNS refuses such a message too", async () => {
    const id = `fan07-${randomUUID()}`;
    const probe = { id, type: "order.created", data: orderData({ note: "" }) };
    const fits = await publish([probe]);
    expect(fits.failed).toEqual([]);
    // Size the note so that the message (CloudEvent body + attributes) is exactly one byte too large.
    const overhead = await waitFor(() => target.cloud.spy.find("sns.publish", (e) => e.body.includes(id)));
    const bytes = Buffer.byteLength(overhead.body) + "type".length + "String".length + "order.created".length;
    const big = `fan07-big-${randomUUID()}`;
    // The id appears twice in the CloudEvent: as `id` and as the default `correlationid`.
    const note = "x".repeat(262_144 + 1 - bytes - 2 * (big.length - id.length));
    const result = await publish([{ id: big, type: "order.created", data: orderData({ note }) }]);
    expect(result.published).toEqual([]);
    expect(result.failed).toEqual([
      expect.objectContaining({ id: big, senderFault: true, message: expect.stringMatching(/262145 bytes/) }),
    ]);
    expect(target.cloud.spy.filter("sns.publish", (e) => e.body.includes(big))).toEqual([]);
    await expect(
      sns.send(new PublishCommand({ TopicArn: out(Outputs.topicArn), Message: "y".repeat(262_145) })),
    ).rejects.toThrow();
  });

  it("FAN-08: the same event published twice and delivered once more by SQS has one effect per subscriber", async () => {
    const id = `fan08-${randomUUID()}`;
    const event = { id, type: "order.created", data: orderData({ status: "created" }) };
    expect((await publish([event])).failed).toEqual([]);
    expect((await publish([event])).failed).toEqual([]); // a retrying producer
    const [first] = deliveries("billing", id);
    if (!first) throw new Error("billing got nothing");
    // An SNS → SQS duplicate: the same raw body once more on billing's queue.
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: out(subscriberOutputs("billing").queueUrl),
        MessageBody: first.body,
        MessageAttributes: { type: { DataType: "String", StringValue: "order.created" } },
      }),
    );
    const billing = queueName(out(subscriberOutputs("billing").queueUrl));
    const copies = (
      await waitFor(() => deliveries("billing", id).length === 3 && deliveries("billing", id), {
        description: "three copies on billing's queue (two publishes, one SQS duplicate)",
      })
    ).map((e) => e.messageId);
    await waitFor(
      () =>
        copies.every((m) =>
          target.cloud.spy.find("sqs.delete", (d) => d.queueName === billing && d.messageId === m),
        ),
      { timeoutMs: 60_000, description: "every billing copy processed and deleted" },
    );
    expect(deliveries("audit", id)).toHaveLength(2);
    await applied("audit", id);
    expect((await effect("billing", id))?.applications).toBe(1);
    expect((await effect("audit", id))?.applications).toBe(1);
    expect(await effect("shipping", id)).toBeUndefined();
  });

  // Last: it deletes billing's queue.
  it("FAN-04: once a subscriber queue is gone, SNS dead-letters its messages to the subscription DLQ with ErrorCode and ErrorMessage, not lost", async () => {
    await sqs.send(new DeleteQueueCommand({ QueueUrl: out(subscriberOutputs("billing").queueUrl) }));
    const id = `fan04-${randomUUID()}`;
    expect((await publish([{ id, type: "order.created", data: orderData() }])).failed).toEqual([]);
    const dead = await findIn(out(subscriberOutputs("billing").subscriptionDlqUrl), id);
    // Raw delivery: the subscription DLQ holds what the queue would have received.
    expect(JSON.parse(dead.Body ?? "{}").id).toBe(id);
    expect(dead.MessageAttributes?.type?.StringValue).toBe("order.created");
    // What SNS adds when it dead-letters for a missing queue.
    expect(dead.MessageAttributes?.ErrorCode?.StringValue).toBe("AWS.SimpleQueueService.NonExistentQueue");
    expect(dead.MessageAttributes?.ErrorMessage?.StringValue).toMatch(/queue does not exist/);
    expect(dead.MessageAttributes?.RequestID?.StringValue).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      target.cloud.spy.filter("sns.subscription-dlq", (e) => e.reason.includes("does not exist")),
    ).toHaveLength(1);
    // The other subscribers are unaffected.
    await applied("audit", id);
  });
});
