import { putStock, readStock } from "../../../../functions/saga-choreography/inventory-store.js";
import { readRecord } from "../../../../functions/saga-choreography/order-record-store.js";
import { createOrder, readOrder } from "../../../../functions/saga-choreography/orders-store.js";
import type { PlaceOrdersResult } from "../../../../functions/saga-choreography/place-order-core.js";
import { SagaChoreographyOutputs as O } from "../../../../stacks/saga-choreography-outputs.ts";
import { functionEnvironment, invokeJson } from "../kit/invoke.ts";
import type { ScenarioLedger } from "../kit/ledger.ts";
import { type ProgressListener, phasedProgress } from "../kit/progress.ts";
import { queueDepth, totalDepth } from "../kit/queues.ts";
import { runScenario } from "../kit/run.ts";
import { deadlineIn, waitUntil } from "../kit/wait.ts";
import type { ScenarioTarget } from "../target.ts";
import { judgeSaga, type OrderObservation, type SagaDetails } from "./judge.ts";
import { planOrders, QUANTITY, runSkus } from "./plan.ts";

/** The saga-choreography ledger. */
export type SagaLedger = ScenarioLedger<SagaDetails>;

/** Options of {@link runSagaScenario}. */
export interface SagaScenarioOptions {
  /** Orders to place. @default 100 */
  readonly orders?: number;
  /** Rejections at each service and a lost saga (see plan.ts); consumer faults come from the target. @default true */
  readonly faults?: boolean;
  readonly onProgress?: ProgressListener;
}

/**
 * The `saga-choreography` scenario, through SDK calls and stack outputs only (every target): stock
 * two SKUs, place N orders through the place-order function (10 per call; 2 % placed twice), record
 * the "lost" orders directly with a past deadline (their OrderPlaced is never put), invoke the
 * watchdog until they are timed out (on AWS its schedule would, one minute later), and wait until
 * every order is settled and its compensations have run; then {@link judgeSaga} reads the tables.
 */
export function runSagaScenario(
  target: ScenarioTarget,
  options: SagaScenarioOptions = {},
): Promise<SagaLedger> {
  const count = options.orders ?? 100;
  const faults = options.faults ?? true;
  const progress = phasedProgress(
    [
      { name: "place", weight: 3 },
      { name: "settle", weight: 7 },
    ],
    options.onProgress,
  );
  return runScenario(target, "saga-choreography", async ({ runId, clients, out, intervalMs }) => {
    const { dynamodb, lambda, sqs } = clients;
    const tables = {
      orders: out(O.ordersTableName),
      inventory: out(O.inventoryTableName),
      payments: out(O.paymentsTableName),
      shipments: out(O.shipmentsTableName),
    };
    const planned = planOrders(runId, count, faults);
    const skus = runSkus(runId);
    const initialStock = count * QUANTITY;
    await putStock(dynamodb, tables.inventory, skus.stocked, initialStock);
    await putStock(dynamodb, tables.inventory, skus.empty, 0);
    const placeOrder = out(O.placeOrderFunctionName);
    const env = await functionEnvironment(lambda, out(O.services.inventory.functionName));

    const started = Date.now();
    const placed = planned.filter((p) => p.fate !== "timed-out");
    const batches = [...placed, ...placed.filter((p) => p.duplicate)];
    for (let i = 0; i < batches.length; i += 10) {
      const orders = batches.slice(i, i + 10).map((p) => p.order);
      const result = await invokeJson<PlaceOrdersResult>(lambda, placeOrder, { orders });
      if (result.rejected.length > 0)
        throw new Error(`place-order refused ${JSON.stringify(result.rejected)}`);
      const done = Math.min(batches.length, i + 10);
      progress(
        "place",
        `placed ${done}/${batches.length} orders (duplicates included)`,
        done,
        batches.length,
      );
    }
    const longAgo = new Date(started - 3_600_000);
    for (const p of planned.filter((x) => x.fate === "timed-out")) {
      await createOrder(dynamodb, tables.orders, p.order, longAgo, new Date(started - 1_000));
    }

    const observed = new Map<string, OrderObservation>();
    const observe = async () => {
      for (const p of planned) {
        const id = p.order.orderId;
        const [order, payment, shipment] = await Promise.all([
          readOrder(dynamodb, tables.orders, id),
          readRecord(dynamodb, tables.payments, id),
          readRecord(dynamodb, tables.shipments, id),
        ]);
        observed.set(id, {
          ...(order ? { order } : {}),
          ...(payment ? { payment: payment.status } : {}),
          ...(shipment ? { shipment: shipment.status } : {}),
        });
      }
      const [stock, soldOut] = await Promise.all([
        readStock(dynamodb, tables.inventory, skus.stocked),
        readStock(dynamodb, tables.inventory, skus.empty),
      ]);
      return { stock, soldOut };
    };
    const dlqUrls = [
      ...Object.values(O.services).flatMap((s) => [out(s.dlqUrl), out(s.targetDlqUrl)]),
      out(O.eventBusDlqUrl),
    ];
    const judge = async () => {
      const { stock, soldOut } = await observe();
      const depths = await Promise.all(dlqUrls.map((url) => queueDepth(sqs, url)));
      const deadLettered = depths.reduce((sum, d) => sum + totalDepth(d), 0);
      return judgeSaga({
        planned,
        observed,
        ...(stock ? { stock } : {}),
        ...(soldOut ? { soldOut } : {}),
        initialStock,
        deadLettered,
        faultInjection: env.FAULT_INJECTION ?? "",
        elapsedMs: Date.now() - started,
      });
    };

    const deadline = deadlineIn(target.settleTimeoutMs);
    // Set by every check of the wait below (waitUntil checks at least once).
    let judgement!: Awaited<ReturnType<typeof judge>>;
    await waitUntil(
      async () => {
        // The watchdog's schedule runs every minute; invoking it is the same idempotent run, sooner.
        if (
          planned.some(
            (p) => p.fate === "timed-out" && observed.get(p.order.orderId)?.order?.status === "PENDING",
          )
        ) {
          await invokeJson(lambda, out(O.watchdogFunctionName), {});
        }
        judgement = await judge();
        const { applied, expected } = judgement.counts;
        progress("settle", `${applied}/${expected} orders settled with their effects`, applied, expected);
        return judgement.problems.length === 0;
      },
      { timeoutMs: deadline.remainingMs(), intervalMs: Math.max(intervalMs, 200) },
    );
    return judgement;
  });
}
