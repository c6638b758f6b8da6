/**
 * SnsPubsubBridgeStack on the embedded cloud with the Pub/Sub service: an event published to the
 * source SNS topic reaches the Pub/Sub topic through the bundled forwarder; an event published to
 * Pub/Sub is pushed (OIDC token signed by the emulator's key) to the local function URL, verified by
 * the bundled push receiver and published to the target SNS topic; a forged push is refused 401.
 */
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { PubSub } from "@google-cloud/pubsub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SnsPubsubBridgeOutputs as O } from "../../../stacks/sns-pubsub-bridge-outputs.ts";
import { LocalOidcIssuer } from "../../../tools/local/pubsub/index.ts";
import { PubsubLocalService } from "../../../tools/local/services/pubsub.ts";
import { type LocalCloud, startLocal } from "../../../tools/local/start-local.ts";
import { cloudEvent } from "../../helpers/events.ts";
import { waitFor } from "../../helpers/wait.ts";

const PROJECT = "my-gcp-project";
const pubsubService = new PubsubLocalService({
  projectId: PROJECT,
  topics: ["aws-events", "to-aws", "to-aws-dead"],
  subscriptions: [
    { id: "aws-events-sub", topic: "aws-events" },
    {
      id: "to-aws-push",
      topic: "to-aws",
      pushToFunctionUrl: "BridgePushUrl",
      oidcToken: {
        serviceAccountEmail: `pubsub-push@${PROJECT}.iam.gserviceaccount.com`,
        audience: "sns-pubsub-bridge:SnsPubsubBridgeStack/SnsPubsubBridgeStack/Bridge",
      },
      retryPolicy: { minimumBackoffSeconds: 0.1, maximumBackoffSeconds: 1 },
      deadLetter: { topic: "to-aws-dead", maxDeliveryAttempts: 5 },
    },
  ],
});
let cloud: LocalCloud;
let pubsub: PubSub;

beforeAll(async () => {
  process.env.METADATA_SERVER_DETECTION = "none";
  cloud = await startLocal({ stack: "SnsPubsubBridgeStack", services: [pubsubService] });
  pubsub = new PubSub({
    projectId: PROJECT,
    apiEndpoint: pubsubService.emulator.emulatorHost,
    emulatorMode: true,
  });
});
afterAll(async () => {
  await pubsub?.close();
  await cloud?.stop();
});

describe("sns-pubsub-bridge on the embedded cloud", () => {
  it("AWS → Google: an SNS event arrives on the Pub/Sub subscription in binary mode", async () => {
    const sns = new SNSClient({
      region: cloud.region,
      endpoint: cloud.endpoints.sns,
      credentials: cloud.credentials,
    });
    const event = cloudEvent();
    await sns.send(
      new PublishCommand({ TopicArn: cloud.outputs[O.SourceTopicArn], Message: JSON.stringify(event) }),
    );
    const queue = pubsubService.emulator.registry.subscription(
      `projects/${PROJECT}/subscriptions/aws-events-sub`,
    );
    await waitFor(() => queue.backlog === 1, { timeoutMs: 30_000, description: "the event on Pub/Sub" });
    const [delivery] = queue.take(1);
    expect(delivery?.message.attributes["ce-id"]).toBe(event.id);
    expect(JSON.parse(delivery?.message.data.toString() ?? "")).toEqual(event.data);
  });

  it("Google → AWS: a Pub/Sub message is pushed with a verified token and acknowledged after SNS accepted it", async () => {
    const event = cloudEvent();
    const attributes: Record<string, string> = {
      "ce-id": String(event.id),
      "ce-source": "cloud-run/orders",
      "ce-type": "order.created",
      "ce-specversion": "1.0",
      "content-type": "application/json",
    };
    await pubsub
      .topic("to-aws")
      .publishMessage({ data: Buffer.from(JSON.stringify(event.data)), attributes });
    const name = `projects/${PROJECT}/subscriptions/to-aws-push`;
    const queue = pubsubService.emulator.registry.subscription(name);
    await waitFor(() => queue.stats.acknowledged === 1, {
      timeoutMs: 30_000,
      description: "the push acknowledged",
    });
    expect(pubsubService.emulator.pushDeliverer(name)?.attempts.get(401)).toBeUndefined();
  });

  it("a push with a forged token is refused with 401", async () => {
    const forged = new LocalOidcIssuer().sign({
      email: `pubsub-push@${PROJECT}.iam.gserviceaccount.com`,
      audience: "sns-pubsub-bridge:SnsPubsubBridgeStack/SnsPubsubBridgeStack/Bridge",
    });
    const response = await fetch(cloud.outputs[O.PushEndpointUrl] ?? "", {
      method: "POST",
      headers: { authorization: `Bearer ${forged}`, "content-type": "application/json" },
      body: JSON.stringify({ message: { data: "", attributes: {} }, subscription: "x" }),
    });
    expect(response.status).toBe(401);
  });
});
