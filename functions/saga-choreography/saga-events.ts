/**
 * Building and putting saga events. Every event is a CloudEvent (the EventBridge `detail`) with:
 * - `id` = `<orderId>:<type>`: each type happens at most once per order, so the id is deterministic,
 *   and a handler that is retried after its effect (or a PutEvents retried after a lost response)
 *   puts the same id again, which every consumer deduplicates;
 * - `correlationid` = the order ID (and `subject` too): ties every event of one saga together;
 * - `causationid` = the `id` of the event it reacts to (absent on OrderPlaced).
 * The PutEvents entry uses the CloudEvent `source` as `Source` and its `type` as `DetailType`, which
 * the rules match on.
 */
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import type { CloudEvent } from "../shared/cloudevents.js";
import { PermanentError, RetryableError } from "../shared/errors.js";
import type { SagaEventType } from "./flow.js";
import { type Order, orderOf, type SagaEventData } from "./order.js";

/** A saga event, `data` validated. */
export type SagaEvent = CloudEvent<SagaEventData>;

/** The deterministic event id of `type` for `orderId`. */
export function sagaEventId(orderId: string, type: SagaEventType): string {
  return `${orderId}:${type}`;
}

/** Options of {@link sagaEvent}. */
export interface SagaEventOptions {
  /** The emitting service's `source`. */
  readonly source: string;
  /** The event this one reacts to. @default - none (a first event, or the watchdog's) */
  readonly cause?: SagaEvent;
  readonly reason?: string;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

/** Builds the CloudEvent of `type` for `order` (see the module documentation). */
export function sagaEvent(type: SagaEventType, order: Order, options: SagaEventOptions): SagaEvent {
  const data: SagaEventData = { ...orderOf(order), ...(options.reason ? { reason: options.reason } : {}) };
  return {
    specversion: "1.0",
    id: sagaEventId(order.orderId, type),
    source: options.source,
    type,
    time: (options.clock ?? (() => new Date()))().toISOString(),
    subject: order.orderId,
    correlationid: order.orderId,
    ...(options.cause ? { causationid: options.cause.id } : {}),
    datacontenttype: "application/json",
    data,
  };
}

/** Where saga events go. */
export interface SagaEventBus {
  /** Puts the events; throws {@link RetryableError} when any entry failed (putting them again is safe). */
  put(events: readonly SagaEvent[]): Promise<void>;
}

/** PutEvents limits: 10 entries and 256 KiB per call. */
export const PUT_EVENTS_MAX_ENTRIES = 10;
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

/** The PutEvents entry of one event. */
export function putEventsEntry(eventBusName: string, event: SagaEvent): PutEventsRequestEntry {
  return {
    EventBusName: eventBusName,
    Source: event.source,
    DetailType: event.type,
    Detail: JSON.stringify(event),
    ...(event.time ? { Time: new Date(event.time) } : {}),
  };
}

/**
 * A {@link SagaEventBus} on EventBridge `PutEvents`. A partial failure (`FailedEntryCount` > 0, e.g.
 * `ThrottlingException` or `InternalFailure` per entry) is a {@link RetryableError} naming the codes:
 * the record is delivered again and every event put again under the same ids. An entry over 256 KiB
 * can never be put: {@link PermanentError} `Oversize`.
 */
export function createEventBridgeBus(client: EventBridgeClient, eventBusName: string): SagaEventBus {
  return {
    async put(events) {
      for (let start = 0; start < events.length; start += PUT_EVENTS_MAX_ENTRIES) {
        const entries = events
          .slice(start, start + PUT_EVENTS_MAX_ENTRIES)
          .map((e) => putEventsEntry(eventBusName, e));
        for (const entry of entries) {
          const size =
            Buffer.byteLength(entry.Detail ?? "") +
            Buffer.byteLength(entry.DetailType ?? "") +
            Buffer.byteLength(entry.Source ?? "");
          if (size > PUT_EVENTS_MAX_BYTES) {
            throw new PermanentError(
              "Oversize",
              `event ${entry.DetailType} is ${size} bytes; PutEvents allows ${PUT_EVENTS_MAX_BYTES}`,
            );
          }
        }
        const response = await client.send(new PutEventsCommand({ Entries: entries }));
        if ((response.FailedEntryCount ?? 0) > 0) {
          const codes = (response.Entries ?? []).flatMap((e) =>
            e.ErrorCode ? [`${e.ErrorCode}: ${e.ErrorMessage ?? ""}`] : [],
          );
          throw new RetryableError(
            `PutEvents failed for ${response.FailedEntryCount} of ${entries.length} entries (${codes.join("; ")})`,
          );
        }
      }
    },
  };
}
