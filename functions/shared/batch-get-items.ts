/**
 * `BatchGetItem` for any number of keys: DynamoDB takes at most 100 keys per call and may return some of
 * them as `UnprocessedKeys` (throttling, the 16 MB response limit); those are asked again, with a short
 * growing pause, until every key was answered. DynamoDB rejects a request naming the same key twice
 * (`ValidationException: Provided list of item keys contains duplicates`), so the keys are deduplicated
 * first. Used by the table readers beside their writers.
 */
import { type AttributeValue, BatchGetItemCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";

/** One DynamoDB item or key, in the low-level attribute-value form. */
export type DynamoItem = Record<string, AttributeValue>;

/** Options of {@link batchGetItems}. */
export interface BatchGetItemsOptions {
  /** Strongly consistent reads (a write just made is seen). @default false */
  readonly consistentRead?: boolean;
  /** Rounds of `UnprocessedKeys` retries before giving up. @default 10 */
  readonly maxRetries?: number;
}

/** Thrown when DynamoDB still leaves keys unprocessed after every retry. */
export class UnprocessedKeysError extends Error {
  override readonly name = "UnprocessedKeysError";
}

/**
 * Reads the items of `keys` from `tableName`: one item per distinct key that has one (a key requested
 * several times is asked, and answered, once); keys without an item are simply absent from the result.
 */
export async function batchGetItems(
  client: DynamoDBClient,
  tableName: string,
  requested: readonly DynamoItem[],
  { consistentRead = false, maxRetries = 10 }: BatchGetItemsOptions = {},
): Promise<DynamoItem[]> {
  const keys = [...new Map(requested.map((key) => [serializeKey(key), key])).values()];
  const items: DynamoItem[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let pending: DynamoItem[] = keys.slice(i, i + 100);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > maxRetries) {
        throw new UnprocessedKeysError(
          `${pending.length} keys of ${tableName} still unprocessed after ${maxRetries} retries`,
        );
      }
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const response = await client.send(
        new BatchGetItemCommand({
          RequestItems: { [tableName]: { Keys: pending, ConsistentRead: consistentRead } },
        }),
      );
      items.push(...(response.Responses?.[tableName] ?? []));
      pending = response.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return items;
}

/**
 * A key's identity: its attributes by name (the order of an object's properties is not part of a key),
 * each with its type and value (binary as base64).
 */
function serializeKey(key: DynamoItem): string {
  return JSON.stringify(
    Object.keys(key)
      .sort()
      .map((name) => {
        const value = key[name];
        if (value?.B !== undefined) return [name, "B", Buffer.from(value.B).toString("base64")];
        return [name, value?.S !== undefined ? "S" : "N", value?.S ?? value?.N];
      }),
  );
}
