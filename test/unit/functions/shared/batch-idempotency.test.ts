import { createHash } from "node:crypto";
import {
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  DynamoDBClient,
  GetItemCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CompletionMarkError,
  createBatchIdempotency,
} from "../../../../functions/shared/batch-idempotency.js";
import { PermanentError, RetryableError } from "../../../../functions/shared/errors.js";
import {
  createIdempotencyTable,
  type Emulator,
  emulatorClientConfig,
  startDynalite,
} from "../../../helpers/aws-emulators.js";

let dynalite: Emulator;
let dynamodb: DynamoDBClient;
const TABLE = "batch-idempotency";
let n = 0;
/** A key prefix of its own per test, so tests share the table without seeing each other's marks. */
const prefix = () => `test-${++n}`;

beforeAll(async () => {
  dynalite = await startDynalite();
  dynamodb = new DynamoDBClient(emulatorClientConfig(dynalite.endpoint));
  await createIdempotencyTable(dynamodb, TABLE);
});

afterAll(async () => {
  dynamodb?.destroy();
  await dynalite?.stop();
});

async function markOf(keyPrefix: string, key: string) {
  const id = `${keyPrefix}#${createHash("sha256").update(key).digest("base64url")}`;
  const { Item } = await dynamodb.send(
    new GetItemCommand({ TableName: TABLE, Key: { id: { S: id } }, ConsistentRead: true }),
  );
  return Item;
}

/** A client whose `BatchWriteItem` answers are replaced by `answer` (the other commands go through). */
function withBatchWrite(
  answer: (command: BatchWriteItemCommand, real: () => Promise<unknown>) => Promise<unknown>,
): DynamoDBClient {
  const client = new DynamoDBClient(emulatorClientConfig(dynalite.endpoint));
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  (client as unknown as { send: (command: unknown) => Promise<unknown> }).send = (command) =>
    command instanceof BatchWriteItemCommand ? answer(command, () => send(command)) : send(command);
  return client;
}

describe("createBatchIdempotency (dynalite)", () => {
  it("runs new work once, marks it, and replays it in a later batch without running it", async () => {
    const keyPrefix = prefix();
    const idempotency = createBatchIdempotency({ tableName: TABLE, client: dynamodb, keyPrefix });
    let runs = 0;
    const first = await idempotency.begin(["e-1"]);
    expect(await first.run("e-1", async () => void runs++, { a: 1 })).toEqual({ replayed: false });
    await first.flush();
    const mark = await markOf(keyPrefix, "e-1");
    expect(mark?.eventId?.S).toBe("e-1");
    expect(mark?.status?.S).toBe("COMPLETED");

    const second = await idempotency.begin(["e-1"]);
    expect(await second.run("e-1", async () => void runs++, { a: 1 })).toEqual({ replayed: true });
    await second.flush();
    expect(runs).toBe(1);
  });

  it("refuses a completed id with another payload (PayloadMismatch), without running it", async () => {
    const idempotency = createBatchIdempotency({ tableName: TABLE, client: dynamodb, keyPrefix: prefix() });
    const first = await idempotency.begin(["e-2"]);
    await first.run("e-2", async () => undefined, { amount: 1 });
    await first.flush();
    const second = await idempotency.begin(["e-2"]);
    let ran = false;
    const reused = second.run(
      "e-2",
      async () => {
        ran = true;
      },
      { amount: 2 },
    );
    await expect(reused).rejects.toBeInstanceOf(PermanentError);
    await expect(reused).rejects.toMatchObject({ type: "PayloadMismatch" });
    expect(ran).toBe(false);
  });

  it("replays an id seen earlier in the same batch (a duplicate within one batch)", async () => {
    const idempotency = createBatchIdempotency({ tableName: TABLE, client: dynamodb, keyPrefix: prefix() });
    const batch = await idempotency.begin(["e-3", "e-3"]);
    let runs = 0;
    expect(await batch.run("e-3", async () => void runs++)).toEqual({ replayed: false });
    expect(await batch.run("e-3", async () => void runs++)).toEqual({ replayed: true });
    await batch.flush();
    expect(runs).toBe(1);
  });

  it("answers a second concurrent run of one id in a batch with a RetryableError", async () => {
    const idempotency = createBatchIdempotency({ tableName: TABLE, client: dynamodb, keyPrefix: prefix() });
    const batch = await idempotency.begin(["e-4"]);
    let release: () => void = () => undefined;
    const first = batch.run("e-4", () => new Promise<void>((resolve) => (release = resolve)));
    await expect(batch.run("e-4", async () => undefined)).rejects.toBeInstanceOf(RetryableError);
    release();
    expect(await first).toEqual({ replayed: false });
    await batch.flush();
  });

  it("marks nothing for work that throws: the next delivery runs it again", async () => {
    const keyPrefix = prefix();
    const idempotency = createBatchIdempotency({ tableName: TABLE, client: dynamodb, keyPrefix });
    const first = await idempotency.begin(["e-5"]);
    await expect(
      first.run("e-5", async () => {
        throw new Error("downstream down");
      }),
    ).rejects.toThrow("downstream down");
    await first.flush();
    expect(await markOf(keyPrefix, "e-5")).toBeUndefined();
    const second = await idempotency.begin(["e-5"]);
    expect(await second.run("e-5", async () => undefined)).toEqual({ replayed: false });
  });

  it("treats a mark past its expiration (not yet deleted by TTL) as absent", async () => {
    const keyPrefix = prefix();
    let now = new Date("2026-12-01T00:00:00Z");
    const idempotency = createBatchIdempotency({
      tableName: TABLE,
      client: dynamodb,
      keyPrefix,
      expiresAfterSeconds: 3600,
      clock: () => now,
    });
    const first = await idempotency.begin(["e-6"]);
    await first.run("e-6", async () => undefined);
    await first.flush();
    expect(Number((await markOf(keyPrefix, "e-6"))?.expiration?.N)).toBe(now.getTime() / 1000 + 3600);
    now = new Date(now.getTime() + 3599_000);
    expect(await (await idempotency.begin(["e-6"])).run("e-6", async () => undefined)).toEqual({
      replayed: true,
    });
    now = new Date(now.getTime() + 1_000);
    expect(await (await idempotency.begin(["e-6"])).run("e-6", async () => undefined)).toEqual({
      replayed: false,
    });
  });

  it("writes a record's mark while later work still runs (group commit), so a timeout replays it", async () => {
    const keyPrefix = prefix();
    const idempotency = createBatchIdempotency({ tableName: TABLE, client: dynamodb, keyPrefix });
    const batch = await idempotency.begin(["e-7", "e-8"]);
    await batch.run("e-7", async () => undefined);
    let markSeenDuringWork: boolean | undefined;
    // e-8's work is still running (think: an invocation about to time out) while e-7's mark lands.
    await batch.run("e-8", async () => {
      for (let i = 0; i < 200 && markSeenDuringWork !== true; i++) {
        markSeenDuringWork = (await markOf(keyPrefix, "e-7")) !== undefined;
      }
    });
    expect(markSeenDuringWork).toBe(true);
    await batch.flush();
  });

  it("reads more than 100 ids (BatchGetItem's limit) and writes more than 25 marks (BatchWriteItem's)", async () => {
    const keyPrefix = prefix();
    const idempotency = createBatchIdempotency({ tableName: TABLE, client: dynamodb, keyPrefix });
    const keys = Array.from({ length: 250 }, (_, i) => `bulk-${i}`);
    const first = await idempotency.begin(keys);
    await Promise.all(keys.map((key) => first.run(key, async () => undefined)));
    await first.flush();
    const second = await idempotency.begin(keys);
    const results = await Promise.all(keys.map((key) => second.run(key, async () => undefined)));
    expect(results.filter((r) => r.replayed)).toHaveLength(250);
  });

  it("keeps a mark one write unit whatever the id's length: the key is its hash, eventId its first 256 characters", async () => {
    const keyPrefix = prefix();
    const idempotency = createBatchIdempotency({ tableName: TABLE, client: dynamodb, keyPrefix });
    const long = `id-${"x".repeat(500_000)}`;
    const batch = await idempotency.begin([long]);
    await batch.run(long, async () => undefined);
    await batch.flush();
    const mark = await markOf(keyPrefix, long);
    expect(mark?.eventId?.S).toBe(long.slice(0, 256));
    expect(await (await idempotency.begin([long])).run(long, async () => undefined)).toEqual({
      replayed: true,
    });
  });

  it("retries marks DynamoDB returns as UnprocessedItems", async () => {
    const keyPrefix = prefix();
    let calls = 0;
    const client = withBatchWrite(async (command, real) => {
      calls++;
      if (calls > 1) return real();
      // The first answer leaves every mark unprocessed, without writing any.
      return {
        UnprocessedItems: command.input.RequestItems,
        $metadata: {},
      } satisfies BatchWriteItemCommandOutput;
    });
    try {
      const idempotency = createBatchIdempotency({ tableName: TABLE, client, keyPrefix });
      const batch = await idempotency.begin(["e-9"]);
      await batch.run("e-9", async () => undefined);
      await batch.flush();
      expect(calls).toBe(2);
      expect(await markOf(keyPrefix, "e-9")).toBeDefined();
    } finally {
      client.destroy();
    }
  });

  it("fails the flush when marks cannot be written, and attempts no more work in that batch", async () => {
    const client = withBatchWrite(async () => {
      throw Object.assign(new Error("Throughput exceeds the current capacity of your table"), {
        name: "ProvisionedThroughputExceededException",
      });
    });
    try {
      const idempotency = createBatchIdempotency({ tableName: TABLE, client, keyPrefix: prefix() });
      const batch = await idempotency.begin(["e-10", "e-11"]);
      await batch.run("e-10", async () => undefined);
      await expect(batch.flush()).rejects.toBeInstanceOf(CompletionMarkError);
      let ran = false;
      await expect(
        batch.run("e-11", async () => {
          ran = true;
        }),
      ).rejects.toBeInstanceOf(RetryableError);
      expect(ran).toBe(false);
    } finally {
      client.destroy();
    }
  });

  it("gives up on marks that stay unprocessed after maxWriteRetries", async () => {
    let calls = 0;
    const client = withBatchWrite(async (command) => {
      calls++;
      return { UnprocessedItems: command.input.RequestItems, $metadata: {} };
    });
    try {
      const idempotency = createBatchIdempotency({
        tableName: TABLE,
        client,
        keyPrefix: prefix(),
        maxWriteRetries: 2,
      });
      const batch = await idempotency.begin(["e-12"]);
      await batch.run("e-12", async () => undefined);
      await expect(batch.flush()).rejects.toThrow(/still unprocessed after 2 retries/);
      expect(calls).toBe(3);
    } finally {
      client.destroy();
    }
  });
});
