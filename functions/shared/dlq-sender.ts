/**
 * Sends a permanently failing record to a dead-letter queue at once, instead of letting it burn
 * `maxReceiveCount` retries. The DLQ message keeps the original body and message attributes and
 * adds `error.type` and `error.reason` (String), so an operator (or a redrive tool) can see why.
 */
import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import type { PermanentError } from "./errors.js";

/** Sends `record` to a DLQ because of `error`; must throw if the record was not stored. */
export type DlqSender = (record: SQSRecord, error: PermanentError) => Promise<void>;

/** SQS allows at most 10 message attributes per message; two are taken by `error.type`/`error.reason`. */
export const MAX_ORIGINAL_ATTRIBUTES = 8;

/** SQS caps a message attribute value only by the message size; keep reasons readable. */
export const MAX_REASON_LENGTH = 1024;

/** Options of {@link createSqsDlqSender}. */
export interface SqsDlqSenderOptions {
  readonly sqs: SQSClient;
  /** The DLQ's URL; a URL ending in `.fifo` is a FIFO queue. */
  readonly queueUrl: string;
}

/**
 * A {@link DlqSender} backed by SQS `SendMessage`. For a FIFO DLQ the message keeps its
 * `MessageGroupId` and uses the source SQS message ID as `MessageDeduplicationId`, so a retried
 * send of the same delivery is deduplicated while distinct deliveries are kept.
 */
export function createSqsDlqSender({ sqs, queueUrl }: SqsDlqSenderOptions): DlqSender {
  const fifo = queueUrl.endsWith(".fifo");
  return async (record, error) => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: record.body,
        MessageAttributes: dlqMessageAttributes(record, error),
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

/** The original attributes (first {@link MAX_ORIGINAL_ATTRIBUTES}, by name) plus `error.type` and `error.reason`. */
export function dlqMessageAttributes(
  record: SQSRecord,
  error: PermanentError,
): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  const names = Object.keys(record.messageAttributes ?? {})
    .filter((name) => !name.startsWith("error."))
    .sort();
  for (const name of names.slice(0, MAX_ORIGINAL_ATTRIBUTES)) {
    const value = record.messageAttributes[name];
    if (value?.stringValue !== undefined) {
      attributes[name] = { DataType: value.dataType, StringValue: value.stringValue };
    } else if (value?.binaryValue !== undefined) {
      attributes[name] = { DataType: value.dataType, BinaryValue: Buffer.from(value.binaryValue, "base64") };
    }
  }
  attributes["error.type"] = { DataType: "String", StringValue: error.type };
  attributes["error.reason"] = {
    DataType: "String",
    StringValue: error.reason.slice(0, MAX_REASON_LENGTH) || error.type,
  };
  return attributes;
}
