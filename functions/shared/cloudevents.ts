/**
 * CloudEvents 1.0 (JSON format) envelope used by every event in this repository.
 *
 * The producer sets `id`; consumers use it as the idempotency key. It is never the SQS message ID,
 * which changes on redrive and differs per subscriber queue.
 * See https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md
 */
import { randomUUID } from "node:crypto";
import * as z from "zod";

/** Schema of the envelope, with `data` left open; the consumer validates it per event type. */
export const CloudEventSchema = z.object({
  specversion: z.literal("1.0"),
  id: z.string().min(1),
  source: z.string().min(1),
  type: z.string().min(1),
  time: z.iso.datetime({ offset: true }).optional(),
  subject: z.string().min(1).optional(),
  correlationid: z.string().min(1).optional(),
  /** Extension attribute: the `id` of the event this one reacts to (saga choreography). */
  causationid: z.string().min(1).optional(),
  datacontenttype: z.string().optional(),
  data: z.unknown(),
});

/** A CloudEvent whose `data` has been validated as `T`. */
export type CloudEvent<T = unknown> = Omit<z.infer<typeof CloudEventSchema>, "data"> & { data: T };

/** What a producer supplies for one event; the builder fills in the envelope. */
export interface DomainEventInput {
  readonly type: string;
  readonly data: Record<string, unknown>;
  /** Producer-chosen id; a retrying producer reuses it so consumers can deduplicate. @default a random UUID */
  readonly id?: string;
  readonly subject?: string;
  /** Ties events of one business flow together. @default the event id */
  readonly correlationid?: string;
  /** The `id` of the event this one reacts to. @default - none (a first event) */
  readonly causationid?: string;
}

/** Dependencies of {@link buildCloudEvent}, injectable for deterministic tests. */
export interface CloudEventBuildOptions {
  /** CloudEvents `source`, e.g. `orders-service`. */
  readonly source: string;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** @default crypto.randomUUID */
  readonly newId?: () => string;
}

/** Wraps a domain event in a CloudEvents 1.0 JSON envelope. */
export function buildCloudEvent(
  input: DomainEventInput,
  { source, clock = () => new Date(), newId = randomUUID }: CloudEventBuildOptions,
): CloudEvent<Record<string, unknown>> {
  const id = input.id ?? newId();
  return {
    specversion: "1.0",
    id,
    source,
    type: input.type,
    time: clock().toISOString(),
    ...(input.subject === undefined ? {} : { subject: input.subject }),
    correlationid: input.correlationid ?? id,
    ...(input.causationid === undefined ? {} : { causationid: input.causationid }),
    datacontenttype: "application/json",
    data: input.data,
  };
}
