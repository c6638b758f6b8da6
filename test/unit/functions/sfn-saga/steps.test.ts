import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { putStock, readStock, releaseStock, reserveStock } from "../../../../functions/sfn-saga/inventory.js";
import { readOrderRecord } from "../../../../functions/sfn-saga/order-record.js";
import { chargePayment, MAX_CHARGE_CENTS, refundPayment } from "../../../../functions/sfn-saga/payments.js";
import { cancelShipment, createShipment } from "../../../../functions/sfn-saga/shipments.js";
import type { SagaTables } from "../../../../functions/sfn-saga/steps.js";
import { type Emulator, emulatorClientConfig, startDynalite } from "../../../helpers/aws-emulators.js";
import { createSagaTables } from "./saga-tables.js";

let dynalite: Emulator;
let dynamodb: DynamoDBClient;
let tables: SagaTables;

beforeAll(async () => {
  dynalite = await startDynalite();
  dynamodb = new DynamoDBClient(emulatorClientConfig(dynalite.endpoint));
  tables = await createSagaTables(dynamodb);
});
afterAll(async () => {
  dynamodb?.destroy();
  await dynalite?.stop();
});

const order = (orderId: string, sku: string, quantity = 2) => ({ orderId, sku, quantity });

describe("ReserveInventory / ReleaseInventory", () => {
  it("reserves once per order: a retry replays the reservation and takes no more stock", async () => {
    await putStock(dynamodb, tables.inventory, "sku-a", 10);
    expect(await reserveStock(dynamodb, tables.inventory, order("o1", "sku-a"))).toEqual({
      sku: "sku-a",
      reserved: 2,
      replayed: false,
    });
    expect(await reserveStock(dynamodb, tables.inventory, order("o1", "sku-a"))).toMatchObject({
      reserved: 2,
      replayed: true,
    });
    expect(await readStock(dynamodb, tables.inventory, "sku-a")).toMatchObject({
      available: 8,
      reservations: { o1: 2 },
    });
  });

  it("throws OutOfStock (its name is the Step Functions error) and reserves nothing when short", async () => {
    await putStock(dynamodb, tables.inventory, "sku-b", 1);
    const error = await reserveStock(dynamodb, tables.inventory, order("o2", "sku-b")).catch((e: Error) => e);
    expect(error).toMatchObject({ name: "OutOfStock" });
    expect(await readStock(dynamodb, tables.inventory, "sku-b")).toMatchObject({
      available: 1,
      reservations: {},
    });
    await expect(reserveStock(dynamodb, tables.inventory, order("o2", "no-such-sku"))).rejects.toMatchObject({
      name: "OutOfStock",
    });
  });

  it("releases once: stock comes back exactly once, a second release replays", async () => {
    await putStock(dynamodb, tables.inventory, "sku-c", 5);
    await reserveStock(dynamodb, tables.inventory, order("o3", "sku-c", 3));
    expect(await releaseStock(dynamodb, tables.inventory, order("o3", "sku-c"))).toEqual({
      sku: "sku-c",
      released: 3,
      replayed: false,
    });
    expect(await releaseStock(dynamodb, tables.inventory, order("o3", "sku-c"))).toMatchObject({
      released: 3,
      replayed: true,
    });
    expect(await readStock(dynamodb, tables.inventory, "sku-c")).toMatchObject({
      available: 5,
      reservations: {},
      released: { o3: 3 },
    });
  });

  it("tolerates nothing to undo, and refuses a reserve that commits after the release (SAGA-02: no leak)", async () => {
    await putStock(dynamodb, tables.inventory, "sku-d", 5);
    expect(await releaseStock(dynamodb, tables.inventory, order("o4", "sku-d"))).toEqual({
      sku: "sku-d",
      released: 0,
      replayed: false,
    });
    // The timed-out reserve attempt finally runs: it must not take stock for a compensated order.
    expect(await reserveStock(dynamodb, tables.inventory, order("o4", "sku-d"))).toMatchObject({
      reserved: 0,
    });
    expect(await readStock(dynamodb, tables.inventory, "sku-d")).toMatchObject({
      available: 5,
      reservations: {},
    });
    expect(await releaseStock(dynamodb, tables.inventory, order("o4", "unknown-sku"))).toMatchObject({
      released: 0,
    });
  });
});

describe("ChargePayment / RefundPayment", () => {
  const payment = (orderId: string, amountCents = 1500) => ({ orderId, customerId: "c1", amountCents });

  it("charges once per order and refunds once", async () => {
    expect((await chargePayment(dynamodb, tables.payments, payment("p1"))).outcome).toBe("applied");
    expect((await chargePayment(dynamodb, tables.payments, payment("p1"))).outcome).toBe("replayed");
    expect((await refundPayment(dynamodb, tables.payments, "p1")).outcome).toBe("undone");
    expect((await refundPayment(dynamodb, tables.payments, "p1")).outcome).toBe("replayed");
    expect(await readOrderRecord(dynamodb, tables.payments, "p1")).toMatchObject({
      status: "REFUNDED",
      appliedCount: 1,
      undoneCount: 1,
    });
  });

  it("declines above the limit with PaymentDeclined and charges nothing", async () => {
    const error = await chargePayment(dynamodb, tables.payments, payment("p2", MAX_CHARGE_CENTS + 1)).catch(
      (e: Error) => e,
    );
    expect(error).toMatchObject({ name: "PaymentDeclined" });
    expect(await readOrderRecord(dynamodb, tables.payments, "p2")).toBeUndefined();
  });

  it("refunds nothing for an order never charged, and a late charge after it is refused (unknown outcome)", async () => {
    expect((await refundPayment(dynamodb, tables.payments, "p3")).outcome).toBe("nothing-to-undo");
    expect((await chargePayment(dynamodb, tables.payments, payment("p3"))).outcome).toBe("already-undone");
    expect(await readOrderRecord(dynamodb, tables.payments, "p3")).toMatchObject({
      status: "VOIDED",
      appliedCount: 0,
      undoneCount: 0,
    });
  });
});

describe("CreateShipment / CancelShipment", () => {
  const shipment = (orderId: string, customerId = "c1") => ({ orderId, customerId, sku: "s", quantity: 1 });

  it("creates once and cancels once", async () => {
    expect((await createShipment(dynamodb, tables.shipments, shipment("s1"))).outcome).toBe("applied");
    expect((await createShipment(dynamodb, tables.shipments, shipment("s1"))).outcome).toBe("replayed");
    expect((await cancelShipment(dynamodb, tables.shipments, "s1")).outcome).toBe("undone");
    expect((await cancelShipment(dynamodb, tables.shipments, "s1")).outcome).toBe("replayed");
    expect(await readOrderRecord(dynamodb, tables.shipments, "s1")).toMatchObject({
      status: "CANCELLED",
      appliedCount: 1,
      undoneCount: 1,
    });
  });

  it("rejects a blocked customer with AddressRejected and creates nothing", async () => {
    await expect(
      createShipment(dynamodb, tables.shipments, shipment("s2", "blocked-1")),
    ).rejects.toMatchObject({
      name: "AddressRejected",
    });
    expect((await cancelShipment(dynamodb, tables.shipments, "s2")).outcome).toBe("nothing-to-undo");
  });
});
