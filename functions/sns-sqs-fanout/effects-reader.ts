/**
 * The reader of the effects table written by `effects.ts` (partition key `subscriber`, sort key
 * `eventId`; `applications` counts how many times the effect was applied, `firstAppliedAt` is the ISO
 * time of the first). Scenarios call this instead of parsing the layout themselves, so a change of the
 * item shape is made here, beside its writer.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { batchGetItems, type DynamoItem } from "../shared/batch-get-items.js";

/** Which effect: one subscriber's effect of one event. */
export interface EffectKey {
  readonly subscriber: string;
  readonly eventId: string;
}

/** An applied effect as the table records it. */
export interface AppliedEffect extends EffectKey {
  /** Times the effect was applied: 1 when exactly once. */
  readonly applications: number;
  /** When it was first applied (epoch ms). */
  readonly firstAppliedAt: number;
}

/** Parses one item of the effects table. */
export function parseEffectItem(item: DynamoItem): AppliedEffect {
  return {
    subscriber: item.subscriber?.S ?? "",
    eventId: item.eventId?.S ?? "",
    applications: Number(item.applications?.N ?? "0"),
    firstAppliedAt: Date.parse(item.firstAppliedAt?.S ?? "") || 0,
  };
}

/** Reads the effects of `keys` (strongly consistent); keys whose effect was never applied are absent. */
export async function readEffects(
  client: DynamoDBClient,
  tableName: string,
  keys: readonly EffectKey[],
): Promise<AppliedEffect[]> {
  const items = await batchGetItems(
    client,
    tableName,
    keys.map((k) => ({ subscriber: { S: k.subscriber }, eventId: { S: k.eventId } })),
    { consistentRead: true },
  );
  return items.map(parseEffectItem);
}
