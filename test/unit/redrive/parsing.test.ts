import type { Message } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import {
  buildSendEntry,
  matchesFilters,
  parseFilter,
  parseQueueRef,
} from "../../../functions/shared/redrive/index.ts";

describe("parseQueueRef", () => {
  it("reads an AWS queue URL with its region", () => {
    expect(parseQueueRef("--from", "https://sqs.eu-west-1.amazonaws.com/123456789012/orders-dlq")).toEqual({
      kind: "url",
      url: "https://sqs.eu-west-1.amazonaws.com/123456789012/orders-dlq",
      name: "orders-dlq",
      account: "123456789012",
      region: "eu-west-1",
    });
  });
  it("reads an emulator URL whose host is not a valid WHATWG host", () => {
    expect(
      parseQueueRef("--from", "http://sqs.us-east-1.127.0.0.1:4566/000000000000/jobs-dlq.fifo"),
    ).toMatchObject({
      name: "jobs-dlq.fifo",
      account: "000000000000",
    });
  });
  it("reads an ARN", () => {
    expect(parseQueueRef("--to", "arn:aws:sqs:us-east-2:123456789012:jobs.fifo")).toMatchObject({
      kind: "arn",
      name: "jobs.fifo",
      region: "us-east-2",
      account: "123456789012",
    });
  });
  it.each(["orders-dlq", "arn:aws:sns:us-east-1:123456789012:topic", "https://example.com/", ""])(
    "rejects %j naming the option and the allowed forms",
    (value) => {
      expect(() => parseQueueRef("--from", value)).toThrow(/--from .* is not an SQS queue URL .* or ARN/);
    },
  );
});

const message = (over: Partial<Message> = {}): Message => ({
  MessageId: "m1",
  ReceiptHandle: "r1",
  Body: '{"id":"job-42","status":"paid"}',
  MessageAttributes: { "error.type": { DataType: "String", StringValue: "schema" } },
  ...over,
});

describe("--filter", () => {
  it.each([
    ["attr:error.type=schema", true],
    ["attr:error.type=timeout", false],
    ["attr:error.type", true],
    ["attr:error.reason", false],
    ["body:job-42", true],
    ["body:job-43", false],
    ['body:/"STATUS":"paid"/i', true],
    ['body:/"status":"created"/', false],
  ])("%s matches: %s", (expression, expected) => {
    expect(matchesFilters(message(), [parseFilter(expression)])).toBe(expected);
  });
  it("requires every filter to match", () => {
    expect(matchesFilters(message(), [parseFilter("body:job-42"), parseFilter("attr:x")])).toBe(false);
  });
  it.each(["error.type=schema", "attr:", "body:", "body:/(/"])(
    "rejects %j with the allowed syntax",
    (expression) => {
      expect(() => parseFilter(expression)).toThrow(/--filter .*allowed: attr:NAME/);
    },
  );
});

describe("buildSendEntry", () => {
  const standard = { fifo: false, contentBasedDeduplication: false };
  const fifo = { fifo: true, contentBasedDeduplication: false };

  it("keeps body and attributes, drops the stale error.* ones and sets redrive-count to 1 on a first redrive", () => {
    const built = buildSendEntry(
      "0",
      message({
        Attributes: { AWSTraceHeader: "Root=1-abc" },
        MessageAttributes: {
          tenant: { DataType: "String", StringValue: "acme" },
          "error.type": { DataType: "String", StringValue: "schema" },
          "error.reason": { DataType: "String", StringValue: "data.id is required" },
        },
      }),
      standard,
    );
    expect(built).toEqual({
      ok: true,
      // body 31 + tenant(6+6+4) + redrive-count(13+6+1)
      size: 31 + 16 + 20,
      entry: {
        Id: "0",
        MessageBody: '{"id":"job-42","status":"paid"}',
        MessageAttributes: {
          tenant: { DataType: "String", StringValue: "acme" },
          "redrive-count": { DataType: "Number", StringValue: "1" },
        },
        MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: "Root=1-abc" } },
      },
    });
  });
  it("increments an existing redrive-count and keeps binary attributes", () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const built = buildSendEntry(
      "0",
      message({
        MessageAttributes: {
          "redrive-count": { DataType: "Number", StringValue: "4" },
          blob: { DataType: "Binary", BinaryValue: bytes },
        },
      }),
      standard,
    );
    expect(built.ok && built.entry.MessageAttributes).toEqual({
      blob: { DataType: "Binary", BinaryValue: bytes },
      "redrive-count": { DataType: "Number", StringValue: "5" },
    });
  });
  it("keeps FIFO group and deduplication ids", () => {
    const built = buildSendEntry(
      "0",
      message({ Attributes: { MessageGroupId: "order-1", MessageDeduplicationId: "evt-1" } }),
      fifo,
    );
    expect(built.ok && [built.entry.MessageGroupId, built.entry.MessageDeduplicationId]).toEqual([
      "order-1",
      "evt-1",
    ]);
  });
  it("derives the deduplication id from the body as content-based deduplication would", () => {
    const built = buildSendEntry("0", message({ Body: "abc", Attributes: { MessageGroupId: "g" } }), fifo);
    expect(built.ok && built.entry.MessageDeduplicationId).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
  it("refuses a message without a group id for a FIFO destination", () => {
    expect(buildSendEntry("0", message(), fifo)).toMatchObject({ ok: false, reason: /MessageGroupId/ });
  });
  it("moves a message with 10 other attributes without redrive-count, with a warning (never refuses it)", () => {
    const attributes = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [`a${i}`, { DataType: "String", StringValue: "v" }]),
    );
    const built = buildSendEntry("0", message({ MessageAttributes: attributes }), standard);
    expect(built).toMatchObject({ ok: true, warning: /without redrive-count.*10 other attributes/ });
    expect(built.ok && Object.keys(built.entry.MessageAttributes ?? {})).toHaveLength(10);
  });
  it("makes room for redrive-count by dropping error.type and error.reason (the DLQ sender's 8 + 2)", () => {
    const attributes = {
      ...Object.fromEntries(
        Array.from({ length: 8 }, (_, i) => [`a${i}`, { DataType: "String", StringValue: "v" }]),
      ),
      "error.type": { DataType: "String", StringValue: "SchemaViolation" },
      "error.reason": { DataType: "String", StringValue: "bad" },
    };
    const built = buildSendEntry("0", message({ MessageAttributes: attributes }), standard);
    expect(built).toMatchObject({ ok: true });
    expect(built).not.toHaveProperty("warning");
    expect(built.ok && Object.keys(built.entry.MessageAttributes ?? {}).sort()).toEqual(
      [...Array.from({ length: 8 }, (_, i) => `a${i}`), "redrive-count"].sort(),
    );
  });
  it("refuses, with its size, a message above the destination's MaximumMessageSize", () => {
    expect(
      buildSendEntry("0", message({ Body: "x".repeat(2000), MessageAttributes: {} }), {
        ...standard,
        maximumMessageSize: 1024,
      }),
    ).toMatchObject({ ok: false, reason: /2000 bytes .* MaximumMessageSize 1024/ });
  });
  it("sends without redrive-count when the count alone would push it over the maximum", () => {
    expect(
      buildSendEntry("0", message({ Body: "x".repeat(1020), MessageAttributes: {} }), {
        ...standard,
        maximumMessageSize: 1024,
      }),
    ).toMatchObject({ ok: true, size: 1020, warning: /exceed the destination's MaximumMessageSize 1024/ });
  });
});
