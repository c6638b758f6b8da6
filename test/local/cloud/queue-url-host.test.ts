import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCloud, startLocal } from "../../../tools/local/index.ts";
import { editedFixtureCloudAssembly } from "../../fixtures/local/synth-once.ts";

/**
 * A handler as users write it: a plain `new SQSClient({})`, configured only by the environment
 * (`AWS_ENDPOINT_URL_SQS`). The SDK then uses the QueueUrl's host, `sqs.<region>.localhost`, as
 * its endpoint; glibc does not resolve `*.localhost`, so this needs the cloud's RFC 6761 lookup.
 */
const PLAIN_SQS_HANDLER = `
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
const sqs = new SQSClient({});
export const handler = async (event) => {
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl: event.queueUrl, MessageBody: event.body }));
  const received = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: event.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  return { messageId: sent.MessageId, bodies: (received.Messages ?? []).map((m) => m.Body) };
};
`;

let fixture: ReturnType<typeof editedFixtureCloudAssembly>;
let cloud: LocalCloud;
beforeAll(async () => {
  fixture = editedFixtureCloudAssembly("local-queue-url-host-", (template, cdkOut) => {
    const echo = Object.keys(template.Resources).find((id) => /^Echo[0-9A-F]{8}$/.test(id)) as string;
    const properties = template.Resources[echo]?.Properties ?? {};
    const assetHash = String((properties.Code as { S3Key?: string } | undefined)?.S3Key).replace(
      /\.zip$/,
      "",
    );
    writeFileSync(join(cdkOut, `asset.${assetHash}`, "plain-sqs.mjs"), PLAIN_SQS_HANDLER);
    properties.Handler = "plain-sqs.handler";
  });
  cloud = await startLocal({ stack: fixture.stack, cdkOut: fixture.cdkOut });
});
afterAll(async () => {
  await cloud?.stop();
  fixture?.remove();
});

describe("queue URLs in the Lambda environments", () => {
  it("are AWS-shaped, with a *.localhost host", () => {
    expect(new URL(cloud.outputs.PlainQueueUrl as string).hostname).toBe("sqs.us-east-1.localhost");
  });

  it("work with a plain new SQSClient({}) that uses the QueueUrl host as its endpoint", async () => {
    const body = `plain-client-${Date.now()}`;
    const result = (await cloud.invoke("Echo", { queueUrl: cloud.outputs.PlainQueueUrl, body })) as {
      messageId: string;
      bodies: string[];
    };
    expect(result.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.bodies).toEqual([body]);
    expect(cloud.spy.find("sqs.send", (e) => e.messageId === result.messageId)).toBeDefined();
  });
});
