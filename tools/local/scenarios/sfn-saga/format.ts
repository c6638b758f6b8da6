import { formatCoreLedger } from "../kit/ledger.ts";
import type { SagaLedger } from "./scenario.ts";

/** Renders an sfn-saga ledger: outcomes against expectations, the business state and the verdict. */
export function formatSagaLedger(ledger: SagaLedger): string {
  const d = ledger.details;
  return formatCoreLedger(ledger, {
    headline: `${d.orders} orders (${d.duplicateRequests} duplicate requests), faults: ${d.faultInjection || "off"}`,
    body: [
      `sagas: ${d.started} started, ${d.completed} completed (expected ${d.expected.completed}), ${d.compensated} compensated (expected ${d.expected.compensated}), ` +
        `${d.compensationFailures} compensation failures (expected ${d.expected["compensation-failed"]}, ${d.compensationFailuresRecorded} recorded and alerted)`,
      `still running at the end: ${d.stillRunning}; duplicate executions: ${d.duplicateExecutions}`,
      `stock: ${d.stock.initial} at the start, ${d.stock.available} available + ${d.stock.reserved} reserved`,
      `throughput: ${d.sagasPerSecond.toFixed(1)} sagas/s from the first request to the last saga's end`,
    ],
    okLine:
      "every saga ended as its fault implies; stock neither oversold nor leaked; cancelled orders refunded exactly once, never shipped",
  });
}
