/**
 * Inventory of the orchestrated saga: the shared order-domain inventory table
 * (`functions/shared/order-domain/inventory.ts`, documented there: conditional reserve, release with
 * a tombstone so a reserve that commits late, a timed-out attempt still running, is refused). Here
 * the outcomes are step results at `$.results.ReserveInventory` / the release's result, and a
 * shortage is the typed {@link OutOfStock} error the state machine catches.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import * as inventory from "../shared/order-domain/inventory.js";
import { OutOfStock } from "./errors.js";

export { putStock, readStock, type StockItem } from "../shared/order-domain/inventory.js";

/** What a reserve returns (the step's result at `$.results.ReserveInventory`). */
export interface ReservationResult {
  readonly sku: string;
  /** Units reserved for the order; 0 when the order was already released (a late retry). */
  readonly reserved: number;
  readonly replayed: boolean;
}

/** What a release returns. */
export interface ReleaseResult {
  readonly sku: string;
  /** Units given back; 0 when there was nothing to undo. */
  readonly released: number;
  readonly replayed: boolean;
}

/** Reserves `quantity` of `sku` for `orderId`; throws {@link OutOfStock} (nothing reserved) when short. */
export async function reserveStock(
  client: DynamoDBClient,
  tableName: string,
  order: { orderId: string; sku: string; quantity: number },
): Promise<ReservationResult> {
  const outcome = await inventory.reserveStock(client, tableName, order);
  switch (outcome.kind) {
    case "reserved":
      return { sku: order.sku, reserved: outcome.quantity, replayed: outcome.replayed };
    case "voided":
      return { sku: order.sku, reserved: 0, replayed: true };
    case "rejected":
      throw new OutOfStock(outcome.reason);
  }
}

/** Releases the order's reservation of `sku` (or records that there was nothing to release); re-reads up to 3 times on a race. */
export async function releaseStock(
  client: DynamoDBClient,
  tableName: string,
  order: { orderId: string; sku: string },
): Promise<ReleaseResult> {
  return { sku: order.sku, ...(await inventory.releaseStock(client, tableName, order, 3)) };
}
