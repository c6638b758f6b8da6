import { createHash } from "node:crypto";
import type { Message, MessageAttributeValue, SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";
import { MAX_BATCH_BYTES, messageSizeBytes } from "./batches.ts";

/** The message attribute the redrive tool increments on every message it moves. */
export const REDRIVE_COUNT_ATTRIBUTE = "redrive-count";

/** SQS accepts at most 10 message attributes per message. */
export const MAX_MESSAGE_ATTRIBUTES = 10;

/**
 * Attributes that describe the failure that dead-lettered the message (`error.type`, `error.reason`, as the
 * consumers' DLQ sender writes them). They are stale once the message is redriven: dropped on the way back.
 */
export const ERROR_ATTRIBUTE_PREFIX = "error.";

/** What the destination needs for a send to be valid. */
export interface DestinationShape {
  readonly fifo: boolean;
  readonly contentBasedDeduplication: boolean;
  /** The destination's `MaximumMessageSize` in bytes. @default 1048576 (the SQS maximum) */
  readonly maximumMessageSize?: number;
}

/**
 * A send entry with its size as SQS counts it (and a warning when it goes without `redrive-count`), or why
 * the message cannot be sent (it then stays in the DLQ).
 */
export type EntryResult =
  | { ok: true; entry: SendMessageBatchRequestEntry; size: number; warning?: string }
  | { ok: false; reason: string };

/**
 * Builds the SendMessageBatch entry that re-sends `message` unchanged except for its failure attributes
 * and `redrive-count`:
 * - body and every message attribute (String, Number, Binary and custom types) preserved, except the stale
 *   `error.*` ones: they explain the last failure, would mislead if the message failed differently (or
 *   reached the DLQ again through the RedrivePolicy, which adds none), and take 2 of SQS's 10 attribute slots
 *   (the DLQ sender keeps 8 originals + 2 `error.*`, so without dropping them there is no room for the count);
 * - `redrive-count` (Number) = previous value + 1, so consumers and operators can see how often a message
 *   came back, and a loop (redrive → fail → DLQ → redrive) is visible. A message that already has 10 other
 *   attributes (dead-lettered by the RedrivePolicy), or that the count would push over the destination's
 *   maximum size, is moved without it rather than left behind, with a warning: no DLQ entry is refused
 *   for want of attribute room;
 * - a message larger than the destination's `MaximumMessageSize` is refused with its size (a DLQ may allow
 *   more than its source queue), before any call;
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
    if (name === REDRIVE_COUNT_ATTRIBUTE || name.startsWith(ERROR_ATTRIBUTE_PREFIX)) continue;
    attributes[name] = {
      DataType: value.DataType,
      ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { BinaryValue: value.BinaryValue } : {}),
    };
  }
  const maximum = destination.maximumMessageSize ?? MAX_BATCH_BYTES;
  const body = message.Body ?? "";
  const withoutCount = messageSizeBytes({ MessageBody: body, MessageAttributes: attributes });
  if (withoutCount > maximum) {
    return {
      ok: false,
      reason: `message is ${withoutCount} bytes (body + attributes), above the destination's MaximumMessageSize ${maximum}`,
    };
  }
  const previous = Number(message.MessageAttributes?.[REDRIVE_COUNT_ATTRIBUTE]?.StringValue ?? 0);
  const count: MessageAttributeValue = {
    DataType: "Number",
    StringValue: String(Number.isFinite(previous) ? previous + 1 : 1),
  };
  const countSize = messageSizeBytes({ MessageAttributes: { [REDRIVE_COUNT_ATTRIBUTE]: count } });
  let warning: string | undefined;
  if (Object.keys(attributes).length >= MAX_MESSAGE_ATTRIBUTES) {
    warning = `moved without ${REDRIVE_COUNT_ATTRIBUTE}: the message has ${MAX_MESSAGE_ATTRIBUTES} other attributes, the SQS maximum`;
  } else if (withoutCount + countSize > maximum) {
    warning = `moved without ${REDRIVE_COUNT_ATTRIBUTE}: with it the message would exceed the destination's MaximumMessageSize ${maximum}`;
  } else {
    attributes[REDRIVE_COUNT_ATTRIBUTE] = count;
  }
  const entry: SendMessageBatchRequestEntry = {
    Id: id,
    MessageBody: body,
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
  const size = warning ? withoutCount : withoutCount + countSize;
  return { ok: true, entry, size, ...(warning ? { warning } : {}) };
}
