import { describe, expect, it } from "vitest";
import {
  dlqMessageAttributes,
  MAX_ORIGINAL_ATTRIBUTES,
  MAX_REASON_LENGTH,
} from "../../../../functions/shared/dlq-sender.js";
import { PermanentError } from "../../../../functions/shared/errors.js";
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
  });
});
