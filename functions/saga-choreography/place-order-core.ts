/**
 * Placing orders (the orders service's entry point): each valid order is recorded `PENDING` with a
 * deadline and announced with OrderPlaced, the first event of its saga (no causation ID).
 *
 * Idempotent per order ID: placing the same order again records nothing new and, while the order is
 * still pending, puts OrderPlaced again under the same event id (a caller retrying after a lost
 * response, or after this function failed between the write and the put, completes the saga's
 * start; consumers deduplicate the id). The same ID with different content is refused.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { isPermanentError } from "../shared/errors.js";
import type { Observability } from "../shared/lambda-handler.js";
import { type Order, OrderSchema } from "./order.js";
import { createOrder, readOrder } from "./orders-store.js";
import { type SagaEventBus, sagaEvent } from "./saga-events.js";

/** The function's input. */
export interface PlaceOrdersInput {
  readonly orders: readonly unknown[];
}

/** The function's result: accepted order IDs and refused entries with the reason. */
export interface PlaceOrdersResult {
  readonly accepted: string[];
  readonly rejected: { readonly index: number; readonly orderId?: string; readonly reason: string }[];
}

/** Dependencies of {@link createOrderPlacer}. */
export interface OrderPlacerDeps extends Observability {
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  readonly bus: SagaEventBus;
  /** The orders service's `source`. */
  readonly source: string;
  /** Time an order may stay without outcome before the watchdog times it out. */
  readonly deadlineSeconds: number;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

/** Places a batch of orders; see the module documentation. */
export function createOrderPlacer(deps: OrderPlacerDeps) {
  const clock = deps.clock ?? (() => new Date());
  return async (input: PlaceOrdersInput): Promise<PlaceOrdersResult> => {
    const result: PlaceOrdersResult = { accepted: [], rejected: [] };
    const toPut: Order[] = [];
    for (const [index, candidate] of (input.orders ?? []).entries()) {
      const parsed = OrderSchema.safeParse(candidate);
      if (!parsed.success) {
        result.rejected.push({
          index,
          reason: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
        });
        continue;
      }
      const order = parsed.data;
      const now = clock();
      try {
        const { created } = await createOrder(
          deps.dynamodb,
          deps.tableName,
          order,
          now,
          new Date(now.getTime() + deps.deadlineSeconds * 1000),
        );
        const pending =
          created || (await readOrder(deps.dynamodb, deps.tableName, order.orderId))?.status === "PENDING";
        if (pending) toPut.push(order);
        result.accepted.push(order.orderId);
      } catch (error) {
        if (!isPermanentError(error)) throw error;
        result.rejected.push({ index, orderId: order.orderId, reason: error.message });
      }
    }
    // A failed put throws: the caller retries the batch, which is idempotent per order.
    await deps.bus.put(toPut.map((order) => sagaEvent("OrderPlaced", order, { source: deps.source, clock })));
    deps.metrics.addMetric("OrdersPlaced", MetricUnit.Count, toPut.length);
    return result;
  };
}
