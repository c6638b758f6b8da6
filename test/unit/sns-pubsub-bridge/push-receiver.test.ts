/**
 * The Google Cloud → AWS push receiver: token first (401/403, nothing published), then the
 * binary-mode CloudEvent published to SNS, 2xx only after SNS accepted it, idempotent on the
 * CloudEvent id; end to end with the emulator's push subscription delivering over HTTP.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { PubSub } from "@google-cloud/pubsub";
import type { Context, LambdaFunctionURLEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { CloudEvent } from "../../../functions/shared/cloudevents.ts";
import type { IdempotencyGuard } from "../../../functions/shared/idempotency.ts";
import { toPubsubMessage } from "../../../functions/sns-pubsub-bridge/cloudevent-pubsub.ts";
import {
  createPushReceiver,
  type PushReceiverConfig,
} from "../../../functions/sns-pubsub-bridge/push-receiver.ts";
import { staticCertificates } from "../../../functions/sns-pubsub-bridge/push-token.ts";
import {
  LocalOidcIssuer,
  type PubsubEmulator,
  pushBody,
  startPubsubEmulator,
} from "../../../tools/local/pubsub/index.ts";
import { cloudEvent } from "../../helpers/events.ts";
import { waitFor } from "../../helpers/wait.ts";
import { quietObservability } from "./quiet.ts";

const AUDIENCE = "https://bridge.example/push";
const EMAIL = "pusher@bridge-unit.iam.gserviceaccount.com";
const issuer = new LocalOidcIssuer();

const config: PushReceiverConfig = {
  topicArn: "arn:aws:sns:us-east-1:123456789012:from-google",
  audience: AUDIENCE,
  serviceAccountEmail: EMAIL,
  eventTypes: ["order.created"],
  idempotencyTableName: "unused",
  idempotencyExpiresAfterSeconds: 86_400,
  localCertificates: undefined,
  faultInjection: { transientRate: 0 },
};

/** Idempotency in memory: the DynamoDB guard's contract without a table. */
function memoryIdempotency(): IdempotencyGuard {
  const done = new Set<string>();
  return {
    registerLambdaContext: () => {},
    async run(key, work) {
      if (done.has(key)) return { replayed: true };
      await work();
      done.add(key);
      return { replayed: false };
    },
  };
}

function receiver(sns: { send: ReturnType<typeof vi.fn> }, certs = issuer.certificates()) {
  return createPushReceiver({
    config,
    sns: sns as never,
    idempotency: memoryIdempotency(),
    certificates: staticCertificates(certs),
    ...quietObservability(),
  });
}

/** A function-URL event carrying a Pub/Sub push of `event`. */
function pushEvent(
  event: Record<string, unknown>,
  authorization: string | undefined,
  messageId = "1",
): LambdaFunctionURLEvent {
  const message = toPubsubMessage(event as CloudEvent);
  const body = pushBody("projects/p/subscriptions/to-aws", {
    ackId: "a",
    deliveryAttempt: 1,
    message: {
      data: message.data,
      attributes: message.attributes,
      messageId,
      orderingKey: "",
      publishTime: { seconds: "1", nanos: 0 },
    },
  });
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: "/",
    rawQueryString: "",
    headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
    requestContext: { http: { method: "POST" } } as LambdaFunctionURLEvent["requestContext"],
    body,
    isBase64Encoded: false,
  };
}

const token = (claims: Partial<Parameters<LocalOidcIssuer["sign"]>[0]> = {}) =>
  `Bearer ${issuer.sign({ email: EMAIL, audience: AUDIENCE, ...claims })}`;

describe("push receiver", () => {
  it("publishes the CloudEvent to SNS and answers 204; a duplicate push is 204 without a second publish", async () => {
    const sns = { send: vi.fn(async () => ({ MessageId: "m" })) };
    const handle = receiver(sns);
    const event = cloudEvent();
    expect((await handle(pushEvent(event, token()))).statusCode).toBe(204);
    expect((await handle(pushEvent(event, token(), "2"))).statusCode).toBe(204);
    expect(sns.send).toHaveBeenCalledTimes(1);
    const input = (sns.send.mock.calls[0] as unknown as [{ input: { Message: string; TopicArn: string } }])[0]
      .input;
    expect(input.TopicArn).toBe(config.topicArn);
    expect(JSON.parse(input.Message)).toEqual(event);
  });

  it.each([
    ["no token", undefined, 401],
    ["a forged token", `Bearer ${new LocalOidcIssuer().sign({ email: EMAIL, audience: AUDIENCE })}`, 401],
    [
      "an expired token",
      token({ issuedAt: Math.floor(Date.now() / 1000) - 7200, expiresInSeconds: 600 }),
      401,
    ],
    ["another service account", token({ email: "x@y.iam.gserviceaccount.com" }), 403],
    ["another audience", token({ audience: "https://elsewhere" }), 403],
  ])("answers %s with %i and publishes nothing", async (_label, auth, status) => {
    const sns = { send: vi.fn(async () => ({})) };
    expect((await receiver(sns)(pushEvent(cloudEvent(), auth))).statusCode).toBe(status);
    expect(sns.send).not.toHaveBeenCalled();
  });

  it("answers 500 when SNS fails (Pub/Sub retries) and 204 on the retry", async () => {
    const sns = { send: vi.fn().mockRejectedValueOnce(new Error("Throttling")).mockResolvedValue({}) };
    const handle = receiver(sns);
    const event = cloudEvent();
    expect((await handle(pushEvent(event, token()))).statusCode).toBe(500);
    expect((await handle(pushEvent(event, token()))).statusCode).toBe(204);
    expect(sns.send).toHaveBeenCalledTimes(2);
  });

  it("gives the idempotency guard the invocation's context, so a timed-out push's record expires with it", async () => {
    const guard = memoryIdempotency();
    const registered: unknown[] = [];
    guard.registerLambdaContext = (context) => registered.push(context);
    const handle = createPushReceiver({
      config,
      sns: { send: vi.fn(async () => ({})) } as never,
      idempotency: guard,
      certificates: staticCertificates(issuer.certificates()),
      ...quietObservability(),
    });
    const context = { awsRequestId: "req-1", getRemainingTimeInMillis: () => 9_000 } as unknown as Context;
    expect((await handle(pushEvent(cloudEvent(), token()), context)).statusCode).toBe(204);
    expect(registered).toEqual([context]);
  });

  it("answers 400 for a type that may not enter AWS and for a body that is not a push", async () => {
    const sns = { send: vi.fn(async () => ({})) };
    const handle = receiver(sns);
    expect((await handle(pushEvent(cloudEvent({ type: "secret.type" }), token()))).statusCode).toBe(400);
    const notPush = { ...pushEvent(cloudEvent(), token()), body: "{}" };
    expect((await handle(notPush)).statusCode).toBe(400);
    expect(sns.send).not.toHaveBeenCalled();
  });
});

describe("push receiver behind the emulator's push subscription", () => {
  let emulator: PubsubEmulator;
  let pubsub: PubSub;
  beforeAll(async () => {
    process.env.METADATA_SERVER_DETECTION = "none";
    emulator = await startPubsubEmulator({ pushTokenSigner: issuer });
    process.env.PUBSUB_EMULATOR_HOST = emulator.emulatorHost;
    pubsub = new PubSub({ projectId: "bridge-unit" });
  });
  afterAll(async () => {
    await pubsub.close();
    await emulator.stop();
    delete process.env.PUBSUB_EMULATOR_HOST;
  });

  it("every event is applied once although SNS fails first and Pub/Sub redelivers", async () => {
    const sns = { send: vi.fn().mockRejectedValueOnce(new Error("Throttling")).mockResolvedValue({}) };
    const handle = receiver(sns);
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        void handle({
          ...pushEvent(cloudEvent(), undefined),
          headers: req.headers as Record<string, string>,
          body,
        }).then((r) => {
          res.statusCode = r.statusCode ?? 200;
          res.end();
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const [topic] = await pubsub.createTopic("to-aws");
      const [subscription] = await topic.createSubscription("to-aws-push", {
        pushConfig: {
          pushEndpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
          oidcToken: { serviceAccountEmail: EMAIL, audience: AUDIENCE },
        },
        retryPolicy: { minimumBackoff: { seconds: 0 }, maximumBackoff: { seconds: 1 } },
      });
      const events = [cloudEvent(), cloudEvent(), cloudEvent()];
      for (const e of events) {
        const m = toPubsubMessage(e as CloudEvent);
        await topic.publishMessage({ data: m.data, attributes: m.attributes });
      }
      const queue = emulator.registry.subscription(subscription.name);
      await waitFor(() => queue.stats.acknowledged === 3, { description: "3 pushes acknowledged" });
      const published = sns.send.mock.calls
        .slice(0)
        .map((call) => JSON.parse((call as unknown as [{ input: { Message: string } }])[0].input.Message).id);
      // 4 calls: one failed (500, redelivered), then each event once.
      expect(sns.send).toHaveBeenCalledTimes(4);
      expect(new Set(published.slice(1))).toEqual(new Set(events.map((e) => e.id)));
      expect(emulator.pushDeliverer(subscription.name)?.attempts.get(500)).toBe(1);
    } finally {
      server.close();
    }
  });
});
