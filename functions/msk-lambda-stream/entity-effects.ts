/**
 * The example consumer's effects in one table (`pk` (S)):
 * - `entity#<entityId>`: `applied` (how many events were applied), `lastSequence` (the highest
 *   per-entity sequence number applied) and `orderViolations` (events that arrived with a sequence
 *   at or below `lastSequence`). With per-key ordering and idempotency working, `applied` equals the
 *   number of events of the entity and `orderViolations` is absent.
 * - `poison#<topic>-<partition>-<offset>`: a skipped poison record with its error type and reason.
 */
import { type DynamoDBClient, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { isConditionalCheckFailed } from "../shared/conditional-effect.js";

/** One applied event of an entity. */
export interface EntityEffect {
  readonly entityId: string;
  readonly sequence: number;
  readonly eventId: string;
}

/** A skipped poison record. */
export interface PoisonRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly type: string;
  readonly reason: string;
}

/** Writes the effects. */
export interface EntityEffects {
  apply(effect: EntityEffect): Promise<{ inOrder: boolean }>;
  recordPoison(record: PoisonRecord): Promise<void>;
}

/** {@link EntityEffects} on DynamoDB. */
export function createEntityEffects(
  client: DynamoDBClient,
  tableName: string,
  clock: () => Date = () => new Date(),
): EntityEffects {
  return {
    async apply({ entityId, sequence, eventId }) {
      const Key = { pk: { S: `entity#${entityId}` } };
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key,
            UpdateExpression: "ADD applied :one SET lastSequence = :seq, lastEventId = :id, updatedAt = :now",
            ConditionExpression: "attribute_not_exists(lastSequence) OR lastSequence < :seq",
            ExpressionAttributeValues: {
              ":one": { N: "1" },
              ":seq": { N: String(sequence) },
              ":id": { S: eventId },
              ":now": { S: clock().toISOString() },
            },
          }),
        );
        return { inOrder: true };
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key,
          UpdateExpression: "ADD applied :one, orderViolations :one",
          ExpressionAttributeValues: { ":one": { N: "1" } },
        }),
      );
      return { inOrder: false };
    },
    async recordPoison({ topic, partition, offset, type, reason }) {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            pk: { S: `poison#${topic}-${partition}-${offset}` },
            topic: { S: topic },
            partition: { N: String(partition) },
            offset: { N: String(offset) },
            errorType: { S: type },
            reason: { S: reason.slice(0, 1000) },
            recordedAt: { S: clock().toISOString() },
          },
        }),
      );
    },
  };
}
