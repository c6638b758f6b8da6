/**
 * The example side effect: one item per (subscriber, event id) in the effects table, counting how
 * many times the effect was applied. With idempotency working, `applications` is always 1; a
 * duplicate effect shows up as 2, which is how a scenario counts exactly-once effects.
 */
import { type DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import type { CloudEvent } from "../shared/cloudevents.js";

/** Applies the effect of one event. */
export type EffectRecorder = (event: CloudEvent) => Promise<void>;

/** Options of {@link createEffectRecorder}. */
export interface EffectRecorderOptions {
  readonly client: DynamoDBClient;
  /** Table with partition key `subscriber` (S) and sort key `eventId` (S). */
  readonly tableName: string;
  readonly subscriber: string;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

/**
 * `UpdateItem`: `ADD applications :one SET firstAppliedAt = if_not_exists(firstAppliedAt, :now), type = :type`.
 * Deliberately not conditional: it is the idempotency layer's job to prevent the second application.
 */
export function createEffectRecorder({
  client,
  tableName,
  subscriber,
  clock = () => new Date(),
}: EffectRecorderOptions): EffectRecorder {
  return async (event) => {
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { subscriber: { S: subscriber }, eventId: { S: event.id } },
        UpdateExpression:
          "ADD applications :one SET firstAppliedAt = if_not_exists(firstAppliedAt, :now), #type = :type",
        ExpressionAttributeNames: { "#type": "type" },
        ExpressionAttributeValues: {
          ":one": { N: "1" },
          ":now": { S: clock().toISOString() },
          ":type": { S: event.type },
        },
      }),
    );
  };
}
