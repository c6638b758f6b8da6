import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { putStock, readStock } from "../../functions/saga-choreography/inventory-store.js";
import type { Order } from "../../functions/saga-choreography/order.js";
import { readRecord } from "../../functions/saga-choreography/order-record-store.js";
import { createOrder, type OrderItem, readOrder } from "../../functions/saga-choreography/orders-store.js";
import { SagaChoreographyOutputs as O } from "../../stacks/saga-choreography-outputs.js";
import type { LocalCloud } from "../../tools/local/local-cloud.ts";
import { startLocal } from "../../tools/local/start-local.ts";
import { waitFor } from "../helpers/wait.js";

/**
 * The real synthesized SagaChoreographyStack with its bundled handlers on the embedded cloud and its
 * EventBridge service: place-order → bus → rules → service queues → consumers → bus … until every
 * order is settled; the watchdog (invoked here rather than waiting for its one-minute schedule) times
 * out an order whose OrderPlaced was never put.
 */
describe("saga-choreography on the embedded cloud (EventBridge service built in)", () => {
  let cloud: LocalCloud;
  let dynamodb: DynamoDBClient;
  const table = (name: keyof typeof O) => cloud.outputs[O[name] as string] as string;
  const order = (orderId: string, overrides: Partial<Order> = {}): Order => ({
    orderId,
    customerId: "c-1",
    sku: "sku-1",
    quantity: 1,
    amountCents: 1_000,
    ...overrides,
  });
  const settled = async (orderId: string): Promise<OrderItem> => {
    let item: OrderItem | undefined;
    await waitFor(
      async () => {
        item = await readOrder(dynamodb, table("ordersTableName"), orderId);
        return item !== undefined && item.status !== "PENDING" && item.watch === undefined;
      },
      { description: `order ${orderId} settled`, timeoutMs: 60_000 },
    );
    return item as OrderItem;
  };

  beforeAll(async () => {
    cloud = await startLocal({
      stack: "SagaChoreographyStack",
      visibilityTimeoutSeconds: 1,
    });
    dynamodb = new DynamoDBClient({
      region: cloud.region,
      endpoint: cloud.endpoints.dynamodb,
      credentials: cloud.credentials,
    });
    await putStock(dynamodb, table("inventoryTableName"), "sku-1", 10);
    await putStock(dynamodb, table("inventoryTableName"), "sku-scarce", 0);
  });

  afterAll(async () => {
    dynamodb?.destroy();
    await cloud?.stop();
  });

  it("confirms, or cancels with every compensation applied, each order by its outcome", async () => {
    const result = await cloud.invoke("PlaceOrder", {
      orders: [
        order("ok-1"),
        order("scarce-1", { sku: "sku-scarce" }),
        order("declined-1", { amountCents: 5_000_000 }),
        order("blocked-1", { customerId: "blocked-9" }),
      ],
    });
    expect(result).toEqual({ accepted: ["ok-1", "scarce-1", "declined-1", "blocked-1"], rejected: [] });
    expect(await settled("ok-1")).toMatchObject({ status: "CONFIRMED" });
    expect(await settled("scarce-1")).toMatchObject({
      status: "CANCELLED",
      reason: expect.stringContaining("InventoryRejected"),
    });
    expect(await settled("declined-1")).toMatchObject({
      status: "CANCELLED",
      reason: expect.stringContaining("PaymentFailed"),
    });
    expect(await settled("blocked-1")).toMatchObject({
      status: "CANCELLED",
      reason: expect.stringContaining("ShippingFailed"),
    });
    // Compensations run after the decision: wait for the business state.
    await waitFor(
      async () =>
        (await readRecord(dynamodb, table("paymentsTableName"), "blocked-1"))?.status === "REFUNDED",
      { description: "refund of blocked-1", timeoutMs: 60_000 },
    );
    await waitFor(
      async () => {
        const stock = await readStock(dynamodb, table("inventoryTableName"), "sku-1");
        return stock?.available === 9 && Object.keys(stock.reservations).join() === "ok-1";
      },
      { description: "only ok-1 keeps its reservation", timeoutMs: 60_000 },
    );
    expect((await readRecord(dynamodb, table("shipmentsTableName"), "ok-1"))?.status).toBe("SCHEDULED");
    expect(await readRecord(dynamodb, table("shipmentsTableName"), "blocked-1")).toBeUndefined();
    expect((await readRecord(dynamodb, table("paymentsTableName"), "ok-1"))?.status).toBe("CHARGED");
  });

  it("lets the watchdog time out a saga whose first event was lost", async () => {
    const lost = order("lost-1");
    await createOrder(
      dynamodb,
      table("ordersTableName"),
      lost,
      new Date(Date.now() - 600_000),
      new Date(Date.now() - 1_000),
    );
    expect(await settled("lost-1")).toMatchObject({
      status: "CANCELLED",
      reason: expect.stringContaining("OrderTimedOut"),
    });
    // Every service compensated with nothing to undo, leaving tombstones.
    await waitFor(
      async () =>
        (await readRecord(dynamodb, table("paymentsTableName"), "lost-1"))?.status === "VOIDED" &&
        (await readRecord(dynamodb, table("shipmentsTableName"), "lost-1"))?.status === "VOIDED" &&
        (await readStock(dynamodb, table("inventoryTableName"), "sku-1"))?.released["lost-1"] === 0,
      { description: "tombstones for lost-1", timeoutMs: 60_000 },
    );
  });
});
