/**
 * `npm run bench -- choreography`: the saga-choreography stack on the embedded cloud with the local
 * EventBridge service. Measures the start, the first confirmed order with warm functions (place-order
 * invoked → orders table says CONFIRMED), orders per second end to end (a burst of orders placed
 * 10 per call, until every one is settled), and rule deliveries (SQS sends) per order.
 */
import { performance } from "node:perf_hooks";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { putStock } from "../functions/saga-choreography/inventory-store.ts";
import { readOrder } from "../functions/saga-choreography/orders-store.ts";
import { SagaChoreographyOutputs as O } from "../stacks/saga-choreography-outputs.ts";
import { startLocal } from "../tools/local/start-local.ts";
import { benchWait } from "./wait.ts";

const ORDERS = Number(process.env.BENCH_ORDERS ?? 200);
let start = performance.now();
const cloud = await startLocal({
  stack: "SagaChoreographyStack",
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 2),
});
console.log(`start: ${(performance.now() - start).toFixed(0)} ms (synthesized: ${cloud.synthesized})`);
const dynamodb = new DynamoDBClient({
  region: cloud.region,
  endpoint: cloud.endpoints.dynamodb,
  credentials: cloud.credentials,
});
const ordersTable = cloud.outputs[O.ordersTableName] as string;
await putStock(dynamodb, cloud.outputs[O.inventoryTableName] as string, "sku-1", 1_000_000);
const order = (orderId: string) => ({
  orderId,
  customerId: "c-1",
  sku: "sku-1",
  quantity: 1,
  amountCents: 1_000,
});

function confirmed(orderId: string): Promise<void> {
  return benchWait(
    `order ${orderId} confirmed`,
    async () => (await readOrder(dynamodb, ordersTable, orderId))?.status === "CONFIRMED",
  );
}

try {
  // Warm every function (cold starts excluded from the warm figure).
  await cloud.invoke("PlaceOrder", { orders: [order("warm-0")] });
  await confirmed("warm-0");
  start = performance.now();
  await cloud.invoke("PlaceOrder", { orders: [order("warm-1")] });
  await confirmed("warm-1");
  console.log(
    `first confirmed order (warm): ${(performance.now() - start).toFixed(0)} ms (target < 1500 ms)`,
  );

  const sendsBefore = cloud.spy.count("sqs.send");
  start = performance.now();
  const calls = [];
  for (let i = 0; i < ORDERS; i += 10) {
    const batch = Array.from({ length: Math.min(10, ORDERS - i) }, (_, j) => order(`burst-${i + j}`));
    calls.push(cloud.invoke("PlaceOrder", { orders: batch }));
  }
  await Promise.all(calls);
  await benchWait(
    `${ORDERS} burst orders confirmed`,
    async () => {
      const { Count = 0 } = await dynamodb.send(
        new ScanCommand({
          TableName: ordersTable,
          Select: "COUNT",
          FilterExpression: "begins_with(orderId, :b) AND #s = :c",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":b": { S: "burst-" }, ":c": { S: "CONFIRMED" } },
        }),
      );
      return Count >= ORDERS;
    },
    { intervalMs: 50 },
  );
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `orders end to end: ${ORDERS} in ${seconds.toFixed(2)} s = ${(ORDERS / seconds).toFixed(0)} orders/s (target ≥ 50 on 2 cores)`,
  );
  console.log(
    `rule deliveries per order: ${((cloud.spy.count("sqs.send") - sendsBefore) / ORDERS).toFixed(1)} (happy path: 5 events put, 4 delivered to a service queue; OrderConfirmed leaves the saga)`,
  );
} finally {
  dynamodb.destroy();
  await cloud.stop();
}
