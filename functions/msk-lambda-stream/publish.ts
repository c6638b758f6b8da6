/**
 * Publishing CloudEvents to a Kafka topic keyed by entity ID: Kafka's default partitioner hashes
 * the key (murmur2), so every event of one entity lands on one partition and is consumed in the
 * order it was produced (per-key order); the CloudEvent `id` is the consumer's idempotency key.
 */
import { buildCloudEvent, type CloudEvent } from "../shared/cloudevents.js";
import { PermanentError } from "../shared/errors.js";

/** One event to publish. */
export interface EntityEventInput {
  /** The entity the event is about: the Kafka record key. */
  readonly entityId: string;
  /** The event's position in the entity's history (the consumer detects order violations with it). */
  readonly sequence: number;
  readonly type: string;
  readonly data?: Record<string, unknown>;
  /** A retrying caller reuses the id so the consumer applies the event once. @default a random UUID */
  readonly id?: string;
}

/** A record as the Kafka client sends it. */
export interface OutgoingRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

/** The smallest producer surface this needs (a @platformatic/kafka `Producer` with string serializers). */
export interface RecordSender {
  send(options: {
    messages: OutgoingRecord[];
  }): Promise<{ offsets?: { topic: string; partition: number; offset: bigint | number }[] }>;
}

/** Builds the records for `inputs` (validated; a bad input is a {@link PermanentError}). */
export function buildEntityRecords(
  topic: string,
  inputs: readonly EntityEventInput[],
  options: { source: string; clock?: () => Date; newId?: () => string },
): { records: OutgoingRecord[]; events: CloudEvent<Record<string, unknown>>[] } {
  const events = inputs.map((input, i) => {
    if (typeof input.entityId !== "string" || input.entityId === "") {
      throw new PermanentError("SchemaViolation", `events[${i}].entityId must be a non-empty string`);
    }
    if (!Number.isInteger(input.sequence) || input.sequence < 0) {
      throw new PermanentError("SchemaViolation", `events[${i}].sequence must be a non-negative integer`);
    }
    if (typeof input.type !== "string" || input.type === "") {
      throw new PermanentError("SchemaViolation", `events[${i}].type must be a non-empty string`);
    }
    return buildCloudEvent(
      {
        type: input.type,
        id: input.id,
        subject: input.entityId,
        data: { ...input.data, entityId: input.entityId, sequence: input.sequence },
      },
      options,
    );
  });
  const records = events.map((event) => ({
    topic,
    key: event.subject as string,
    value: JSON.stringify(event),
    headers: { "ce-id": event.id, "ce-type": event.type, "content-type": "application/cloudevents+json" },
  }));
  return { records, events };
}

/** Publishes `inputs` in one send (acks and idempotence are the producer's settings) and returns their ids. */
export async function publishEntityEvents(
  producer: RecordSender,
  topic: string,
  inputs: readonly EntityEventInput[],
  options: { source: string; clock?: () => Date; newId?: () => string },
): Promise<{ ids: string[]; partitions: { partition: number; offset: string }[] }> {
  if (inputs.length === 0) return { ids: [], partitions: [] };
  const { records, events } = buildEntityRecords(topic, inputs, options);
  const result = await producer.send({ messages: records });
  return {
    ids: events.map((e) => e.id),
    partitions: (result.offsets ?? []).map((o) => ({ partition: o.partition, offset: String(o.offset) })),
  };
}
