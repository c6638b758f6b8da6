import { describe, expect, it } from "vitest";
import { decodeCloudEvent } from "../../../../functions/shared/cloudevent-decoder.js";
import { PermanentError } from "../../../../functions/shared/errors.js";
import { ORDER_EVENT_SCHEMAS } from "../../../../functions/sns-sqs-fanout/order-events.js";
import {
  cloudEvent,
  orderData,
  rawCloudEventRecord,
  snsEnvelopeRecord,
  snsNotification,
  sqsRecord,
} from "../../../helpers/events.js";

const raw = { envelope: "raw", schemas: ORDER_EVENT_SCHEMAS } as const;
const sns = { envelope: "sns", schemas: ORDER_EVENT_SCHEMAS } as const;

function permanent(fn: () => unknown): PermanentError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PermanentError);
    return error as PermanentError;
  }
  throw new Error("expected a PermanentError");
}

describe("decodeCloudEvent", () => {
  it("decodes a raw-delivery CloudEvent", () => {
    const event = cloudEvent();
    expect(decodeCloudEvent(rawCloudEventRecord(event), raw)).toEqual(event);
  });

  it("decodes a CloudEvent inside an SNS notification envelope", () => {
    const event = cloudEvent({ type: "order.paid", data: orderData({ status: "paid" }) });
    expect(decodeCloudEvent(snsEnvelopeRecord(event), sns)).toEqual(event);
  });

  it("rejects a body that is not JSON as MalformedJson", () => {
    const error = permanent(() => decodeCloudEvent(sqsRecord({ body: "{not json" }), raw));
    expect(error.type).toBe("MalformedJson");
    expect(error.reason).toMatch(/^body is not JSON/);
  });

  it("rejects an SNS Message that is not JSON as MalformedJson", () => {
    const error = permanent(() => decodeCloudEvent(sqsRecord({ body: snsNotification("plain text") }), sns));
    expect(error.type).toBe("MalformedJson");
    expect(error.reason).toMatch(/^SNS Message is not JSON/);
  });

  it("rejects a raw CloudEvent delivered to an SNS-envelope consumer as SchemaViolation", () => {
    const error = permanent(() => decodeCloudEvent(rawCloudEventRecord(cloudEvent()), sns));
    expect(error.type).toBe("SchemaViolation");
    expect(error.reason).toMatch(/not an SNS notification envelope/);
  });

  it("names a missing envelope field", () => {
    const error = permanent(() => decodeCloudEvent(rawCloudEventRecord(cloudEvent({ id: undefined })), raw));
    expect(error.type).toBe("SchemaViolation");
    expect(error.reason).toMatch(/^not a CloudEvent: id:/);
  });

  it("names missing and invalid data fields", () => {
    const { customerId: _, ...data } = orderData({ amount: -1 });
    const error = permanent(() => decodeCloudEvent(rawCloudEventRecord(cloudEvent({ data })), raw));
    expect(error.type).toBe("SchemaViolation");
    expect(error.reason).toContain("data.customerId");
    expect(error.reason).toContain("data.amount");
  });

  it("rejects an unknown type, listing the known ones", () => {
    const error = permanent(() =>
      decodeCloudEvent(rawCloudEventRecord(cloudEvent({ type: "order.refunded" })), raw),
    );
    expect(error.type).toBe("UnknownEventType");
    expect(error.reason).toContain('"order.refunded"');
    expect(error.reason).toContain("order.created");
  });

  it("does not treat inherited object keys as known types", () => {
    const error = permanent(() =>
      decodeCloudEvent(rawCloudEventRecord(cloudEvent({ type: "toString" })), raw),
    );
    expect(error.type).toBe("UnknownEventType");
  });

  it("rejects a body above the limit as Oversize before parsing it", () => {
    const event = cloudEvent({ data: orderData({ note: "x".repeat(300 * 1024) }) });
    const error = permanent(() => decodeCloudEvent(rawCloudEventRecord(event), raw));
    expect(error.type).toBe("Oversize");
    expect(error.reason).toMatch(/limit 262144/);
    expect(decodeCloudEvent(rawCloudEventRecord(event), { ...raw, maxBodyBytes: 1024 * 1024 }).id).toBe(
      event.id,
    );
  });
  it("limits the published message, not the SNS envelope around it", () => {
    // The envelope escapes every quote of the message JSON, so this ~200 KiB message (an array of
    // short strings) arrives in a body of about 300 KiB.
    const event = cloudEvent({ data: orderData({ tags: Array.from({ length: 50_000 }, () => "a") }) });
    const record = snsEnvelopeRecord(event);
    expect(Buffer.byteLength(record.body, "utf8")).toBeGreaterThan(262_144);
    expect(decodeCloudEvent(record, sns).id).toBe(event.id);
    const tooBig = cloudEvent({ data: orderData({ note: "x".repeat(300 * 1024) }) });
    const error = permanent(() => decodeCloudEvent(snsEnvelopeRecord(tooBig), sns));
    expect(error.type).toBe("Oversize");
    expect(error.reason).toMatch(/SNS Message is \d+ bytes, limit 262144/);
  });
});
