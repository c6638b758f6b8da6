import { CreateQueueCommand, type MessageAttributeValue, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSqsDlqSender,
  DLQ_MAX_MESSAGE_BYTES,
  DlqMessageTooLargeError,
  dlqMessageAttributes,
  MAX_ORIGINAL_ATTRIBUTES,
  MAX_REASON_LENGTH,
} from "../../../../functions/shared/dlq-sender.js";
import { PermanentError } from "../../../../functions/shared/errors.js";
import {
  type Emulator,
  emulatorClientConfig,
  receiveMessages,
  startSqsSns,
} from "../../../helpers/aws-emulators.js";
import { sqsRecord, stringAttributes } from "../../../helpers/events.js";

describe("dlqMessageAttributes", () => {
  it("keeps String and Binary attributes and adds error.type and error.reason", () => {
    const record = sqsRecord({
      body: "{}",
      messageAttributes: {
        ...stringAttributes({ type: "order.created" }),
        blob: {
          dataType: "Binary",
          binaryValue: Buffer.from([1, 2, 3]).toString("base64"),
          stringListValues: [],
          binaryListValues: [],
        },
      },
    });
    expect(dlqMessageAttributes(record, new PermanentError("UnknownEventType", "nope"))).toEqual({
      type: { DataType: "String", StringValue: "order.created" },
      blob: { DataType: "Binary", BinaryValue: Buffer.from([1, 2, 3]) },
      "error.type": { DataType: "String", StringValue: "UnknownEventType" },
      "error.reason": { DataType: "String", StringValue: "nope" },
    });
  });

  it("stays within SQS's 10 attributes and replaces stale error attributes from an earlier failure", () => {
    const many = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [`a${String(i).padStart(2, "0")}`, "v"]),
    );
    const record = sqsRecord({
      body: "{}",
      messageAttributes: stringAttributes({ ...many, "error.type": "Old", "error.reason": "old" }),
    });
    const attributes = dlqMessageAttributes(record, new PermanentError("SchemaViolation", "x".repeat(5000)));
    expect(Object.keys(attributes)).toHaveLength(MAX_ORIGINAL_ATTRIBUTES + 2);
    expect(attributes["error.type"]?.StringValue).toBe("SchemaViolation");
    expect(attributes["error.reason"]?.StringValue).toHaveLength(MAX_REASON_LENGTH);
    expect(attributes["error.reason"]?.StringValue).toMatch(/^x+ \[.*a08, a09, a10, a11\]$/);
  });

  it("names the original attributes it could not keep in error.reason", () => {
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`attr${i}`, "v"]));
    const record = sqsRecord({ body: "{}", messageAttributes: stringAttributes(ten) });
    const attributes = dlqMessageAttributes(record, new PermanentError("SchemaViolation", "bad amount"));
    expect(Object.keys(attributes).sort()).toEqual(
      [...Object.keys(ten).slice(0, MAX_ORIGINAL_ATTRIBUTES), "error.reason", "error.type"].sort(),
    );
    expect(attributes["error.reason"]?.StringValue).toBe(
      "bad amount [message attributes not kept: attr8, attr9]",
    );
  });
});

/** What SQS (and fauxqs) count: body + per attribute name, data type and value bytes. */
function messageBytes(body: string, attributes: Record<string, MessageAttributeValue>): number {
  let size = Buffer.byteLength(body, "utf8");
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? "");
    size += Buffer.byteLength(value.StringValue ?? "") + (value.BinaryValue?.byteLength ?? 0);
  }
  return size;
}

const tenAttributes = () =>
  stringAttributes(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`attr${i}`, "v".repeat(200)])));

describe("dlqMessageAttributes keeps the redrive counter", () => {
  it("keeps redrive-count even when it sorts after the first 8 attributes by name", () => {
    const many = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`a${i}`, `v${i}`]));
    const record = sqsRecord({
      body: "{}",
      messageAttributes: {
        ...stringAttributes(many),
        "redrive-count": {
          dataType: "Number",
          stringValue: "2",
          stringListValues: [],
          binaryListValues: [],
        },
      },
    });
    const attributes = dlqMessageAttributes(record, new PermanentError("Boom", "still failing"));
    expect(attributes["redrive-count"]).toEqual({ DataType: "Number", StringValue: "2" });
    expect(Object.keys(attributes)).toHaveLength(MAX_ORIGINAL_ATTRIBUTES + 2);
  });
});

describe("dlqMessageAttributes within the DLQ's maximum message size (SQS-08, issue 11 item 2)", () => {
  it("truncates the reason (never splitting a character) so body + attributes fit, keeping error.type", () => {
    const body = "b".repeat(DLQ_MAX_MESSAGE_BYTES - 100);
    const record = sqsRecord({ body, messageAttributes: tenAttributes() });
    const attributes = dlqMessageAttributes(record, new PermanentError("Oversize", "é".repeat(3000)));
    expect(messageBytes(body, attributes)).toBeLessThanOrEqual(DLQ_MAX_MESSAGE_BYTES);
    expect(attributes["error.type"]?.StringValue).toBe("Oversize");
    expect(attributes["error.reason"]?.StringValue).toMatch(/^é+$/);
    expect(Object.keys(attributes).filter((n) => !n.startsWith("error."))).toEqual([]);
  });

  it("names the attributes left out for size in error.reason when the reason has room", () => {
    const body = "b".repeat(DLQ_MAX_MESSAGE_BYTES - 600);
    const record = sqsRecord({ body, messageAttributes: tenAttributes() });
    const attributes = dlqMessageAttributes(record, new PermanentError("Oversize", "too big"));
    expect(messageBytes(body, attributes)).toBeLessThanOrEqual(DLQ_MAX_MESSAGE_BYTES);
    const kept = Object.keys(attributes).filter((n) => !n.startsWith("error."));
    expect(kept.length).toBeLessThan(MAX_ORIGINAL_ATTRIBUTES);
    const reason = attributes["error.reason"]?.StringValue ?? "";
    expect(reason).toMatch(/^too big \[message attributes not kept/);
    const dropped = Object.keys(tenAttributes()).filter((n) => !kept.includes(n));
    expect(reason).toBe(`too big [message attributes not kept: ${dropped.join(", ")}]`);
  });

  it("replaces characters SQS refuses in attribute values", () => {
    const record = sqsRecord({ body: "{}" });
    const attributes = dlqMessageAttributes(record, new PermanentError("MalformedJson", "bad \u0000 byte"));
    expect(attributes["error.reason"]?.StringValue).toBe("bad ? byte");
  });

  it("refuses with a clear error when not even the body fits", () => {
    const record = sqsRecord({ body: "b".repeat(1024) });
    expect(() => dlqMessageAttributes(record, new PermanentError("Oversize", "x"), 1024)).toThrow(
      DlqMessageTooLargeError,
    );
  });
});

describe("createSqsDlqSender on fauxqs", () => {
  let fauxqs: Emulator;
  let sqs: SQSClient;
  const queue = async (name: string, maximumMessageSize: number) =>
    (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: { MaximumMessageSize: String(maximumMessageSize) },
        }),
      )
    ).QueueUrl as string;

  beforeAll(async () => {
    fauxqs = await startSqsSns();
    sqs = new SQSClient(emulatorClientConfig(fauxqs.endpoint));
  });
  afterAll(async () => {
    sqs?.destroy();
    await fauxqs?.stop();
  });

  it("stores a record at the consumed queue's maximum (262,144 bytes, 10 attributes) with its reason", async () => {
    const dlqUrl = await queue("consumed-dlq", DLQ_MAX_MESSAGE_BYTES);
    const attributes = tenAttributes();
    const overhead = Object.entries(attributes).reduce(
      (sum, [name, v]) => sum + name.length + v.dataType.length + (v.stringValue?.length ?? 0),
      0,
    );
    const record = sqsRecord({ body: "b".repeat(262_144 - overhead), messageAttributes: attributes });
    await createSqsDlqSender({ sqs, queueUrl: dlqUrl })(
      record,
      new PermanentError("Oversize", "r".repeat(5000)),
    );
    const [dead] = await receiveMessages(sqs, dlqUrl, 1);
    expect(dead?.Body).toBe(record.body);
    expect(dead?.MessageAttributes?.["error.reason"]?.StringValue).toHaveLength(MAX_REASON_LENGTH);
    expect(Object.keys(dead?.MessageAttributes ?? {})).toHaveLength(10);
  });

  it("stores a body near the DLQ's own maximum with a truncated reason instead of failing the send", async () => {
    for (const [name, max] of [
      ["sqs-max-dlq", DLQ_MAX_MESSAGE_BYTES],
      ["old-256k-dlq", 262_144],
    ] as const) {
      const dlqUrl = await queue(name, max);
      const record = sqsRecord({ body: "b".repeat(max - 60), messageAttributes: tenAttributes() });
      await createSqsDlqSender({ sqs, queueUrl: dlqUrl, maxMessageBytes: max })(
        record,
        new PermanentError("Oversize", `body is ${max - 60} bytes, limit 262144`),
      );
      const [dead] = await receiveMessages(sqs, dlqUrl, 1);
      expect(dead?.Body).toBe(record.body);
      expect(dead?.MessageAttributes?.["error.type"]?.StringValue).toBe("Oversize");
      expect(dead?.MessageAttributes?.["error.reason"]?.StringValue).toMatch(/^body is/);
    }
  });
});
