import { describe, expect, it } from "vitest";
import { toSqsEvent } from "../../../tools/local/event-sources/sqs-records.ts";

describe("SQS event records", () => {
  it("shape received messages exactly like Lambda's SQS event", () => {
    const event = toSqsEvent(
      [
        {
          MessageId: "m1",
          ReceiptHandle: "rh",
          Body: "hello",
          MD5OfBody: "5d41402abc4b2a76b9719d911017c592",
          MD5OfMessageAttributes: "abc",
          Attributes: {
            ApproximateReceiveCount: "2",
            SentTimestamp: "1700000000000",
            SenderId: "000000000000",
            ApproximateFirstReceiveTimestamp: "1700000000100",
            MessageGroupId: "g",
            SequenceNumber: "1",
          },
          MessageAttributes: {
            type: { DataType: "String", StringValue: "order.created" },
            blob: { DataType: "Binary", BinaryValue: Buffer.from("hi") },
          },
        },
      ],
      "arn:aws:sqs:eu-west-1:000000000000:q.fifo",
      "eu-west-1",
    );
    expect(event.Records).toHaveLength(1);
    expect(event.Records[0]).toEqual({
      messageId: "m1",
      receiptHandle: "rh",
      body: "hello",
      attributes: {
        ApproximateReceiveCount: "2",
        SentTimestamp: "1700000000000",
        SenderId: "000000000000",
        ApproximateFirstReceiveTimestamp: "1700000000100",
        MessageGroupId: "g",
        SequenceNumber: "1",
      },
      messageAttributes: {
        type: {
          stringValue: "order.created",
          stringListValues: [],
          binaryListValues: [],
          dataType: "String",
        },
        blob: { binaryValue: "aGk=", stringListValues: [], binaryListValues: [], dataType: "Binary" },
      },
      md5OfBody: "5d41402abc4b2a76b9719d911017c592",
      md5OfMessageAttributes: "abc",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:eu-west-1:000000000000:q.fifo",
      awsRegion: "eu-west-1",
    });
  });
});
