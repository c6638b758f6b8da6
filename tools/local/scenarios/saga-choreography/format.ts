import { formatCoreLedger } from "../kit/ledger.ts";
import type { SagaLedger } from "./scenario.ts";

/** Renders a saga-choreography ledger: outcomes, compensations, stock, events and the verdict. */
export function formatSagaLedger(ledger: SagaLedger): string {
  const d = ledger.details;
  const o = d.outcomes;
  return formatCoreLedger(ledger, {
    headline: `${d.orders} orders (${d.duplicatePlacements} placed twice), consumer faults: ${d.faultInjection || "off"}`,
    body: [
      `confirmed ${o.confirmed}; cancelled: ${o["inventory-rejected"]} by Inventory, ${o["payment-failed"]} by Payments, ` +
        `${o["shipping-failed"]} by Shipping, ${o["timed-out"]} timed out by the watchdog; stuck ${d.stuck}, wrong outcome ${o.wrong}`,
      `compensations: ${d.compensations.releases} reservations released, ${d.compensations.refunds} payments refunded, ` +
        `${d.compensations.tombstones} "nothing to undo" tombstones`,
      `stock: ${d.stock.available} available, expected ${d.stock.expectedAvailable}`,
      `events per order: ${d.eventsPerOrder.toFixed(2)} (from the outcomes and the flow table); ${d.ordersPerSecond.toFixed(1)} orders/s end to end`,
    ],
    okLine:
      "every order confirmed or cancelled as planned, every compensation applied exactly once, none stuck",
  });
}
