/**
 * The batch reader of the effects table written by `effects.ts` (see the layout there): scenarios read
 * hundreds of effects per poll, one `BatchGetItem` per 100 keys instead of one `GetItem` each, and never
 * parse the layout themselves ({@link parseEffectItem} does, beside the writer).
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { batchGetItems } from "../shared/batch-get-items.js";
import { type EffectItem, parseEffectItem } from "./effects.js";

/** Which effect: one subscriber's effect of one event. */
export interface EffectKey {
  readonly subscriber: string;
  readonly eventId: string;
}

/** Reads the effects of `keys` (strongly consistent); keys whose effect was never applied are absent. */
export async function readEffects(
  client: DynamoDBClient,
  tableName: string,
  keys: readonly EffectKey[],
): Promise<EffectItem[]> {
  const items = await batchGetItems(
    client,
    tableName,
    keys.map((k) => ({ subscriber: { S: k.subscriber }, eventId: { S: k.eventId } })),
    { consistentRead: true },
  );
  return items.map(parseEffectItem);
}
