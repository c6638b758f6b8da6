/**
 * The stuck-saga watchdog. In a choreography nobody owns the whole flow, so an event lost to a
 * service that is down past its queue's retention, a bug that emits nothing, or a DLQ nobody redrives
 * leaves an order pending forever. A scheduled rule runs this function; it finds open orders past
 * their deadline (the sparse `open-by-deadline` index) and times them out:
 *
 * 1. settle the order `CANCELLED` (conditional on `PENDING`: if a real outcome came first, it wins);
 * 2. put OrderTimedOut (Inventory releases, Payments refunds, Shipping cancels: each tolerates
 *    nothing to undo and leaves a tombstone) and OrderCancelled;
 * 3. remove the order from the index. If step 2 fails, the order stays in the index, and the next
 *    run puts the same event ids again.
 *
 * `StuckSagasFound` counts the pending orders found past their deadline (the stack alarms on it:
 * each one is a saga that did not finish by itself).
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ConfigError } from "../shared/env.js";
import type { Observability } from "../shared/lambda-handler.js";
import { closeWatch, findOverdueOrders, settleOrder } from "./orders-store.js";
import { type SagaEventBus, sagaEvent, sagaEventId } from "./saga-events.js";

/** `SAGA_DEADLINE_SECONDS`: how long an order may stay without outcome. @default 300 */
export function readDeadlineSeconds(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const value = env.SAGA_DEADLINE_SECONDS;
  if (value === undefined || value === "") return 300;
  if (!/^[1-9][0-9]*$/.test(value)) {
    throw new ConfigError(`SAGA_DEADLINE_SECONDS must be a positive integer (seconds), got "${value}"`);
  }
  return Number(value);
}

/** Dependencies of {@link createWatchdog}. */
export interface WatchdogDeps extends Observability {
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  readonly bus: SagaEventBus;
  /** The orders service's `source` (the watchdog is part of it). */
  readonly source: string;
  /** Orders handled per run at most (the next run takes the rest). @default 100 */
  readonly batchSize?: number;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

/** What one run did. */
export interface WatchdogRun {
  /** Pending orders past their deadline. */
  readonly stuck: number;
  /** Orders this run timed out (or finished timing out after an earlier run's failed put). */
  readonly timedOut: string[];
}

/** One run of the watchdog; see the module documentation. */
export function createWatchdog(deps: WatchdogDeps): () => Promise<WatchdogRun> {
  const clock = deps.clock ?? (() => new Date());
  return async () => {
    const now = clock();
    const overdue = await findOverdueOrders(deps.dynamodb, deps.tableName, now, deps.batchSize ?? 100);
    const timedOut: string[] = [];
    let stuck = 0;
    for (const order of overdue) {
      const settledBy = sagaEventId(order.orderId, "OrderTimedOut");
      if (order.status === "PENDING") stuck++;
      else if (order.settledBy !== settledBy) continue; // settled by its own saga; index not yet updated
      const reason = `OrderTimedOut: no outcome by the deadline ${order.deadline}`;
      const { settled } = await settleOrder(
        deps.dynamodb,
        deps.tableName,
        order.orderId,
        { status: "CANCELLED", reason, settledBy, keepWatch: true },
        now,
      );
      if (!settled) continue;
      await deps.bus.put([
        sagaEvent("OrderTimedOut", order, { source: deps.source, reason, clock }),
        sagaEvent("OrderCancelled", order, { source: deps.source, reason, clock }),
      ]);
      await closeWatch(deps.dynamodb, deps.tableName, order.orderId);
      timedOut.push(order.orderId);
    }
    deps.metrics.addMetric("StuckSagasFound", MetricUnit.Count, stuck);
    if (stuck > 0) deps.logger.warn("stuck sagas timed out", { stuck, timedOut });
    return { stuck, timedOut };
  };
}
