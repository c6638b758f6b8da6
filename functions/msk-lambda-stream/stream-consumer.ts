/**
 * The example consumer as a plain function over the shared Kafka consumer (`../shared/kafka-consumer.ts`):
 * each Kafka record's value is a CloudEvent whose `data` names the entity and its per-entity sequence
 * number; the effect is applied once per CloudEvent `id` (batch idempotency), in partition order, and
 * poison records are recorded and skipped.
 */
import * as z from "zod";
import type { BatchIdempotency } from "../shared/batch-idempotency.js";
import { type CloudEvent, CloudEventSchema } from "../shared/cloudevents.js";
import { PermanentError } from "../shared/errors.js";
import { idempotencyPayload } from "../shared/event-pipeline.js";
import { createKafkaConsumer, type KafkaConsumerOutcome } from "../shared/kafka-consumer.js";
import type { DecodedKafkaRecord, KafkaEvent } from "../shared/kafka-event.js";
import type { EntityEffects } from "./entity-effects.js";

/** `data` of every event on the stream: the entity it is about and its position in that entity's history. */
export const EntityEventDataSchema = z.looseObject({
  entityId: z.string().min(1),
  sequence: z.number().int().nonnegative(),
});

/** Parses a record's value as a CloudEvent with entity data, or throws a {@link PermanentError}. */
export function parseEntityEvent(
  record: DecodedKafkaRecord,
): CloudEvent<z.infer<typeof EntityEventDataSchema>> {
  if (record.value === undefined)
    throw new PermanentError("EmptyValue", "the record has no value (tombstone)");
  let json: unknown;
  try {
    json = JSON.parse(record.value.toString("utf8"));
  } catch (error) {
    throw new PermanentError("MalformedJson", `value is not JSON: ${(error as Error).message}`);
  }
  const envelope = CloudEventSchema.safeParse(json);
  if (!envelope.success)
    throw new PermanentError("SchemaViolation", `not a CloudEvent: ${z.prettifyError(envelope.error)}`);
  const data = EntityEventDataSchema.safeParse(envelope.data.data);
  if (!data.success) throw new PermanentError("SchemaViolation", `data: ${z.prettifyError(data.error)}`);
  if (record.key !== undefined && record.key !== data.data.entityId) {
    throw new PermanentError(
      "SchemaViolation",
      `record key "${record.key}" differs from data.entityId "${data.data.entityId}"`,
    );
  }
  return { ...envelope.data, data: data.data };
}

/** Dependencies of {@link createStreamConsumer}. */
export interface StreamConsumerDependencies {
  readonly effects: EntityEffects;
  readonly idempotency: BatchIdempotency;
  /** Called before the effect (fault injection in the scenario). @default none */
  readonly beforeEffect?: (event: CloudEvent, record: DecodedKafkaRecord) => Promise<void> | void;
}

/** Builds the consumer: Kafka event in, outcome (with the partial batch response) out. */
export function createStreamConsumer(
  deps: StreamConsumerDependencies,
): (event: KafkaEvent) => Promise<KafkaConsumerOutcome> {
  return createKafkaConsumer({
    parse: parseEntityEvent,
    identify: (event) => ({ key: event.id, payload: idempotencyPayload(event) }),
    idempotency: deps.idempotency,
    work: async (event, record) => {
      await deps.beforeEffect?.(event, record);
      await deps.effects.apply({
        entityId: event.data.entityId,
        sequence: event.data.sequence,
        eventId: event.id,
      });
    },
    onPoison: (record, error) =>
      deps.effects.recordPoison({
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        type: error.type,
        reason: error.reason,
      }),
  });
}
