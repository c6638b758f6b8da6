/** dynalite tables of the place-order saga, as the stack defines them, for the saga's unit tests. */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SagaTables } from "../../../../functions/sfn-saga/steps.js";
import { createKeyTable } from "../../../helpers/aws-emulators.js";

let counter = 0;

/** Creates a fresh set of the four tables (unique names per call) and returns their names. */
export async function createSagaTables(client: DynamoDBClient): Promise<SagaTables> {
  counter += 1;
  const tables: SagaTables = {
    inventory: `inventory-${counter}`,
    payments: `payments-${counter}`,
    shipments: `shipments-${counter}`,
    orders: `orders-${counter}`,
  };
  const keys: Record<string, string> = {
    [tables.inventory]: "sku",
    [tables.payments]: "orderId",
    [tables.shipments]: "orderId",
    [tables.orders]: "orderId",
  };
  for (const [TableName, key] of Object.entries(keys)) {
    await createKeyTable(client, TableName, key);
  }
  return tables;
}
