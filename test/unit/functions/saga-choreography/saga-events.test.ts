import type { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { describe, expect, it } from "vitest";
import { createEventBridgeBus, sagaEvent } from "../../../../functions/saga-choreography/saga-events.js";
import { isPermanentError, RetryableError } from "../../../../functions/shared/errors.js";

const order = { orderId: "o-1", customerId: "c-1", sku: "sku-1", quantity: 1, amountCents: 100 };
const clock = () => new Date("2026-12-01T12:00:00.000Z");

/** A fake EventBridge client recording each PutEvents request and answering with `answer`. */
function fakeClient(answer: (entries: number) => { FailedEntryCount: number; Entries: object[] }) {
  const calls: NonNullable<PutEventsCommand["input"]["Entries"]>[] = [];
  const client = {
    send: async (command: PutEventsCommand) => {
      const entries = command.input.Entries ?? [];
      calls.push(entries);
      return answer(entries.length);
    },
  } as unknown as EventBridgeClient;
  return { client, calls };
}

describe("saga events", () => {
  it("builds a CloudEvent with a deterministic id, the order ID as correlation ID and the cause's id", () => {
    const placed = sagaEvent("OrderPlaced", order, { source: "saga.orders", clock });
    const reserved = sagaEvent("InventoryReserved", { ...order, reason: "ignored" } as typeof order, {
      source: "saga.inventory",
      cause: placed,
      clock,
    });
    expect(placed).toEqual({
      specversion: "1.0",
      id: "o-1:OrderPlaced",
      source: "saga.orders",
      type: "OrderPlaced",
      time: "2026-12-01T12:00:00.000Z",
      subject: "o-1",
      correlationid: "o-1",
      datacontenttype: "application/json",
      data: order,
    });
    expect(reserved).toMatchObject({
      id: "o-1:InventoryReserved",
      causationid: "o-1:OrderPlaced",
      data: order,
    });
  });

  it("puts Source = source and DetailType = type, the CloudEvent as Detail, 10 entries per call", async () => {
    const { client, calls } = fakeClient(() => ({ FailedEntryCount: 0, Entries: [] }));
    const events = Array.from({ length: 12 }, (_, i) =>
      sagaEvent("OrderPlaced", { ...order, orderId: `o-${i}` }, { source: "saga.orders", clock }),
    );
    await createEventBridgeBus(client, "saga-bus").put(events);
    expect(calls.map((c) => c.length)).toEqual([10, 2]);
    expect(calls[0]?.[0]).toMatchObject({
      EventBusName: "saga-bus",
      Source: "saga.orders",
      DetailType: "OrderPlaced",
    });
    expect(JSON.parse(calls[0]?.[0]?.Detail ?? "{}")).toEqual(events[0]);
  });

  it("throws a RetryableError naming the codes when any entry failed (FailedEntryCount)", async () => {
    const { client } = fakeClient(() => ({
      FailedEntryCount: 1,
      Entries: [{ EventId: "1" }, { ErrorCode: "ThrottlingException", ErrorMessage: "Rate exceeded" }],
    }));
    const put = createEventBridgeBus(client, "saga-bus").put([
      sagaEvent("OrderPlaced", order, { source: "saga.orders", clock }),
      sagaEvent("OrderPlaced", { ...order, orderId: "o-2" }, { source: "saga.orders", clock }),
    ]);
    await expect(put).rejects.toBeInstanceOf(RetryableError);
    await expect(put).rejects.toThrow("ThrottlingException: Rate exceeded");
  });

  it("refuses an entry over 256 KiB as a permanent Oversize error before calling PutEvents", async () => {
    const { client, calls } = fakeClient(() => ({ FailedEntryCount: 0, Entries: [] }));
    const big = sagaEvent("OrderPlaced", order, {
      source: "saga.orders",
      reason: "x".repeat(300_000),
      clock,
    });
    const error = await createEventBridgeBus(client, "saga-bus")
      .put([big])
      .catch((e: unknown) => e);
    expect(isPermanentError(error) && error.type).toBe("Oversize");
    expect(calls).toEqual([]);
  });
});
