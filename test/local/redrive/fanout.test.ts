import { SNSClient } from "@aws-sdk/client-sns";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planRedrive, redrive } from "../../../functions/shared/redrive/index.ts";
import type { ScenarioTarget } from "../../../tools/local/scenarios/target.ts";
import { localTarget } from "../../../tools/local/targets/local.ts";

/** The redrive tool on the fan-out pattern's DLQs, deployed on the embedded cloud. */
describe("redrive on the sns-sqs-fanout DLQs", () => {
  let target: ScenarioTarget;
  let clients: { sqs: SQSClient; sns: SNSClient };

  beforeAll(async () => {
    target = await localTarget({ stack: "SnsSqsFanoutStack" });
    clients = {
      sqs: new SQSClient(target.clientConfig("sqs")),
      sns: new SNSClient(target.clientConfig("sns")),
    };
  });
  afterAll(async () => {
    clients?.sqs.destroy();
    clients?.sns.destroy();
    await target?.stop();
  });

  it("sends a subscriber queue's DLQ back to that queue", async () => {
    const from = target.outputs.BillingDlqUrl ?? "";
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: from, MessageBody: "{}" }));
    const plan = await planRedrive(clients, { from });
    expect(plan.destination?.url).toBe(target.outputs.BillingQueueUrl);
    expect(plan.strategy).toBe("move-task"); // the embedded cloud implements StartMessageMoveTask
    const summary = await redrive(clients, { from, dryRun: true, waitTimeSeconds: 0 });
    expect(summary).toMatchObject({ matched: 1, moved: 0 });
  });

  it("sends an SNS subscription DLQ to the subscribed queue (found through the subscription's RedrivePolicy)", async () => {
    const from = target.outputs.ShippingSubscriptionDlqUrl ?? "";
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: from, MessageBody: "{}" }));
    const plan = await planRedrive(clients, { from });
    expect(plan.destination?.name).toBe(target.outputs.ShippingQueueUrl?.split("/").at(-1));
    expect(plan.sourceUrls).toEqual([]);
    const summary = await redrive(clients, { from, dryRun: true, waitTimeSeconds: 0 });
    expect(summary).toMatchObject({ matched: 1, moved: 0 });
  });
});
