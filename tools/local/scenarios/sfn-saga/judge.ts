/**
 * The pure judge of the `sfn-saga` scenario: from what the run observed (executions, tables, DLQ), the
 * ledger's verdict. Every order's expected outcome follows from its injected fault (faults.ts chooses at
 * most one per order, deterministically), so the judge can say exactly what each saga must have done.
 */
import { faultFor, type SagaFault } from "../../../../functions/sfn-saga/faults.ts";
import type { Order } from "../../../../functions/sfn-saga/order.ts";
import { summarizeLatency } from "../kit/latency.ts";
import type { Judgement, LedgerCounts } from "../kit/ledger.ts";

/** What a saga must end as. */
export type ExpectedOutcome = "completed" | "compensated" | "compensation-failed";

/** An execution as the scenario read it (DescribeExecution). */
export interface ObservedExecution {
  readonly status: string;
  readonly error?: string;
  readonly stopDateMs?: number;
}

/** A payment or shipment record as the scenario read it. */
export interface ObservedRecord {
  readonly status: string;
  readonly appliedCount: number;
  readonly undoneCount: number;
}

/** Everything the scenario observed. */
export interface SagaObservations {
  readonly orders: readonly Order[];
  readonly faults: readonly SagaFault[];
  /** Requests sent (orders plus duplicates). */
  readonly requestsSent: number;
  readonly duplicatesSent: number;
  readonly sentAt: ReadonlyMap<string, number>;
  /** By order ID; missing = never started. */
  readonly executions: ReadonlyMap<string, ObservedExecution>;
  /** Executions of the state machine whose name is one of this run's order IDs (more than orders = a duplicate saga). */
  readonly executionsNamed: number;
  readonly initialStock: number;
  readonly stock: { readonly available: number; readonly reservations: Readonly<Record<string, number>> };
  readonly payments: ReadonlyMap<string, ObservedRecord>;
  readonly shipments: ReadonlyMap<string, ObservedRecord>;
  readonly orderStatus: ReadonlyMap<string, string>;
  /** Orders with a compensation-failure record. */
  readonly recordedFailures: ReadonlySet<string>;
  /** This run's requests in the starter's DLQ. */
  readonly deadLettered: number;
}

/** The sfn-saga ledger details. */
export interface SagaDetails {
  readonly orders: number;
  readonly duplicateRequests: number;
  readonly faultInjection: string;
  readonly started: number;
  readonly completed: number;
  readonly compensated: number;
  readonly compensationFailures: number;
  readonly compensationFailuresRecorded: number;
  readonly stillRunning: number;
  readonly duplicateExecutions: number;
  readonly expected: Readonly<Record<ExpectedOutcome, number>>;
  readonly stock: { readonly initial: number; readonly available: number; readonly reserved: number };
  readonly sagasPerSecond: number;
}

/** The outcome an order's fault implies. */
export function expectedOutcome(orderId: string, faults: readonly SagaFault[]): ExpectedOutcome {
  const fault = faultFor(orderId, faults);
  if (!fault || fault.kind === "transient") return "completed";
  if (fault.kind === "compensation-permanent") return "compensation-failed";
  return "compensated";
}

/** Judges a run; see the module documentation. */
export function judgeSaga(o: SagaObservations): Judgement<SagaDetails> {
  const problems: string[] = [];
  const expected: Record<ExpectedOutcome, number> = {
    completed: 0,
    compensated: 0,
    "compensation-failed": 0,
  };
  let completed = 0;
  let compensated = 0;
  let compensationFailures = 0;
  let stillRunning = 0;
  let lost = 0;
  let unexpected = 0;
  let applied = 0;
  const latencies: number[] = [];
  let lastStop = 0;
  let reservedExpected = 0;

  for (const order of o.orders) {
    const id = order.orderId;
    const want = expectedOutcome(id, o.faults);
    expected[want] += 1;
    const execution = o.executions.get(id);
    if (!execution) {
      lost += 1;
      problems.push(`order ${id}: no saga was started`);
      continue;
    }
    if (execution.status === "RUNNING") {
      stillRunning += 1;
      problems.push(`order ${id}: the saga is still running at the end`);
      continue;
    }
    const sent = o.sentAt.get(id);
    if (sent !== undefined && execution.stopDateMs !== undefined) {
      latencies.push(execution.stopDateMs - sent);
      lastStop = Math.max(lastStop, execution.stopDateMs);
    }
    const got: ExpectedOutcome | "other" =
      execution.status === "SUCCEEDED"
        ? "completed"
        : execution.status === "FAILED" && execution.error === "Saga.CompensationFailed"
          ? "compensation-failed"
          : execution.status === "FAILED"
            ? "compensated"
            : "other";
    if (got === "completed") completed += 1;
    if (got === "compensated") compensated += 1;
    if (got === "compensation-failed") compensationFailures += 1;
    if (got !== want) {
      unexpected += 1;
      problems.push(
        `order ${id}: expected ${want}, the saga ended ${execution.status} ${execution.error ?? ""}`.trim(),
      );
      continue;
    }
    applied += 1;

    const payment = o.payments.get(id);
    const shipment = o.shipments.get(id);
    const reserved = o.stock.reservations[id];
    if (want === "completed") {
      reservedExpected += order.quantity;
      if (reserved !== order.quantity)
        problems.push(`order ${id}: completed but ${reserved ?? 0} units reserved`);
      if (!(payment?.status === "CHARGED" && payment.appliedCount === 1 && payment.undoneCount === 0)) {
        problems.push(`order ${id}: completed but its payment is ${JSON.stringify(payment)}`);
      }
      if (shipment?.status !== "CREATED") problems.push(`order ${id}: completed without a shipment`);
      if (o.orderStatus.get(id) !== "CONFIRMED") problems.push(`order ${id}: completed but not CONFIRMED`);
    } else if (want === "compensated") {
      if (reserved !== undefined)
        problems.push(`order ${id}: compensated but ${reserved} units still reserved (leak)`);
      if (
        payment &&
        payment.appliedCount > 0 &&
        !(payment.status === "REFUNDED" && payment.undoneCount === 1)
      ) {
        problems.push(`order ${id}: charged but not refunded exactly once (${JSON.stringify(payment)})`);
      }
      if (shipment?.status === "CREATED")
        problems.push(`order ${id}: a shipment exists for a cancelled order`);
    } else {
      // A failed compensation stops the chain: the earlier steps stay done, for a person to undo.
      if (reserved !== undefined) reservedExpected += reserved;
      if (!o.recordedFailures.has(id)) problems.push(`order ${id}: compensation failed without a record`);
      if (shipment?.status === "CREATED") problems.push(`order ${id}: a shipment exists for a failed order`);
    }
  }

  const reservedTotal = Object.values(o.stock.reservations).reduce((a, b) => a + b, 0);
  if (o.stock.available + reservedTotal !== o.initialStock) {
    problems.push(
      `stock: ${o.stock.available} available + ${reservedTotal} reserved ≠ ${o.initialStock} at the start (oversold or leaked)`,
    );
  }
  if (reservedTotal !== reservedExpected) {
    problems.push(`stock: ${reservedTotal} units reserved, expected ${reservedExpected}`);
  }
  const duplicateExecutions = Math.max(0, o.executionsNamed - o.executions.size);
  if (duplicateExecutions > 0) problems.push(`${duplicateExecutions} duplicate executions`);
  if (o.deadLettered > 0)
    problems.push(`${o.deadLettered} of this run's requests were dead-lettered by the starter`);

  const counts: LedgerCounts = {
    sent: o.requestsSent,
    expected: o.orders.length,
    applied,
    duplicates: duplicateExecutions,
    deadLettered: o.deadLettered,
    lost,
    unexpected,
  };
  const firstSend = Math.min(...o.sentAt.values());
  return {
    problems,
    counts,
    latencyMs: summarizeLatency(latencies),
    details: {
      orders: o.orders.length,
      duplicateRequests: o.duplicatesSent,
      faultInjection: o.faults.map((f) => `${f.step}:${f.kind}=${f.rate}`).join(","),
      started: o.executions.size,
      completed,
      compensated,
      compensationFailures,
      compensationFailuresRecorded: o.recordedFailures.size,
      stillRunning,
      duplicateExecutions,
      expected,
      stock: { initial: o.initialStock, available: o.stock.available, reserved: reservedTotal },
      sagasPerSecond: lastStop > firstSend ? (o.executions.size * 1000) / (lastStop - firstSend) : 0,
    },
  };
}
