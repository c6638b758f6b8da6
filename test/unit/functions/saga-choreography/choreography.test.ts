import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sagaSource } from "../../../../functions/saga-choreography/flow.js";
import { putStock, readStock } from "../../../../functions/saga-choreography/inventory-store.js";
import type { Order } from "../../../../functions/saga-choreography/order.js";
import { readRecord } from "../../../../functions/saga-choreography/order-record-store.js";
import { readOrder } from "../../../../functions/saga-choreography/orders-store.js";
import { createOrderPlacer } from "../../../../functions/saga-choreography/place-order-core.js";
import { createWatchdog } from "../../../../functions/saga-choreography/watchdog-core.js";
import {
  type Emulator,
  emulatorClientConfig,
  startDynalite,
  startSqsSns,
} from "../../../helpers/aws-emulators.js";
import { sqsRecord } from "../../../helpers/events.js";
import { createDlq, createSagaTables, SagaHarness } from "./saga-harness.js";

process.env.POWERTOOLS_METRICS_DISABLED = "true";

let dynalite: Emulator;
let fauxqs: Emulator;
let dynamodb: DynamoDBClient;
let sqs: SQSClient;
let dlqUrl: string;
let tables: Awaited<ReturnType<typeof createSagaTables>>;
let saga: SagaHarness;
let now: Date;
let run = 0;
const clock = () => now;
const observability = () => ({
  logger: new Logger({ serviceName: "test", logLevel: "CRITICAL" }),
  metrics: new Metrics({ serviceName: "test" }),
});
const DEADLINE_SECONDS = 300;

beforeAll(async () => {
  [dynalite, fauxqs] = await Promise.all([startDynalite(), startSqsSns()]);
  dynamodb = new DynamoDBClient(emulatorClientConfig(dynalite.endpoint));
  sqs = new SQSClient(emulatorClientConfig(fauxqs.endpoint));
  dlqUrl = await createDlq(sqs, "saga-dlq");
});

afterAll(async () => {
  dynamodb?.destroy();
  sqs?.destroy();
  await Promise.all([dynalite?.stop(), fauxqs?.stop()]);
});

async function newSaga(faultInjection?: string) {
  run++;
  now = new Date(Date.UTC(2026, 11, 1, 12, 0, 0));
  tables = await createSagaTables(dynamodb, `run${run}`);
  await putStock(dynamodb, tables.inventory, "sku-1", 100);
  await putStock(dynamodb, tables.inventory, "sku-scarce", 1);
  saga = new SagaHarness(dynamodb, tables, {
    sqs,
    dlqUrl,
    idempotencyTable: `run${run}-idempotency`,
    clock,
    ...(faultInjection ? { faultInjection } : {}),
  });
}

const order = (overrides: Partial<Order> = {}): Order => ({
  orderId: `o-${run}-${Math.random().toString(36).slice(2, 8)}`,
  customerId: "c-1",
  sku: "sku-1",
  quantity: 2,
  amountCents: 4_500,
  ...overrides,
});

function placer() {
  return createOrderPlacer({
    dynamodb,
    tableName: tables.orders,
    bus: saga,
    source: sagaSource("orders"),
    deadlineSeconds: DEADLINE_SECONDS,
    clock,
    ...observability(),
  });
}

function watchdog() {
  return createWatchdog({
    dynamodb,
    tableName: tables.orders,
    bus: saga,
    source: sagaSource("orders"),
    clock,
    ...observability(),
  });
}

async function place(...orders: Order[]) {
  return placer()({ orders });
}

const stock = async (sku = "sku-1") => (await readStock(dynamodb, tables.inventory, sku))?.available;
const payment = async (orderId: string) => (await readRecord(dynamodb, tables.payments, orderId))?.status;
const shipment = async (orderId: string) => (await readRecord(dynamodb, tables.shipping, orderId))?.status;
const status = async (orderId: string) => (await readOrder(dynamodb, tables.orders, orderId))?.status;

describe("the order saga by choreography, on dynalite", () => {
  beforeEach(() => newSaga());

  it("confirms an order: every event a CloudEvent with the order ID as correlation ID and the previous event as cause", async () => {
    const o = order();
    expect(await place(o)).toEqual({ accepted: [o.orderId], rejected: [] });
    await saga.settle();
    expect(saga.typesOf(o.orderId)).toEqual([
      "OrderPlaced",
      "InventoryReserved",
      "PaymentCharged",
      "ShipmentScheduled",
      "OrderConfirmed",
    ]);
    const events = saga.published;
    for (const [i, event] of events.entries()) {
      expect(event).toMatchObject({ specversion: "1.0", correlationid: o.orderId, subject: o.orderId });
      expect(event.id).toBe(`${o.orderId}:${event.type}`);
      if (i === 0) expect(event.causationid).toBeUndefined();
      else expect(event.causationid).toBe(events[i - 1]?.id);
    }
    expect(events.map((e) => e.source)).toEqual([
      "saga.orders",
      "saga.inventory",
      "saga.payments",
      "saga.shipping",
      "saga.orders",
    ]);
    expect(await stock()).toBe(98);
    expect(await payment(o.orderId)).toBe("CHARGED");
    expect(await shipment(o.orderId)).toBe("SCHEDULED");
    expect(await status(o.orderId)).toBe("CONFIRMED");
    expect((await readOrder(dynamodb, tables.orders, o.orderId))?.watch).toBeUndefined();
  });

  it("cancels on InventoryRejected: nothing reserved, charged or shipped", async () => {
    const o = order({ sku: "sku-scarce", quantity: 5 });
    await place(o);
    await saga.settle();
    expect(saga.typesOf(o.orderId)).toEqual(["OrderPlaced", "InventoryRejected", "OrderCancelled"]);
    const item = await readOrder(dynamodb, tables.orders, o.orderId);
    expect(item).toMatchObject({
      status: "CANCELLED",
      reason: "InventoryRejected: 5 × sku-scarce requested, 1 available",
    });
    expect(await stock("sku-scarce")).toBe(1);
    expect(await payment(o.orderId)).toBeUndefined();
    expect(await shipment(o.orderId)).toBeUndefined();
  });

  it("on PaymentFailed, Inventory releases the reservation and Orders cancels", async () => {
    const o = order({ amountCents: 2_000_000 });
    await place(o);
    await saga.settle();
    expect(saga.typesOf(o.orderId)).toEqual([
      "OrderPlaced",
      "InventoryReserved",
      "PaymentFailed",
      "OrderCancelled",
    ]);
    expect(await stock()).toBe(100);
    expect((await readStock(dynamodb, tables.inventory, "sku-1"))?.released[o.orderId]).toBe(2);
    expect(await payment(o.orderId)).toBeUndefined();
    expect(await status(o.orderId)).toBe("CANCELLED");
  });

  it("on ShippingFailed, Payments refunds and Inventory releases, each exactly once", async () => {
    const o = order({ customerId: "blocked-7" });
    await place(o);
    await saga.settle();
    expect(saga.typesOf(o.orderId)).toEqual([
      "OrderPlaced",
      "InventoryReserved",
      "PaymentCharged",
      "ShippingFailed",
      "OrderCancelled",
    ]);
    expect(await payment(o.orderId)).toBe("REFUNDED");
    expect(await stock()).toBe(100);
    expect(await shipment(o.orderId)).toBeUndefined();
    expect((await readOrder(dynamodb, tables.orders, o.orderId))?.reason).toBe(
      "ShippingFailed: the carrier refuses deliveries to blocked-7",
    );
  });

  it("delivers every event twice without a second effect (duplicates skipped on the event id)", async () => {
    saga.duplicate = true;
    const ok = order();
    const failing = order({ customerId: "blocked-1" });
    await place(ok, failing);
    await saga.settle();
    expect(await status(ok.orderId)).toBe("CONFIRMED");
    expect(await status(failing.orderId)).toBe("CANCELLED");
    expect(await stock()).toBe(98);
    expect(await payment(failing.orderId)).toBe("REFUNDED");
    const all = Object.values(saga.outcomes).flat();
    expect(all.filter((o) => o.status === "duplicate").length).toBe(
      all.filter((o) => o.status === "applied").length,
    );
    expect(all.filter((o) => o.status === "dead-lettered")).toEqual([]);
    // Each event id put once per order: a duplicate delivery emits nothing.
    const ids = saga.published.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("repeats the effect's put after PutEvents fails, with the same event id and no second effect", async () => {
    const o = order();
    await place(o);
    saga.failNextPuts = 1; // Inventory's InventoryReserved: after the reservation was written
    await saga.settle();
    expect(saga.outcomes.inventory.map((x) => x.status)).toEqual(["applied"]);
    expect(await stock()).toBe(98);
    expect(saga.typesOf(o.orderId).filter((t) => t === "InventoryReserved")).toHaveLength(1);
    expect(await status(o.orderId)).toBe("CONFIRMED");
  });

  it("sends an event that is no saga event to the service's DLQ with the reason (SchemaViolation)", async () => {
    const outcome = await (
      saga as unknown as { consumers: Record<string, { processRecord: (r: unknown) => Promise<unknown> }> }
    ).consumers.payments?.processRecord(
      sqsRecord({
        body: JSON.stringify({
          specversion: "1.0",
          id: "x",
          source: "s",
          type: "InventoryReserved",
          data: { orderId: "o" },
        }),
      }),
    );
    expect(outcome).toMatchObject({ status: "dead-lettered", errorType: "SchemaViolation" });
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, MessageAttributeNames: ["All"], WaitTimeSeconds: 1 }),
    );
    expect(Messages.map((m) => m.MessageAttributes?.["error.type"]?.StringValue)).toContain(
      "SchemaViolation",
    );
  });
});

describe("transient consumer failures (FAULT_INJECTION=transient=1)", () => {
  beforeEach(() => newSaga("transient=1"));

  it("every first receive fails, the redelivery succeeds, and no effect is applied twice", async () => {
    const o = order({ customerId: "blocked-2" });
    await place(o);
    await saga.settle();
    expect(await status(o.orderId)).toBe("CANCELLED");
    expect(await payment(o.orderId)).toBe("REFUNDED");
    expect(await stock()).toBe(100);
  });
});

describe("the stuck-saga watchdog", () => {
  beforeEach(() => newSaga());

  it("times out an order whose event was lost (Payments down past the deadline); every compensation applies once", async () => {
    const o = order();
    await place(o);
    saga.down.add("payments");
    await saga.settle();
    expect(await status(o.orderId)).toBe("PENDING");
    expect(await watchdog()()).toEqual({ stuck: 0, timedOut: [] }); // not yet due

    now = new Date(now.getTime() + (DEADLINE_SECONDS + 1) * 1000);
    expect(await watchdog()()).toEqual({ stuck: 1, timedOut: [o.orderId] });
    await saga.settle();
    expect(await status(o.orderId)).toBe("CANCELLED");
    expect(await stock()).toBe(100); // Inventory released on OrderTimedOut
    expect(await shipment(o.orderId)).toBe("VOIDED"); // nothing to cancel: a tombstone

    // Payments comes back: InventoryReserved (lost until now) then OrderTimedOut.
    saga.down.delete("payments");
    await saga.settle();
    expect(await payment(o.orderId)).toBe("REFUNDED");
    expect(await shipment(o.orderId)).toBe("VOIDED"); // the late PaymentCharged was refused
    expect(await status(o.orderId)).toBe("CANCELLED");
    expect(saga.typesOf(o.orderId).filter((t) => t === "ShipmentScheduled")).toEqual([]);
    expect(await watchdog()()).toEqual({ stuck: 0, timedOut: [] });
  });

  it("refuses a forward event that arrives after its compensation (tombstone): nothing charged", async () => {
    const o = order();
    await place(o);
    saga.down.add("payments");
    await saga.settle();
    now = new Date(now.getTime() + (DEADLINE_SECONDS + 1) * 1000);
    await watchdog()();
    saga.queues.payments.reverse(); // OrderTimedOut first, then the late InventoryReserved
    saga.down.delete("payments");
    await saga.settle();
    expect(await payment(o.orderId)).toBe("VOIDED");
    expect(saga.typesOf(o.orderId).filter((t) => t === "PaymentCharged")).toEqual([]);
    expect(await stock()).toBe(100);
  });

  it("puts its events again on the next run when the put failed, and leaves settled orders alone", async () => {
    const stuck = order();
    const confirmed = order();
    await place(confirmed);
    await saga.settle();
    await place(stuck);
    saga.down.add("inventory");
    now = new Date(now.getTime() + (DEADLINE_SECONDS + 1) * 1000);
    saga.failNextPuts = 1;
    await expect(watchdog()()).rejects.toThrow("PutEvents failed");
    expect(await status(stuck.orderId)).toBe("CANCELLED");
    expect((await readOrder(dynamodb, tables.orders, stuck.orderId))?.watch).toBe("open");
    expect(await watchdog()()).toEqual({ stuck: 0, timedOut: [stuck.orderId] });
    expect((await readOrder(dynamodb, tables.orders, stuck.orderId))?.watch).toBeUndefined();
    expect(await status(confirmed.orderId)).toBe("CONFIRMED");
    saga.down.delete("inventory");
    await saga.settle();
    expect(await stock()).toBe(98); // the confirmed order's reservation only
    expect((await readStock(dynamodb, tables.inventory, "sku-1"))?.released[stuck.orderId]).toBe(2); // reserved late, released by OrderTimedOut
  });
});

describe("placing orders", () => {
  beforeEach(() => newSaga());

  it("is idempotent per order ID, refuses a conflicting or invalid order", async () => {
    const o = order();
    expect(await place(o)).toEqual({ accepted: [o.orderId], rejected: [] });
    expect(await place(o)).toEqual({ accepted: [o.orderId], rejected: [] });
    const result = await placer()({ orders: [{ ...o, quantity: 3 }, { orderId: "bad id" }] });
    expect(result.accepted).toEqual([]);
    expect(result.rejected[0]).toMatchObject({
      index: 0,
      orderId: o.orderId,
      reason: expect.stringContaining("OrderConflict"),
    });
    expect(result.rejected[1]).toMatchObject({ index: 1, reason: expect.stringContaining("orderId") });
    expect(saga.published.map((e) => e.id)).toEqual([`${o.orderId}:OrderPlaced`, `${o.orderId}:OrderPlaced`]);
    await saga.settle();
    expect(await stock()).toBe(98);
    // Once settled, placing it again puts nothing.
    await place(o);
    expect(saga.published.filter((e) => e.type === "OrderPlaced")).toHaveLength(2);
  });
});
