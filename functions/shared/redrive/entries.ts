import { createHash } from "node:crypto";
import type { Message, MessageAttributeValue, SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";

/** The message attribute the redrive tool increments on every message it moves. */
export const REDRIVE_COUNT_ATTRIBUTE = "redrive-count";

/** SQS accepts at most 10 message attributes per message. */
export const MAX_MESSAGE_ATTRIBUTES = 10;

/** What the destination needs for a send to be valid. */
export interface DestinationShape {
  readonly fifo: boolean;
  readonly contentBasedDeduplication: boolean;
}

/** A send entry, or why the message cannot be sent (it then stays in the DLQ). */
export type EntryResult = { ok: true; entry: SendMessageBatchRequestEntry } | { ok: false; reason: string };

/**
 * Builds the SendMessageBatch entry that re-sends `message` unchanged except for `redrive-count`:
 * - body and every message attribute (String, Number, Binary and custom types) preserved;
 * - `redrive-count` (Number) = previous value + 1, so consumers and operators can see how often a message
 *   came back, and a loop (redrive → fail → DLQ → redrive) is visible;
 * - FIFO: the original MessageGroupId (order within the group is kept by sending a group's messages in the
 *   order received) and MessageDeduplicationId (a crash between send and delete followed by a re-run within
 *   5 minutes is then deduplicated by SQS instead of delivered twice); when the DLQ did not return a
 *   deduplication id and the destination has no content-based deduplication, the SHA-256 of the body is used,
 *   which is exactly what content-based deduplication would have computed;
 * - the X-Ray `AWSTraceHeader` system attribute, so a trace continues across the redrive.
 */
export function buildSendEntry(id: string, message: Message, destination: DestinationShape): EntryResult {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (name === REDRIVE_COUNT_ATTRIBUTE) continue;
    attributes[name] = {
      DataType: value.DataType,
      ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { BinaryValue: value.BinaryValue } : {}),
    };
  }
  const previous = Number(message.MessageAttributes?.[REDRIVE_COUNT_ATTRIBUTE]?.StringValue ?? 0);
  attributes[REDRIVE_COUNT_ATTRIBUTE] = {
    DataType: "Number",
    StringValue: String(Number.isFinite(previous) ? previous + 1 : 1),
  };
  if (Object.keys(attributes).length > MAX_MESSAGE_ATTRIBUTES) {
    return {
      ok: false,
      reason: `message has ${MAX_MESSAGE_ATTRIBUTES} attributes already; SQS allows no room for ${REDRIVE_COUNT_ATTRIBUTE}`,
    };
  }
  const entry: SendMessageBatchRequestEntry = {
    Id: id,
    MessageBody: message.Body ?? "",
    MessageAttributes: attributes,
  };
  const trace = message.Attributes?.AWSTraceHeader;
  if (trace) entry.MessageSystemAttributes = { AWSTraceHeader: { DataType: "String", StringValue: trace } };
  if (destination.fifo) {
    const group = message.Attributes?.MessageGroupId;
    if (!group)
      return { ok: false, reason: "no MessageGroupId: a standard-queue message cannot go to a FIFO queue" };
    entry.MessageGroupId = group;
    const dedup = message.Attributes?.MessageDeduplicationId;
    if (dedup) entry.MessageDeduplicationId = dedup;
    else if (!destination.contentBasedDeduplication) {
      entry.MessageDeduplicationId = createHash("sha256")
        .update(message.Body ?? "")
        .digest("hex");
    }
  }
  return { ok: true, entry };
}
