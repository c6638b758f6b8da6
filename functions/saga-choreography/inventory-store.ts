/**
 * Inventory of the choreographed saga: the shared order-domain inventory table
 * (`functions/shared/order-domain/inventory.ts`, documented there: conditional reserve, release with
 * a tombstone so a reservation arriving after its order's release is refused). Here a reserve's
 * outcome is a value the inventory service turns into an event, never a thrown error.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import * as inventory from "../shared/order-domain/inventory.js";

export { putStock, readStock, type StockItem } from "../shared/order-domain/inventory.js";

/** How a reserve ended. */
export type ReserveOutcome =
  | { readonly kind: "reserved"; readonly replayed: boolean }
  /** Not enough stock, or an unknown SKU: nothing reserved. */
  | { readonly kind: "rejected"; readonly reason: string }
  /** The order was released (compensated) before its reservation arrived: refused, nothing reserved. */
  | { readonly kind: "voided" };

/** Reserves the order's quantity (see the shared module's documentation). */
export async function reserveStock(
  client: DynamoDBClient,
  tableName: string,
  order: { readonly orderId: string; readonly sku: string; readonly quantity: number },
): Promise<ReserveOutcome> {
  const outcome = await inventory.reserveStock(client, tableName, order);
  return outcome.kind === "reserved" ? { kind: "reserved", replayed: outcome.replayed } : outcome;
}

/**
 * Releases the order's reservation, or records that there was nothing to release. Returns the units
 * given back. Re-reads up to 5 times when concurrent events race it (a timed-out order's events can
 * come in any order).
 */
export async function releaseStock(
  client: DynamoDBClient,
  tableName: string,
  order: { readonly orderId: string; readonly sku: string },
): Promise<inventory.ReleaseOutcome> {
  return inventory.releaseStock(client, tableName, order, 5);
}
