/**
 * Turns a delivered body (an SQS record's, a Kafka record's value, …) into a validated CloudEvent,
 * or a {@link PermanentError} saying why not. Two steps, so every transport can reuse them:
 * {@link decodeBody} (size, JSON, envelope) and {@link validateCloudEvent} (envelope and `data` schema).
 *
 * Two envelopes reach a subscriber queue from SNS:
 * - `raw` (subscription `RawMessageDelivery: true`): the SQS body is the published message, here
 *   the CloudEvent JSON; SNS message attributes become SQS message attributes (at most 10).
 * - `sns` (raw delivery off): the body is the SNS notification JSON (`Type`, `MessageId`,
 *   `TopicArn`, `Message`, `MessageAttributes`, signature fields); `Message` is the CloudEvent.
 * Queues fed directly by producers (sqs-dlq-redrive) use `raw`.
 */
import type { SQSRecord } from "aws-lambda";
import * as z from "zod";
import { type CloudEvent, CloudEventSchema } from "./cloudevents.js";
import { PermanentError } from "./errors.js";

/**
 * The SNS notification as SNS writes it into an SQS body (raw delivery off). Same fields as
 * Powertools' `SnsSqsNotificationSchema`, declared here with `import * as z` so esbuild can
 * tree-shake zod: importing the Powertools schema module (`import { z }`) adds ~370 KB of zod
 * (locales included) to every consumer bundle.
 */
export const SnsSqsNotificationSchema = z.object({
  Type: z.literal("Notification"),
  MessageId: z.string(),
  TopicArn: z.string(),
  Subject: z.string().nullish(),
  Message: z.string(),
  Timestamp: z.iso.datetime({ offset: true }),
  MessageAttributes: z.record(z.string(), z.object({ Type: z.string(), Value: z.string() })).optional(),
  SequenceNumber: z.string().optional(),
  SignatureVersion: z.string().optional(),
  Signature: z.string().optional(),
  SigningCertURL: z.string().optional(),
  UnsubscribeURL: z.string().optional(),
});

/** How the CloudEvent is wrapped in the SQS body. */
export type MessageEnvelope = "raw" | "sns";

/** Known event types and the zod schema of each one's `data`; any other type is `UnknownEventType`. */
export type EventSchemaRegistry<TData> = Readonly<Record<string, z.ZodType<TData>>>;

/**
 * The SNS publish limit (256 KiB). No legitimate event published through SNS can be larger; a bigger
 * body (SQS accepts up to 1 MiB) did not come from the producer contract.
 */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

/** Options of {@link decodeCloudEvent}. */
export interface DecodeOptions<TData> {
  readonly envelope: MessageEnvelope;
  readonly schemas: EventSchemaRegistry<TData>;
  /** @default DEFAULT_MAX_BODY_BYTES */
  readonly maxBodyBytes?: number;
}

/**
 * Decodes and validates one SQS record (its `body`); throws {@link PermanentError} (`Oversize`,
 * `MalformedJson`, `SchemaViolation`, `UnknownEventType`). The SQS adapter of the event pipeline.
 */
export function decodeCloudEvent<TData>(record: SQSRecord, options: DecodeOptions<TData>): CloudEvent<TData> {
  return validateCloudEvent(decodeBody(record.body, options), options.schemas);
}

/**
 * Text → the CloudEvent candidate (parsed JSON, not yet validated): size check, JSON, and the SNS
 * envelope when `envelope` is `sns`. Transport-independent: an SQS body, a base64-decoded Kafka
 * record value or an HTTP push body all go through here.
 */
export function decodeBody(
  body: string,
  options: Pick<DecodeOptions<unknown>, "envelope" | "maxBodyBytes">,
): unknown {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (options.envelope === "raw") return parseJson(withinLimit(body, "body", maxBodyBytes), "body");
  // The limit is on the published message, not on the SNS envelope around it: the envelope adds
  // metadata and JSON-escapes the message, so a message near SNS's 256 KiB arrives in a larger body.
  const payload = parseJson(body, "body");
  const notification = SnsSqsNotificationSchema.safeParse(payload);
  if (!notification.success) {
    throw new PermanentError(
      "SchemaViolation",
      `body is not an SNS notification envelope: ${describeIssues(notification.error)}`,
    );
  }
  return parseJson(withinLimit(notification.data.Message, "SNS Message", maxBodyBytes), "SNS Message");
}

function withinLimit(text: string, what: string, maxBytes: number): string {
  const size = Buffer.byteLength(text, "utf8");
  if (size > maxBytes) throw new PermanentError("Oversize", `${what} is ${size} bytes, limit ${maxBytes}`);
  return text;
}

/**
 * A parsed value → a CloudEvent whose `data` is validated against its type's schema; throws
 * {@link PermanentError} (`SchemaViolation`, `UnknownEventType`). Used directly by transports that
 * hand over JSON already parsed (a Step Functions task input).
 */
export function validateCloudEvent<TData>(
  payload: unknown,
  schemas: EventSchemaRegistry<TData>,
): CloudEvent<TData> {
  const envelope = CloudEventSchema.safeParse(payload);
  if (!envelope.success) {
    throw new PermanentError("SchemaViolation", `not a CloudEvent: ${describeIssues(envelope.error)}`);
  }
  const schema = Object.hasOwn(schemas, envelope.data.type) ? schemas[envelope.data.type] : undefined;
  if (schema === undefined) {
    throw new PermanentError(
      "UnknownEventType",
      `type "${envelope.data.type}" is not one of ${Object.keys(schemas).join(", ")}`,
    );
  }
  const data = schema.safeParse(envelope.data.data);
  if (!data.success) {
    throw new PermanentError(
      "SchemaViolation",
      `data of ${envelope.data.type}: ${describeIssues(data.error, ["data"])}`,
    );
  }
  return { ...envelope.data, data: data.data };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PermanentError("MalformedJson", `${what} is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** One line per issue, `path: message`, so it fits an SQS message attribute. */
function describeIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): string {
  return error.issues
    .map((issue) => `${[...prefix, ...issue.path].map(String).join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
}
