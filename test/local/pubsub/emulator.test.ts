/**
 * The in-process Pub/Sub emulator against the real `@google-cloud/pubsub` client (through
 * PUBSUB_EMULATOR_HOST; METADATA_SERVER_DETECTION=none so google-auth-library never probes a
 * metadata server): publish, StreamingPull, Pull, ack deadlines, redelivery, dead-lettering after
 * max delivery attempts, ordering keys, filters, and push delivery with a verifiable OIDC token.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { type Message, PubSub, v1 } from "@google-cloud/pubsub";
import { credentials } from "@grpc/grpc-js";
import { OAuth2Client } from "google-auth-library";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PubsubEmulator, startPubsubEmulator } from "../../../tools/local/pubsub/index.ts";
import { waitFor } from "../../helpers/wait.ts";

const PROJECT = "bridge-test";
let emulator: PubsubEmulator;
let pubsub: PubSub;
let now = 0;
let seq = 0;
const uniq = (prefix: string): string => `${prefix}-${++seq}`;

beforeAll(async () => {
  process.env.METADATA_SERVER_DETECTION = "none";
  // A clock the lease-expiry tests advance; it otherwise follows real time.
  let offset = 0;
  emulator = await startPubsubEmulator({ clock: () => Date.now() + offset, tickMs: 20 });
  advance = (ms) => {
    offset += ms;
  };
  process.env.PUBSUB_EMULATOR_HOST = emulator.emulatorHost;
  pubsub = new PubSub({ projectId: PROJECT });
  now = Date.now();
});
let advance: (ms: number) => void = () => {};

afterAll(async () => {
  await pubsub?.close();
  await emulator?.stop();
  delete process.env.PUBSUB_EMULATOR_HOST;
});

function collect(subscription: ReturnType<PubSub["subscription"]>, onMessage: (m: Message) => void): void {
  subscription.on("message", onMessage);
  subscription.on("error", (error) => {
    throw error;
  });
}

describe("Pub/Sub emulator with @google-cloud/pubsub", () => {
  it("publishes with attributes and delivers over StreamingPull until acknowledged", async () => {
    const [topic] = await pubsub.createTopic(uniq("orders"));
    const [subscription] = await topic.createSubscription(uniq("orders-sub"));
    const ids = await Promise.all(
      [0, 1, 2].map((i) =>
        topic.publishMessage({ data: Buffer.from(`m${i}`), attributes: { kind: "order", i: `${i}` } }),
      ),
    );
    expect(new Set(ids).size).toBe(3);
    const received: Message[] = [];
    collect(subscription, (m) => {
      received.push(m);
      m.ack();
    });
    await waitFor(() => received.length === 3, { description: "three messages" });
    expect(received.map((m) => m.data.toString()).sort()).toEqual(["m0", "m1", "m2"]);
    expect(received.find((m) => m.data.toString() === "m1")?.attributes).toEqual({ kind: "order", i: "1" });
    expect(received.every((m) => ids.includes(m.id) && m.publishTime.getTime() >= now - 1000)).toBe(true);
    await waitFor(() => emulator.registry.subscription(subscription.name).stats.acknowledged === 3);
    await subscription.close();
    expect(emulator.registry.subscription(subscription.name).backlog).toBe(0);
    expect(emulator.registry.subscription(subscription.name).outstanding).toBe(0);
  });

  it("GetTopic of an unknown topic is NOT_FOUND; CreateTopic twice is ALREADY_EXISTS", async () => {
    const [exists] = await pubsub.topic(uniq("missing")).exists();
    expect(exists).toBe(false);
    const name = uniq("twice");
    await pubsub.createTopic(name);
    await expect(pubsub.createTopic(name)).rejects.toMatchObject({ code: 6 });
  });

  it("Pull and Acknowledge through the generated SubscriberClient; an unacked message returns after its ack deadline", async () => {
    const [topic] = await pubsub.createTopic(uniq("pull"));
    const [subscription] = await topic.createSubscription(uniq("pull-sub"), { ackDeadlineSeconds: 10 });
    await topic.publishMessage({ data: Buffer.from("once") });
    const [host, port] = emulator.emulatorHost.split(":");
    const client = new v1.SubscriberClient({
      servicePath: host,
      port: Number(port),
      sslCreds: credentials.createInsecure(),
    });
    try {
      const [first] = await client.pull({ subscription: subscription.name, maxMessages: 10 });
      expect(first.receivedMessages).toHaveLength(1);
      const [none] = await client.pull({
        subscription: subscription.name,
        maxMessages: 10,
        returnImmediately: true,
      });
      expect(none.receivedMessages ?? []).toHaveLength(0);
      advance(11_000); // past the 10 s ack deadline
      const [again] = await client.pull({ subscription: subscription.name, maxMessages: 10 });
      expect(again.receivedMessages?.[0]?.message?.data?.toString()).toBe("once");
      const ackId = again.receivedMessages?.[0]?.ackId as string;
      await client.modifyAckDeadline({
        subscription: subscription.name,
        ackIds: [ackId],
        ackDeadlineSeconds: 60,
      });
      advance(11_000); // the extended lease holds
      const [held] = await client.pull({
        subscription: subscription.name,
        maxMessages: 10,
        returnImmediately: true,
      });
      expect(held.receivedMessages ?? []).toHaveLength(0);
      await client.acknowledge({ subscription: subscription.name, ackIds: [ackId] });
      expect(emulator.registry.subscription(subscription.name).outstanding).toBe(0);
    } finally {
      await client.close();
    }
  });

  it("redelivers a nacked message and dead-letters it after maxDeliveryAttempts, with the source attributes", async () => {
    const [topic] = await pubsub.createTopic(uniq("work"));
    const [deadTopic] = await pubsub.createTopic(uniq("work-dead"));
    const [deadSub] = await deadTopic.createSubscription(uniq("work-dead-sub"));
    const [subscription] = await topic.createSubscription(uniq("work-sub"), {
      deadLetterPolicy: { deadLetterTopic: deadTopic.name, maxDeliveryAttempts: 5 },
    });
    await topic.publishMessage({ data: Buffer.from("poison"), attributes: { a: "1" } });
    const attempts: number[] = [];
    collect(subscription, (m) => {
      attempts.push(m.deliveryAttempt);
      m.nack();
    });
    const dead: Message[] = [];
    collect(deadSub, (m) => {
      dead.push(m);
      m.ack();
    });
    await waitFor(() => dead.length === 1, { description: "dead-lettered message" });
    expect(attempts).toEqual([1, 2, 3, 4, 5]);
    expect(dead[0]?.data.toString()).toBe("poison");
    expect(dead[0]?.attributes).toMatchObject({
      a: "1",
      CloudPubSubDeadLetterSourceDeliveryCount: "5",
      CloudPubSubDeadLetterSourceSubscription: subscription.name.split("/")[3],
    });
    await subscription.close();
    await deadSub.close();
  });

  it("delivers one ordering key in publish order, a nacked message before the later ones", async () => {
    const [topic] = await pubsub.createTopic(uniq("ordered"), {});
    topic.setPublishOptions({ messageOrdering: true });
    const [subscription] = await topic.createSubscription(uniq("ordered-sub"), {
      enableMessageOrdering: true,
    });
    for (let i = 0; i < 20; i++) {
      void topic.publishMessage({ data: Buffer.from(`${i}`), orderingKey: i % 2 === 0 ? "even" : "odd" });
    }
    await topic.flush();
    const seen: Record<string, string[]> = { even: [], odd: [] };
    let nacked = false;
    collect(subscription, (m) => {
      if (m.data.toString() === "6" && !nacked) {
        nacked = true;
        m.nack();
        return;
      }
      seen[m.orderingKey ?? ""]?.push(m.data.toString());
      m.ack();
    });
    await waitFor(() => (seen.even?.length ?? 0) + (seen.odd?.length ?? 0) === 20, {
      description: "20 ordered",
    });
    expect(seen.even).toEqual(["0", "2", "4", "6", "8", "10", "12", "14", "16", "18"]);
    expect(seen.odd).toEqual(["1", "3", "5", "7", "9", "11", "13", "15", "17", "19"]);
    await subscription.close();
  });

  it("a filter delivers only the matching messages", async () => {
    const [topic] = await pubsub.createTopic(uniq("filtered"));
    const [subscription] = await topic.createSubscription(uniq("filtered-sub"), {
      filter: 'attributes.region = "eu" AND NOT attributes:test',
    });
    await topic.publishMessage({ data: Buffer.from("eu"), attributes: { region: "eu" } });
    await topic.publishMessage({ data: Buffer.from("us"), attributes: { region: "us" } });
    await topic.publishMessage({ data: Buffer.from("eu-test"), attributes: { region: "eu", test: "1" } });
    const queue = emulator.registry.subscription(subscription.name);
    expect(queue.backlog).toBe(1);
    expect(queue.stats.filteredOut).toBe(2);
  });

  it("pushes to an HTTP endpoint with a Google-style OIDC token, retrying until 2xx", async () => {
    const requests: { auth: string | undefined; body: Record<string, unknown> }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let raw = "";
      req.on("data", (chunk) => {
        raw += chunk;
      });
      req.on("end", () => {
        requests.push({ auth: req.headers.authorization, body: JSON.parse(raw) as Record<string, unknown> });
        res.statusCode = requests.length < 3 ? 500 : 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/push`;
    try {
      const [topic] = await pubsub.createTopic(uniq("pushed"));
      const [subscription] = await topic.createSubscription(uniq("pushed-sub"), {
        pushConfig: {
          pushEndpoint: endpoint,
          oidcToken: {
            serviceAccountEmail: "pusher@bridge-test.iam.gserviceaccount.com",
            audience: "https://bridge.example/push",
          },
        },
        retryPolicy: { minimumBackoff: { seconds: 0 }, maximumBackoff: { seconds: 1 } },
      });
      await topic.publishMessage({ data: Buffer.from('{"hello":1}'), attributes: { "ce-id": "e1" } });
      await waitFor(
        () =>
          requests.length === 3 && emulator.registry.subscription(subscription.name).stats.acknowledged === 1,
        {
          description: "three push attempts, the last acknowledged",
        },
      );
      const body = requests[2]?.body as { message: Record<string, unknown>; subscription: string };
      expect(body.subscription).toBe(subscription.name);
      expect(Buffer.from(String(body.message.data), "base64").toString()).toBe('{"hello":1}');
      expect(body.message.attributes).toEqual({ "ce-id": "e1" });
      expect(emulator.pushDeliverer(subscription.name)?.attempts.get(500)).toBe(2);
      // The token verifies against the emulator's published key with google-auth-library.
      const token = requests[2]?.auth?.replace(/^Bearer /, "") ?? "";
      const ticket = await new OAuth2Client().verifySignedJwtWithCertsAsync(
        token,
        emulator.oidcIssuer?.certificates() ?? {},
        "https://bridge.example/push",
        ["https://accounts.google.com"],
      );
      expect(ticket.getPayload()?.email).toBe("pusher@bridge-test.iam.gserviceaccount.com");
    } finally {
      server.close();
    }
  });
});
