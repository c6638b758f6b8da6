import { createHash } from "node:crypto";
import { BatchWriteItemCommand, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import type { Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEntityEffects } from "../../../functions/msk-lambda-stream/entity-effects.js";
import { createStreamConsumer } from "../../../functions/msk-lambda-stream/stream-consumer.js";
import { CompletionMarkError, createBatchIdempotency } from "../../../functions/shared/batch-idempotency.js";
import type { CloudEvent } from "../../../functions/shared/cloudevents.js";
import type { KafkaBatchResponse } from "../../../functions/shared/kafka-batch.js";
import {
  createIdempotencyTable,
  createKeyTable,
  type Emulator,
  emulatorClientConfig,
  startDynalite,
  useEmulatorEnv,
} from "../../helpers/aws-emulators.js";
import { waitFor } from "../../helpers/wait.js";
import { entityEvent, mskEvent, mskRecord } from "./msk-events.js";

let dynalite: Emulator;
let client: DynamoDBClient;
let n = 0;

async function tables() {
  n++;
  const effects = `effects-${n}`;
  const idempotency = `idempotency-${n}`;
  await createKeyTable(client, effects, "pk");
  await createIdempotencyTable(client, idempotency);
  return { effects, idempotency };
}

/** The completion mark of `eventId` (the consumers of these tests use the key prefix "test"). */
async function markOf(table: string, eventId: string) {
  const id = `test#${createHash("sha256").update(eventId).digest("base64url")}`;
  const { Item } = await client.send(
    new GetItemCommand({ TableName: table, Key: { id: { S: id } }, ConsistentRead: true }),
  );
  return Item;
}

async function item(table: string, pk: string) {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: table, Key: { pk: { S: pk } }, ConsistentRead: true }),
  );
  return Item;
}

function consumer(
  names: { effects: string; idempotency: string },
  beforeEffect?: (event: CloudEvent) => Promise<void> | void,
) {
  return createStreamConsumer({
    effects: createEntityEffects(client, names.effects),
    idempotency: createBatchIdempotency({ tableName: names.idempotency, client, keyPrefix: "test" }),
    beforeEffect,
  });
}

beforeAll(async () => {
  dynalite = await startDynalite();
  client = new DynamoDBClient(emulatorClientConfig(dynalite.endpoint));
});
afterAll(async () => {
  client.destroy();
  await dynalite.stop();
});

describe("the msk-lambda-stream consumer on DynamoDB (dynalite)", () => {
  it("applies 100 events of one key in order: applied 100, no order violations (MSK-03)", async () => {
    const names = await tables();
    const records = Array.from({ length: 100 }, (_, i) =>
      mskRecord("orders", 0, i, entityEvent(`e-${i}`, "order-1", i + 1), { key: "order-1" }),
    );
    const outcome = await consumer(names)(mskEvent(records));
    expect(outcome.response.batchItemFailures).toEqual([]);
    const entity = await item(names.effects, "entity#order-1");
    expect(entity?.applied?.N).toBe("100");
    expect(entity?.lastSequence?.N).toBe("100");
    expect(entity?.orderViolations).toBeUndefined();
  });

  it("counts an order violation when an older sequence arrives after a newer one", async () => {
    const names = await tables();
    const records = [
      mskRecord("orders", 0, 0, entityEvent("a", "order-2", 2), { key: "order-2" }),
      mskRecord("orders", 0, 1, entityEvent("b", "order-2", 1), { key: "order-2" }),
    ];
    await consumer(names)(mskEvent(records));
    expect((await item(names.effects, "entity#order-2"))?.orderViolations?.N).toBe("1");
  });

  it("MSK-04: a redelivered batch (crash after the effect, before the commit) applies no effect twice", async () => {
    const names = await tables();
    const records = [0, 1, 2].map((i) =>
      mskRecord("orders", 1, i, entityEvent(`r-${i}`, "order-3", i + 1), { key: "order-3" }),
    );
    const consume = consumer(names);
    await consume(mskEvent(records));
    await consume(mskEvent(records));
    const entity = await item(names.effects, "entity#order-3");
    expect(entity?.applied?.N).toBe("3");
    expect(entity?.orderViolations).toBeUndefined();
  });

  it("MSK-04: a batch that times out on a record: the retry replays the records applied before it and applies each once", async () => {
    const names = await tables();
    const records = [0, 1, 2, 3, 4].map((i) =>
      mskRecord("orders", 3, i, entityEvent(`t-${i}`, "order-8", i + 1), { key: "order-8" }),
    );
    // The first environment hangs on offset 3 until Lambda would kill it: it never answers.
    const hanging = consumer(names, (event) =>
      event.id === "t-3" ? new Promise<void>(() => undefined) : undefined,
    );
    void hanging(mskEvent(records));
    // Offsets 0-2 applied and their marks written (the group commit writes them while offset 3 hangs).
    await waitFor(
      async () => {
        for (const id of ["t-0", "t-1", "t-2"]) if (!(await markOf(names.idempotency, id))) return false;
        return (await item(names.effects, "entity#order-8"))?.applied?.N === "3";
      },
      { description: "offsets 0-2 applied and marked by the hanging invocation" },
    );
    // The event source retries the whole batch in a new environment. The marks of offsets 0-2 were
    // written while offset 3 hung (group commit), so only offsets 3 and 4 run.
    const retry = await consumer(names)(mskEvent(records));
    expect(retry).toMatchObject({ processed: 5, replayed: 3, failed: 0 });
    const entity = await item(names.effects, "entity#order-8");
    expect(entity?.applied?.N).toBe("5");
    expect(entity?.orderViolations).toBeUndefined();
  });

  it("records an event id reused with other content as poison (PayloadMismatch) and keeps the first effect", async () => {
    const names = await tables();
    const consume = consumer(names);
    await consume(
      mskEvent([mskRecord("orders", 4, 0, entityEvent("same-id", "order-9", 1), { key: "order-9" })]),
    );
    const reused = await consume(
      mskEvent([mskRecord("orders", 4, 1, entityEvent("same-id", "order-9", 2), { key: "order-9" })]),
    );
    expect(reused).toMatchObject({ processed: 0, poison: 1, failed: 0 });
    expect((await item(names.effects, "poison#orders-4-1"))?.errorType?.S).toBe("PayloadMismatch");
    expect((await item(names.effects, "entity#order-9"))?.lastSequence?.N).toBe("1");
  });

  it("fails the invocation when the completion marks cannot be written (the batch is then retried)", async () => {
    const names = await tables();
    const failing = new DynamoDBClient(emulatorClientConfig(dynalite.endpoint));
    const send = failing.send.bind(failing) as (command: unknown) => Promise<unknown>;
    (failing as unknown as { send: (command: unknown) => Promise<unknown> }).send = (command) =>
      command instanceof BatchWriteItemCommand
        ? Promise.reject(Object.assign(new Error("table unavailable"), { name: "InternalServerError" }))
        : send(command);
    try {
      const consume = createStreamConsumer({
        effects: createEntityEffects(client, names.effects),
        idempotency: createBatchIdempotency({
          tableName: names.idempotency,
          client: failing,
          keyPrefix: "test",
        }),
      });
      await expect(
        consume(
          mskEvent([mskRecord("orders", 5, 0, entityEvent("f-0", "order-10", 1), { key: "order-10" })]),
        ),
      ).rejects.toBeInstanceOf(CompletionMarkError);
    } finally {
      failing.destroy();
    }
  });

  it("MSK-02: after a partial batch failure, the retry from the failed offset re-applies nothing already applied", async () => {
    const names = await tables();
    const records = [0, 1, 2, 3].map((i) =>
      mskRecord("orders", 2, i, entityEvent(`p-${i}`, "order-4", i + 1), { key: "order-4" }),
    );
    // First attempt: the effect of offset 2 fails (transient).
    let attempts = 0;
    const flaky = createStreamConsumer({
      effects: createEntityEffects(client, names.effects),
      idempotency: createBatchIdempotency({
        tableName: names.idempotency,
        client,
        keyPrefix: "test",
      }),
      beforeEffect: (event) => {
        if (event.id === "p-2" && attempts++ === 0) throw new Error("throttled");
      },
    });
    const first = await flaky(mskEvent(records));
    expect(first.response.batchItemFailures.map((f) => f.itemIdentifier.offset)).toEqual([2, 3]);
    // The event source resumes from offset 2 (and may redeliver earlier ones too: idempotent).
    const second = await flaky(mskEvent(records));
    expect(second.response.batchItemFailures).toEqual([]);
    const entity = await item(names.effects, "entity#order-4");
    expect(entity?.applied?.N).toBe("4");
    expect(entity?.orderViolations).toBeUndefined();
  });

  it("MSK-01: records poison records (malformed JSON, schema violation, key mismatch) with their offsets and moves on", async () => {
    const names = await tables();
    const records = [
      mskRecord("orders", 0, 0, "{not json", { key: "order-5" }),
      mskRecord("orders", 0, 1, { hello: "world" }, { key: "order-5" }),
      mskRecord("orders", 0, 2, entityEvent("k", "order-6", 1), { key: "order-5" }),
      mskRecord("orders", 0, 3, entityEvent("ok", "order-5", 1), { key: "order-5" }),
    ];
    const outcome = await consumer(names)(mskEvent(records));
    expect(outcome.response.batchItemFailures).toEqual([]);
    expect(outcome).toMatchObject({ processed: 1, poison: 3 });
    expect((await item(names.effects, "poison#orders-0-0"))?.errorType?.S).toBe("MalformedJson");
    expect((await item(names.effects, "poison#orders-0-1"))?.errorType?.S).toBe("SchemaViolation");
    expect((await item(names.effects, "poison#orders-0-2"))?.reason?.S).toContain(
      "differs from data.entityId",
    );
    expect((await item(names.effects, "entity#order-5"))?.applied?.N).toBe("1");
  });
});

describe("the consumer handler (functions/msk-lambda-stream/consumer.ts)", () => {
  it("returns the Kafka partial batch response for an MSK event, with its environment", async () => {
    const names = await tables();
    const restore = useEmulatorEnv({ dynamodb: dynalite.endpoint });
    process.env.EFFECTS_TABLE_NAME = names.effects;
    process.env.IDEMPOTENCY_TABLE_NAME = names.idempotency;
    process.env.IDEMPOTENCY_EXPIRES_AFTER_SECONDS = "604800";
    try {
      const { handler } = await import("../../../functions/msk-lambda-stream/consumer.js");
      const context = {
        getRemainingTimeInMillis: () => 60_000,
        functionName: "consumer",
        awsRequestId: "req-1",
      } as Context;
      const event = mskEvent([
        mskRecord("orders", 0, 5, entityEvent("h-1", "order-7", 1), { key: "order-7" }),
        mskRecord("orders", 0, 6, "garbage", { key: "order-7" }),
      ]);
      const response = (await handler(event, context)) as KafkaBatchResponse;
      expect(response).toEqual({ batchItemFailures: [] });
      expect((await item(names.effects, "entity#order-7"))?.applied?.N).toBe("1");
      expect((await item(names.effects, "poison#orders-0-6"))?.errorType?.S).toBe("MalformedJson");
    } finally {
      restore();
      delete process.env.EFFECTS_TABLE_NAME;
      delete process.env.IDEMPOTENCY_TABLE_NAME;
      delete process.env.IDEMPOTENCY_EXPIRES_AFTER_SECONDS;
    }
  });
});
