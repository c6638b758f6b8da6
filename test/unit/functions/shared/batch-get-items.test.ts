import { BatchGetItemCommand, BatchWriteItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import {
  batchGetItems,
  type DynamoItem,
  UnprocessedKeysError,
} from "../../../../functions/shared/batch-get-items.ts";
import { createEffectsTable, emulatorClientConfig, startDynalite } from "../../../helpers/aws-emulators.js";

/** A table that answers every key with an item, leaving the first `unprocessedRounds` calls' last key unprocessed. */
function fakeTable(unprocessedRounds: number) {
  const calls: DynamoItem[][] = [];
  const client = {
    send: async (command: BatchGetItemCommand) => {
      expect(command).toBeInstanceOf(BatchGetItemCommand);
      const keys = command.input.RequestItems?.t?.Keys ?? [];
      calls.push(keys);
      const leave = calls.length <= unprocessedRounds ? keys.slice(-1) : [];
      const answered = keys.slice(0, keys.length - leave.length);
      return {
        Responses: { t: answered.map((k) => ({ ...k, found: { BOOL: true } })) },
        UnprocessedKeys: leave.length > 0 ? { t: { Keys: leave } } : {},
      };
    },
  };
  return { client: client as unknown as DynamoDBClient, calls };
}

const keys = (n: number): DynamoItem[] => Array.from({ length: n }, (_, i) => ({ pk: { S: `k${i}` } }));

describe("batchGetItems", () => {
  it("asks each distinct key once (DynamoDB rejects a BatchGetItem with duplicate keys) and answers every requested key", async () => {
    const dynalite = await startDynalite();
    const client = new DynamoDBClient(emulatorClientConfig(dynalite.endpoint));
    try {
      await createEffectsTable(client, "effects");
      const key = (eventId: string): DynamoItem => ({
        subscriber: { S: "billing" },
        eventId: { S: eventId },
      });
      await client.send(
        new BatchWriteItemCommand({
          RequestItems: {
            effects: ["e1", "e2"].map((id) => ({ PutRequest: { Item: { ...key(id), n: { N: "1" } } } })),
          },
        }),
      );
      // The same key twice, once with its attributes in the other order, and across two 100-key chunks.
      const swapped: DynamoItem = { eventId: { S: "e1" }, subscriber: { S: "billing" } };
      const requested = [key("e1"), key("e2"), swapped, ...Array.from({ length: 100 }, () => key("e2"))];
      const items = await batchGetItems(client, "effects", requested, { consistentRead: true });
      expect(items.map((i) => i.eventId?.S).sort()).toEqual(["e1", "e2"]);
    } finally {
      client.destroy();
      await dynalite.stop();
    }
  });

  it("asks at most 100 keys per call and asks unprocessed keys again", async () => {
    const { client, calls } = fakeTable(1);
    const items = await batchGetItems(client, "t", keys(150), { consistentRead: true });
    expect(items.map((i) => i.pk?.S).sort()).toEqual(
      keys(150)
        .map((k) => k.pk?.S)
        .sort(),
    );
    expect(calls.map((c) => c.length)).toEqual([100, 1, 50]);
  });

  it("gives up with a typed error when keys stay unprocessed", async () => {
    const { client } = fakeTable(Number.POSITIVE_INFINITY);
    await expect(batchGetItems(client, "t", keys(2), { maxRetries: 2 })).rejects.toBeInstanceOf(
      UnprocessedKeysError,
    );
  });
});
