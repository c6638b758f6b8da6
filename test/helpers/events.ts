/**
 * Factories for real-shaped Lambda events: SQS records exactly as the SQS event source mapping
 * delivers them, SNS notification envelopes as SNS writes them into SQS (raw delivery off),
 * CloudEvents as the publisher builds them, and a Lambda context.
 */
import { createHash, randomUUID } from "node:crypto";
import type { Context, SQSEvent, SQSMessageAttributes, SQSRecord } from "aws-lambda";

export const TEST_REGION = "us-east-1";
export const TEST_ACCOUNT = "123456789012";

/** An SQS queue ARN; a name ending in `.fifo` makes FIFO records. */
export function queueArn(name = "billing-queue"): string {
  return `arn:aws:sqs:${TEST_REGION}:${TEST_ACCOUNT}:${name}`;
}

/** Order data valid against the order schema. */
export function orderData(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    orderId: `ord-${randomUUID().slice(0, 8)}`,
    customerId: "cust-42",
    amount: 129.9,
    currency: "EUR",
    status: "created",
    ...overrides,
  };
}

/** A CloudEvents 1.0 object like the publisher's; override any field, or set one to `undefined` to drop it. */
export function cloudEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const id = randomUUID();
  const event: Record<string, unknown> = {
    specversion: "1.0",
    id,
    source: "orders-service",
    type: "order.created",
    time: "2026-11-23T06:00:00.000Z",
    correlationid: id,
    datacontenttype: "application/json",
    data: orderData(),
    ...overrides,
  };
  for (const key of Object.keys(event)) if (event[key] === undefined) delete event[key];
  return event;
}

/** Lambda-shaped String message attributes. */
export function stringAttributes(values: Record<string, string>): SQSMessageAttributes {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [
      name,
      { stringValue: value, stringListValues: [], binaryListValues: [], dataType: "String" },
    ]),
  );
}

/** The SNS notification JSON SNS puts in the SQS body when raw message delivery is off. */
export function snsNotification(
  message: string,
  {
    topicArn = `arn:aws:sns:${TEST_REGION}:${TEST_ACCOUNT}:orders`,
    messageAttributes = {} as Record<string, string>,
    timestamp = "2026-11-23T06:00:00.123Z",
  } = {},
): string {
  const messageId = randomUUID();
  const notification: Record<string, unknown> = {
    Type: "Notification",
    MessageId: messageId,
    TopicArn: topicArn,
    Message: message,
    Timestamp: timestamp,
    SignatureVersion: "1",
    Signature: Buffer.from(`signature-${messageId}`).toString("base64"),
    SigningCertURL: `https://sns.${TEST_REGION}.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem`,
    UnsubscribeURL: `https://sns.${TEST_REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topicArn}:${randomUUID()}`,
  };
  if (Object.keys(messageAttributes).length > 0) {
    notification.MessageAttributes = Object.fromEntries(
      Object.entries(messageAttributes).map(([name, value]) => [name, { Type: "String", Value: value }]),
    );
  }
  return JSON.stringify(notification, null, 2);
}

/** Options of {@link sqsRecord}. */
export interface SqsRecordOptions {
  readonly body: string;
  /** @default queueArn() */
  readonly eventSourceARN?: string;
  readonly messageAttributes?: SQSMessageAttributes;
  /** @default 1 */
  readonly receiveCount?: number;
  /** FIFO only. @default "group-1" on a FIFO queue */
  readonly messageGroupId?: string;
  readonly messageDeduplicationId?: string;
  readonly messageId?: string;
}

let sequence = 18_000_000_000_000_000_000n;

/** One SQS record exactly as Lambda delivers it (FIFO attributes when the ARN ends in `.fifo`). */
export function sqsRecord(options: SqsRecordOptions): SQSRecord {
  const arn = options.eventSourceARN ?? queueArn();
  const fifo = arn.endsWith(".fifo");
  const sent = Date.UTC(2026, 10, 23, 6, 0, 0);
  const messageAttributes = options.messageAttributes ?? {};
  const messageId = options.messageId ?? randomUUID();
  return {
    messageId,
    receiptHandle: Buffer.from(`receipt:${messageId}:${randomUUID()}`).toString("base64"),
    body: options.body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: String(sent),
      SenderId: "AIDAIENQZJOLO23YVJ4VO",
      ApproximateFirstReceiveTimestamp: String(sent + 12),
      ...(fifo
        ? {
            SequenceNumber: String(sequence++),
            MessageGroupId: options.messageGroupId ?? "group-1",
            MessageDeduplicationId: options.messageDeduplicationId ?? messageId,
          }
        : {}),
    },
    messageAttributes,
    md5OfBody: createHash("md5").update(options.body, "utf8").digest("hex"),
    ...(Object.keys(messageAttributes).length > 0
      ? { md5OfMessageAttributes: md5OfMessageAttributes(messageAttributes) }
      : {}),
    eventSource: "aws:sqs",
    eventSourceARN: arn,
    awsRegion: TEST_REGION,
  };
}

/** A raw-delivery record whose body is `event` and which carries the `type` attribute SNS copies over. */
export function rawCloudEventRecord(
  event: Record<string, unknown>,
  options: Omit<SqsRecordOptions, "body"> = {},
): SQSRecord {
  return sqsRecord({
    messageAttributes: typeof event.type === "string" ? stringAttributes({ type: event.type }) : {},
    ...options,
    body: JSON.stringify(event),
  });
}

/** A non-raw record: the body is the SNS notification wrapping `event`. */
export function snsEnvelopeRecord(
  event: Record<string, unknown>,
  options: Omit<SqsRecordOptions, "body"> = {},
): SQSRecord {
  const attributes: Record<string, string> = typeof event.type === "string" ? { type: event.type } : {};
  return sqsRecord({
    ...options,
    body: snsNotification(JSON.stringify(event), { messageAttributes: attributes }),
  });
}

/** The Lambda SQS event. */
export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** A Lambda context with `remainingMs` left. */
export function lambdaContext(functionName = "consumer", remainingMs = 30_000): Context {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: "256",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "2026/11/23/[$LATEST]0123456789abcdef",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** SQS's MD5 of message attributes (length-prefixed name, type, transport byte, value; sorted by name). */
function md5OfMessageAttributes(attributes: SQSMessageAttributes): string {
  const hash = createHash("md5");
  const lengthPrefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length);
    hash.update(bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const value = attributes[name];
    if (value === undefined) continue;
    lengthPrefixed(Buffer.from(name, "utf8"));
    lengthPrefixed(Buffer.from(value.dataType, "utf8"));
    if (value.stringValue !== undefined) {
      hash.update(Buffer.from([1]));
      lengthPrefixed(Buffer.from(value.stringValue, "utf8"));
    } else if (value.binaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      lengthPrefixed(Buffer.from(value.binaryValue, "base64"));
    }
  }
  return hash.digest("hex");
}

/** Minimal shape of an SQS `ReceiveMessage` result message (AWS SDK v3). */
export interface ReceivedSqsMessage {
  readonly MessageId?: string;
  readonly ReceiptHandle?: string;
  readonly Body?: string;
  readonly MD5OfBody?: string;
  readonly MD5OfMessageAttributes?: string;
  readonly Attributes?: Partial<Record<string, string>>;
  readonly MessageAttributes?: Record<
    string,
    { DataType?: string; StringValue?: string; BinaryValue?: Uint8Array }
  >;
}

/**
 * Converts a message received from a (emulated) queue into the record Lambda's SQS event source
 * would deliver for it, so tests can feed real SNS → SQS output to a consumer.
 */
export function sqsRecordFromMessage(message: ReceivedSqsMessage, eventSourceARN: string): SQSRecord {
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: value.DataType ?? "String",
      stringListValues: [],
      binaryListValues: [],
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined
        ? { binaryValue: Buffer.from(value.BinaryValue).toString("base64") }
        : {}),
    };
  }
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? randomUUID(),
    receiptHandle: message.ReceiptHandle ?? randomUUID(),
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? "1",
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? TEST_ACCOUNT,
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(attributes.SequenceNumber ? { SequenceNumber: attributes.SequenceNumber } : {}),
      ...(attributes.MessageGroupId ? { MessageGroupId: attributes.MessageGroupId } : {}),
      ...(attributes.MessageDeduplicationId
        ? { MessageDeduplicationId: attributes.MessageDeduplicationId }
        : {}),
    },
    messageAttributes,
    md5OfBody:
      message.MD5OfBody ??
      createHash("md5")
        .update(message.Body ?? "")
        .digest("hex"),
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: "aws:sqs",
    eventSourceARN,
    awsRegion: TEST_REGION,
  };
}
