/**
 * CloudEvents ⇄ Pub/Sub messages in the binary content mode of the CloudEvents Pub/Sub protocol
 * binding (https://github.com/cloudevents/spec/blob/main/cloudevents/bindings/google-cloud-pubsub-protocol-binding.md):
 * every context attribute becomes a `ce-<name>` message attribute (`ce-id`, `ce-source`, `ce-type`,
 * `ce-specversion`, `ce-time`, `ce-subject`, extensions such as `ce-correlationid`), `datacontenttype`
 * becomes the `content-type` attribute, and the message data is the event's `data` as-is (JSON text).
 * Subscribers on Google Cloud (Eventarc, Cloud Run, Functions Framework) read this shape natively.
 */
import type { CloudEvent } from "../shared/cloudevents.js";
import { PermanentError } from "../shared/errors.js";

/** Pub/Sub's limit on attribute values is 1024 bytes, on keys 256 bytes. */
export const MAX_ATTRIBUTE_VALUE_BYTES = 1024;

/** A message to publish: the shape `topic.publishMessage()` takes. */
export interface PubsubMessageInput {
  readonly data: Buffer;
  readonly attributes: Record<string, string>;
  readonly orderingKey?: string;
}

/** A CloudEvent → a binary-mode Pub/Sub message; `orderingKey` when the source is ordered (FIFO). */
export function toPubsubMessage(event: CloudEvent, orderingKey?: string): PubsubMessageInput {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(event)) {
    if (name === "data" || name === "datacontenttype" || value === undefined || value === null) continue;
    const text = typeof value === "string" ? value : JSON.stringify(value);
    if (Buffer.byteLength(text) > MAX_ATTRIBUTE_VALUE_BYTES) {
      throw new PermanentError(
        "Oversize",
        `CloudEvent attribute ${name} is ${Buffer.byteLength(text)} bytes; Pub/Sub allows ${MAX_ATTRIBUTE_VALUE_BYTES}`,
      );
    }
    attributes[`ce-${name.toLowerCase()}`] = text;
  }
  const contentType = event.datacontenttype ?? "application/json";
  attributes["content-type"] = contentType;
  const data =
    typeof event.data === "string" && !contentType.includes("json")
      ? Buffer.from(event.data, "utf8")
      : Buffer.from(JSON.stringify(event.data ?? null), "utf8");
  return { data, attributes, ...(orderingKey ? { orderingKey } : {}) };
}

/**
 * A binary-mode Pub/Sub message → the CloudEvent candidate (validated afterwards by the event
 * pipeline). Throws {@link PermanentError} `SchemaViolation` when the required `ce-` attributes are
 * missing and `MalformedJson` when JSON data does not parse.
 */
export function fromPubsubMessage(attributes: Readonly<Record<string, string>>, data: Buffer): unknown {
  const lower = Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k.toLowerCase(), v]));
  const missing = ["id", "source", "type", "specversion"].filter((name) => !lower[`ce-${name}`]);
  if (missing.length > 0) {
    throw new PermanentError(
      "SchemaViolation",
      `not a binary-mode CloudEvent: missing attribute(s) ${missing.map((m) => `ce-${m}`).join(", ")}`,
    );
  }
  const event: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(lower)) {
    if (key.startsWith("ce-")) event[key.slice(3)] = value;
  }
  const contentType = lower["content-type"] ?? lower["ce-datacontenttype"] ?? "application/json";
  delete event.datacontenttype;
  event.datacontenttype = contentType;
  if (contentType.includes("json")) {
    try {
      event.data = data.length === 0 ? null : JSON.parse(data.toString("utf8"));
    } catch (error) {
      throw new PermanentError("MalformedJson", `message data is not JSON: ${(error as Error).message}`);
    }
  } else {
    event.data = data.toString("utf8");
  }
  return event;
}
