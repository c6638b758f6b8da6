import { describe, expect, it } from "vitest";
import { buildCloudEvent, CloudEventSchema } from "../../../../functions/shared/cloudevents.js";

describe("buildCloudEvent", () => {
  const clock = () => new Date("2026-11-23T06:00:00.000Z");

  it("wraps a domain event in a valid CloudEvents 1.0 envelope", () => {
    const event = buildCloudEvent(
      { type: "order.created", data: { orderId: "o-1" }, subject: "o-1" },
      { source: "orders-service", clock, newId: () => "id-1" },
    );
    expect(event).toEqual({
      specversion: "1.0",
      id: "id-1",
      source: "orders-service",
      type: "order.created",
      time: "2026-11-23T06:00:00.000Z",
      subject: "o-1",
      correlationid: "id-1",
      datacontenttype: "application/json",
      data: { orderId: "o-1" },
    });
    expect(CloudEventSchema.safeParse(event).success).toBe(true);
  });

  it("keeps a caller-supplied id and correlation id", () => {
    const event = buildCloudEvent(
      { type: "order.paid", data: {}, id: "retry-safe", correlationid: "flow-9" },
      { source: "s", clock },
    );
    expect(event.id).toBe("retry-safe");
    expect(event.correlationid).toBe("flow-9");
    expect(event).not.toHaveProperty("subject");
  });
});
