/**
 * Real AWS wire-protocol emulators for handler tests, on 127.0.0.1 and an OS-assigned port:
 * dynalite (DynamoDB) and fauxqs (SQS + SNS). The handlers' module-scope SDK clients find them via
 * `AWS_ENDPOINT_URL_<SERVICE>`; {@link useEmulatorEnv} sets those plus dummy credentials.
 */
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { CreateTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type Message, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { buildApp } from "fauxqs";
import { waitFor } from "./wait.js";

type DynaliteServer = import("node:http").Server;
type DynaliteFactory = (options: { createTableMs?: number; deleteTableMs?: number }) => DynaliteServer;

/** A running emulator. */
export interface Emulator {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts dynalite (in-memory, tables ACTIVE at once). */
export async function startDynalite(): Promise<Emulator> {
  const dynalite = createRequire(import.meta.url)("dynalite") as DynaliteFactory;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

/**
 * Starts fauxqs (SQS + SNS, in memory). Uses `buildApp` rather than `startFauxqs`, which always
 * binds 0.0.0.0; create queues and topics through the SDK.
 */
export async function startSqsSns(): Promise<Emulator> {
  const app = buildApp({ logger: false });
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  return { endpoint: address, stop: () => app.close() };
}

/**
 * Points the AWS SDK at the emulators (and dummy credentials, region us-east-1).
 * Returns a function restoring the previous values.
 */
export function useEmulatorEnv(endpoints: { dynamodb?: string; sqsSns?: string }): () => void {
  const values: Record<string, string | undefined> = {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqsSns,
    AWS_ENDPOINT_URL_SNS: endpoints.sqsSns,
  };
  const previous = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  const apply = (entries: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(entries)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(values);
  return () => apply(previous);
}

/** Client settings for a test-side SDK client talking to an emulator. */
export function emulatorClientConfig(endpoint: string) {
  return { endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
}

/** Creates an on-demand table keyed by string attributes: `hashKey`, and `rangeKey` when given. */
export async function createKeyTable(
  client: DynamoDBClient,
  tableName: string,
  hashKey: string,
  rangeKey?: string,
): Promise<void> {
  const keys = rangeKey === undefined ? [hashKey] : [hashKey, rangeKey];
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: keys.map((k) => ({ AttributeName: k, AttributeType: "S" })),
      KeySchema: keys.map((k, i) => ({ AttributeName: k, KeyType: i === 0 ? "HASH" : "RANGE" })),
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
}

/**
 * Creates the idempotency table (Powertools defaults: partition key `id` (S); the stack enables TTL
 * on `expiration`, which dynalite does not implement, so expiry is not exercised here).
 */
export function createIdempotencyTable(client: DynamoDBClient, tableName: string): Promise<void> {
  return createKeyTable(client, tableName, "id");
}

/** Creates the effects table (`subscriber` (S) + `eventId` (S)). */
export function createEffectsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  return createKeyTable(client, tableName, "subscriber", "eventId");
}

/**
 * Receives from `queueUrl` (all message and system attributes) until at least `count` messages
 * have arrived, waiting for the condition rather than sleeping; the messages stay in flight.
 */
export async function receiveMessages(sqs: SQSClient, queueUrl: string, count: number): Promise<Message[]> {
  const received: Message[] = [];
  await waitFor(
    async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["All"],
        }),
      );
      received.push(...Messages);
      return received.length >= count;
    },
    { description: `${count} messages on ${queueUrl}` },
  );
  return received;
}
