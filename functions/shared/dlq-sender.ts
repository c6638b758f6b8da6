/**
 * Sends a permanently failing record to a dead-letter queue at once, instead of letting it burn
 * `maxReceiveCount` retries. The DLQ message keeps the original body and message attributes and
 * adds `error.type` and `error.reason` (String), so an operator (or a redrive tool) can see why.
 *
 * The send must never fail on size: SQS counts a message as its body plus, per attribute, the name,
 * data type and value bytes, against the DLQ's `MaximumMessageSize`. The constructs give consumed
 * queues 262,144 bytes (what SNS and the publisher can deliver end to end) and their DLQs 1,048,576
 * (the SQS maximum), so a copy of any consumed message plus its reason fits with room to spare. The
 * sender still budgets every byte, so a DLQ with a smaller maximum (an older deployment) or a body
 * near the maximum gets a truncated reason (then fewer original attributes) instead of a rejected
 * send, which would retry the record and finally dead-letter it without any reason.
 */
import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import type { PermanentError } from "./errors.js";

/** Sends `record` to a DLQ because of `error`; must throw if the record was not stored. */
export type DlqSender = (record: SQSRecord, error: PermanentError) => Promise<void>;

/** SQS allows at most 10 message attributes per message; two are taken by `error.type`/`error.reason`. */
export const MAX_ORIGINAL_ATTRIBUTES = 8;

/** Kept before any other original attribute (the redrive tool's counter). */
const KEPT_FIRST = "redrive-count";

/** Longest `error.reason` (UTF-8 bytes) when the message has room; keeps reasons readable. */
export const MAX_REASON_LENGTH = 1024;

/** The DLQs' `MaximumMessageSize` in this repository's constructs (the SQS maximum, 1 MiB). */
export const DLQ_MAX_MESSAGE_BYTES = 1_048_576;

/** Options of {@link createSqsDlqSender}. */
export interface SqsDlqSenderOptions {
  readonly sqs: SQSClient;
  /** The DLQ's URL; a URL ending in `.fifo` is a FIFO queue. */
  readonly queueUrl: string;
  /** The DLQ's `MaximumMessageSize`. @default DLQ_MAX_MESSAGE_BYTES (1,048,576) */
  readonly maxMessageBytes?: number;
}

/**
 * A {@link DlqSender} backed by SQS `SendMessage`. For a FIFO DLQ the message keeps its
 * `MessageGroupId` and uses the source SQS message ID as `MessageDeduplicationId`, so a retried
 * send of the same delivery is deduplicated while distinct deliveries are kept.
 */
export function createSqsDlqSender({ sqs, queueUrl, maxMessageBytes }: SqsDlqSenderOptions): DlqSender {
  const fifo = queueUrl.endsWith(".fifo");
  return async (record, error) => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: record.body,
        MessageAttributes: dlqMessageAttributes(record, error, maxMessageBytes),
        ...(fifo
          ? {
              MessageGroupId: record.attributes.MessageGroupId ?? "dead-letter",
              MessageDeduplicationId: record.messageId,
            }
          : {}),
      }),
    );
  };
}

/** Thrown when not even the body and `error.type` fit the DLQ's maximum message size. */
export class DlqMessageTooLargeError extends Error {
  override readonly name = "DlqMessageTooLargeError";
}

/**
 * `error.type`, `error.reason` (cut to {@link MAX_REASON_LENGTH} bytes, and further to fit
 * `maxMessageBytes`), then the original attributes (`redrive-count`, then the first
 * {@link MAX_ORIGINAL_ATTRIBUTES} by name, stale `error.*` dropped) while they fit. The total of body +
 * attributes never exceeds `maxMessageBytes`.
 *
 * An original attribute that is not kept (beyond the 8, or too large for the room left) is named in
 * `error.reason` — `<reason> [message attributes not kept: a, b]` — so an operator knows the DLQ copy is
 * not the whole message. The names come out of the same budget: the reason itself is cut first, and the
 * names too when not even they fit.
 */
export function dlqMessageAttributes(
  record: SQSRecord,
  error: PermanentError,
  maxMessageBytes: number = DLQ_MAX_MESSAGE_BYTES,
): Record<string, MessageAttributeValue> {
  const typeValue = xmlSafe(error.type);
  const fixed =
    Buffer.byteLength(record.body, "utf8") +
    attributeBytes("error.type", "String", Buffer.byteLength(typeValue, "utf8")) +
    attributeBytes("error.reason", "String", 0);
  let room = maxMessageBytes - fixed;
  if (room < 1) {
    throw new DlqMessageTooLargeError(
      `the DLQ copy would be ${fixed + 1} bytes or more (body ${Buffer.byteLength(record.body, "utf8")}), above the DLQ's ${maxMessageBytes}`,
    );
  }
  const baseReason = xmlSafe(error.reason) || typeValue;
  // `redrive-count` first: the redrive tool recognises a message it already moved by body and count, so a
  // DLQ copy that dropped the count would look new to it (the planned depth still bounds the run).
  const names = Object.keys(record.messageAttributes ?? {})
    .filter((name) => !name.startsWith("error."))
    .sort((a, b) => Number(b === KEPT_FIRST) - Number(a === KEPT_FIRST) || (a < b ? -1 : a > b ? 1 : 0));
  const notKept = names.slice(MAX_ORIGINAL_ATTRIBUTES);
  let reason = composeReason(baseReason, notKept, Math.min(MAX_REASON_LENGTH, room));
  room -= Buffer.byteLength(reason, "utf8");

  const attributes: Record<string, MessageAttributeValue> = {};
  const tooLarge: string[] = [];
  for (const name of names.slice(0, MAX_ORIGINAL_ATTRIBUTES)) {
    const value = record.messageAttributes[name];
    let attribute: MessageAttributeValue | undefined;
    let valueBytes = 0;
    if (value?.stringValue !== undefined) {
      attribute = { DataType: value.dataType, StringValue: value.stringValue };
      valueBytes = Buffer.byteLength(value.stringValue, "utf8");
    } else if (value?.binaryValue !== undefined) {
      attribute = { DataType: value.dataType, BinaryValue: Buffer.from(value.binaryValue, "base64") };
      valueBytes = value.binaryValue.length; // the base64 text: never less than the raw bytes
    }
    if (attribute === undefined) continue;
    const size = attributeBytes(name, value?.dataType ?? "", valueBytes);
    if (size > room) {
      tooLarge.push(name);
      continue;
    }
    attributes[name] = attribute;
    room -= size;
  }
  if (tooLarge.length > 0) {
    // The reason may grow into the room the attributes left, never beyond it.
    const budget = Math.min(MAX_REASON_LENGTH, Buffer.byteLength(reason, "utf8") + room);
    reason = composeReason(baseReason, [...tooLarge, ...notKept], budget);
  }
  attributes["error.type"] = { DataType: "String", StringValue: typeValue };
  attributes["error.reason"] = { DataType: "String", StringValue: reason || "?" };
  return attributes;
}

/**
 * `reason`, then ` [message attributes not kept: a, b]` when `notKept` names any, in at most `maxBytes`
 * UTF-8 bytes: the reason is cut first (keeping at least its first 256 bytes), then the whole.
 */
function composeReason(reason: string, notKept: readonly string[], maxBytes: number): string {
  if (notKept.length === 0) return truncateUtf8(reason, maxBytes);
  const suffix = ` [message attributes not kept: ${notKept.join(", ")}]`;
  const reasonBudget = Math.max(maxBytes - Buffer.byteLength(suffix, "utf8"), Math.min(maxBytes, 256));
  return truncateUtf8(truncateUtf8(reason, reasonBudget) + suffix, maxBytes);
}

/** What SQS counts for one attribute: name, data type and value, in bytes. */
function attributeBytes(name: string, dataType: string, valueBytes: number): number {
  return Buffer.byteLength(name, "utf8") + Buffer.byteLength(dataType, "utf8") + valueBytes;
}

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes, never splitting a character. */
function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  let out = "";
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, "utf8");
    if (bytes + size > maxBytes) break;
    out += char;
    bytes += size;
  }
  return out;
}

/**
 * SQS accepts only these characters in attribute values (#x9, #xA, #xD, #x20–#xD7FF, #xE000–#xFFFD,
 * #x10000–#x10FFFF); a reason quoting a bad body (e.g. a NUL byte) would make the send fail.
 */
function xmlSafe(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters SQS refuses
  return text.replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "?");
}
