import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KafkaBroker, startKafka } from "../../../tools/local/kafka/index.ts";
import { Reader } from "../../../tools/local/kafka/protocol/reader.ts";
import { Writer } from "../../../tools/local/kafka/protocol/writer.ts";
import { kafkajs, kcat, RawClient } from "./clients.ts";

describe("SASL on a broker that requires it (like MSK's IAM listener)", () => {
  let broker: KafkaBroker;

  beforeAll(async () => {
    broker = await startKafka({ requireSasl: true, plainUsers: { alice: "s3cret" } });
  });
  afterAll(async () => {
    await broker.stop();
  });

  const roundTrip = async (client: ReturnType<typeof kafkajs>, topic: string) => {
    const producer = client.producer();
    await producer.connect();
    const [result] = await producer.send({ topic, messages: [{ value: "authenticated" }] });
    await producer.disconnect();
    return result?.errorCode;
  };

  it("accepts SASL/PLAIN with the configured password", async () => {
    const client = kafkajs(broker.brokers, {
      sasl: { mechanism: "plain", username: "alice", password: "s3cret" },
    });
    expect(await roundTrip(client, "plain-topic")).toBe(0);
  });

  it("refuses SASL/PLAIN with a wrong password", async () => {
    const client = kafkajs(broker.brokers, {
      sasl: { mechanism: "plain", username: "alice", password: "wrong" },
      retry: { retries: 0 },
    });
    await expect(client.producer().connect()).rejects.toThrow(
      /SASL PLAIN authentication failed|invalid username/i,
    );
  });

  it("accepts SASL/OAUTHBEARER (the MSK IAM signer's mechanism) without verifying the token", async () => {
    const client = kafkajs(broker.brokers, {
      sasl: {
        mechanism: "oauthbearer",
        oauthBearerProvider: async () => ({ value: "any-unverified-token" }),
      },
    });
    expect(await roundTrip(client, "oauth-topic")).toBe(0);
  });

  it("closes connections that skip authentication", async () => {
    const client = kafkajs(broker.brokers, { retry: { retries: 0 }, connectionTimeout: 1_000 });
    await expect(roundTrip(client, "anonymous")).rejects.toThrow();
    expect(broker.topics().map((t) => t.name)).not.toContain("anonymous");
  });

  it("works with kcat over SASL/PLAIN and SASL/OAUTHBEARER", async () => {
    const base = ["-b", broker.brokers[0] as string, "-X", "security.protocol=SASL_PLAINTEXT"];
    const plain = [
      ...base,
      "-X",
      "sasl.mechanisms=PLAIN",
      "-X",
      "sasl.username=alice",
      "-X",
      "sasl.password=s3cret",
    ];
    expect((await kcat([...plain, "-P", "-t", "kcat-sasl"], "via-plain\n")).code).toBe(0);
    const oauth = [
      ...base,
      "-X",
      "sasl.mechanisms=OAUTHBEARER",
      "-X",
      "enable.sasl.oauthbearer.unsecure.jwt=true",
      "-X",
      "sasl.oauthbearer.config=principal=local",
    ];
    const consumed = await kcat([...oauth, "-C", "-t", "kcat-sasl", "-o", "beginning", "-e", "-f", "%s\n"]);
    expect(consumed.stdout.trim()).toBe("via-plain");
  });

  it("supports SaslHandshake v0, where the token follows as a bare frame", async () => {
    const raw = await RawClient.connect(broker.brokers[0] as string);
    const handshake = new Reader(await raw.request(17, 0, 1, (w) => w.string("PLAIN")));
    expect([handshake.int32(), handshake.int16()]).toEqual([1, 0]);
    const token = Buffer.from("\u0000alice\u0000s3cret");
    const answer = raw.nextFrame();
    raw.writeRaw(Buffer.concat([new Writer().int32(token.length).toBuffer(), token]));
    expect((await answer).length).toBe(0);
    const metadata = new Reader(await raw.request(3, 1, 2, (w) => w.int32(0)));
    expect(metadata.int32()).toBe(2);
    expect(raw.closed).toBe(false);
    raw.close();
  });
});

describe("SASL on a broker that does not require it (optional, as on a mixed listener)", () => {
  let broker: KafkaBroker;

  beforeAll(async () => {
    broker = await startKafka({ plainUsers: { alice: "s3cret" } });
  });
  afterAll(async () => {
    await broker.stop();
  });

  it("accepts a client that authenticates (kafkajs SASL/PLAIN, kcat OAUTHBEARER) and one that does not", async () => {
    const authed = kafkajs(broker.brokers, {
      sasl: { mechanism: "plain", username: "alice", password: "s3cret" },
      retry: { retries: 0 },
    });
    const producer = authed.producer();
    await producer.connect();
    const [sent] = await producer.send({ topic: "optional-sasl", messages: [{ value: "with-sasl" }] });
    await producer.disconnect();
    expect(sent?.errorCode).toBe(0);

    const oauth = await kcat([
      "-b",
      broker.brokers[0] as string,
      "-X",
      "security.protocol=SASL_PLAINTEXT",
      "-X",
      "sasl.mechanisms=OAUTHBEARER",
      "-X",
      "enable.sasl.oauthbearer.unsecure.jwt=true",
      "-X",
      "sasl.oauthbearer.config=principal=local",
      "-C",
      "-t",
      "optional-sasl",
      "-o",
      "beginning",
      "-e",
      "-f",
      "%s\n",
    ]);
    expect(oauth.stdout.trim()).toBe("with-sasl");

    const anonymous = kafkajs(broker.brokers).producer();
    await anonymous.connect();
    const [plain] = await anonymous.send({ topic: "optional-sasl", messages: [{ value: "without" }] });
    await anonymous.disconnect();
    expect(plain?.errorCode).toBe(0);
  });

  it("still refuses wrong credentials and a second handshake on one connection", async () => {
    const wrong = kafkajs(broker.brokers, {
      sasl: { mechanism: "plain", username: "alice", password: "wrong" },
      retry: { retries: 0 },
    });
    await expect(wrong.producer().connect()).rejects.toThrow(/authentication failed|invalid username/i);

    const raw = await RawClient.connect(broker.brokers[0] as string);
    const first = new Reader(await raw.request(17, 1, 1, (w) => w.string("PLAIN")));
    expect([first.int32(), first.int16()]).toEqual([1, 0]);
    const second = new Reader(await raw.request(17, 1, 2, (w) => w.string("PLAIN")));
    expect([second.int32(), second.int16()]).toEqual([2, 34]); // ILLEGAL_SASL_STATE
    raw.close();
  });
});
