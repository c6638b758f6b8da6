import { GetItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from "@aws-sdk/client-sfn";
import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { parseSagaFaults } from "../../../../functions/sfn-saga/faults.ts";
import { putStock, readStock } from "../../../../functions/sfn-saga/inventory.ts";
import { ORDER_REQUESTED, type Order } from "../../../../functions/sfn-saga/order.ts";
import { readOrderRecord } from "../../../../functions/sfn-saga/order-record.ts";
import { SfnSagaOutputs as O } from "../../../../stacks/sfn-saga-outputs.ts";
import { bodyMentions, readDeadLetters } from "../kit/dlq.ts";
import type { ScenarioLedger } from "../kit/ledger.ts";
import { type ProgressListener, phasedProgress } from "../kit/progress.ts";
import { runScenario } from "../kit/run.ts";
import { deadlineIn, waitUntil } from "../kit/wait.ts";
import type { ScenarioTarget } from "../target.ts";
import { judgeSaga, type ObservedExecution, type ObservedRecord, type SagaDetails } from "./judge.ts";

/** The sfn-saga ledger: the core plus {@link SagaDetails}. */
export type SagaLedger = ScenarioLedger<SagaDetails>;

/**
 * The faults of `--faults` (the step functions' `SAGA_FAULTS`): every kind the saga must survive, 30 %
 * of the orders in all, at most one fault per order.
 */
export const SCENARIO_FAULTS =
  "ChargePayment:permanent=0.06,ReserveInventory:transient=0.06,CreateShipment:timeout=0.02,ReserveInventory:compensation-transient=0.08,ChargePayment:compensation-permanent=0.06";

/** Options of {@link runSagaScenario}. */
export interface SagaScenarioOptions {
  /** Orders to place. @default 100 */
  readonly orders?: number;
  /** The stack runs with {@link SCENARIO_FAULTS} (the scenario predicts each order's outcome from it). @default false */
  readonly faults?: boolean;
  /** Share of requests sent twice. @default 0.02 */
  readonly duplicateRate?: number;
  readonly onProgress?: ProgressListener;
}

/**
 * The `sfn-saga` scenario: N order requests (2 % sent twice) on the starter queue, then every saga
 * awaited through DescribeExecution and the business state read from the tables; {@link judgeSaga}
 * checks each saga's outcome against its fault, stock never oversold or leaked, charges of cancelled
 * orders refunded exactly once, no shipment for a cancelled order, every compensation failure recorded,
 * no duplicate or still-running execution.
 */
export function runSagaScenario(
  target: ScenarioTarget,
  options: SagaScenarioOptions = {},
): Promise<SagaLedger> {
  const progress = phasedProgress(
    [
      { name: "send", weight: 2 },
      { name: "sagas", weight: 6 },
      { name: "state", weight: 2 },
    ],
    options.onProgress,
  );
  return runScenario(target, "sfn-saga", async ({ runId, clients, out, intervalMs, receiveWaitSeconds }) => {
    const { sqs, dynamodb } = clients;
    const sfn = new SFNClient(target.clientConfig("stepfunctions"));
    try {
      const count = options.orders ?? 100;
      const faults = parseSagaFaults(options.faults ? SCENARIO_FAULTS : undefined);
      const sku = `sku-${runId}`;
      const orders: Order[] = Array.from({ length: count }, (_, i) => ({
        orderId: `${runId}-${String(i).padStart(5, "0")}`,
        customerId: `customer-${i % 7}`,
        sku,
        quantity: 1 + (i % 3),
        amountCents: 500 + i,
      }));
      const initialStock = orders.reduce((sum, o) => sum + o.quantity, 0);
      await putStock(dynamodb, out(O.inventoryTableName), sku, initialStock);

      // Requests: every order once, a few twice (a new CloudEvent id: a client retrying).
      const duplicateEvery = Math.max(1, Math.round(1 / (options.duplicateRate ?? 0.02)));
      const requests = orders.flatMap((order, i) => [
        { order, eventId: `${order.orderId}-request` },
        ...(i % duplicateEvery === duplicateEvery - 1 ? [{ order, eventId: `${order.orderId}-retry` }] : []),
      ]);
      const sentAt = new Map<string, number>();
      for (let i = 0; i < requests.length; i += 10) {
        const chunk = requests.slice(i, i + 10);
        const now = Date.now();
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: out(O.orderRequestsQueueUrl),
            Entries: chunk.map(({ order, eventId }, j) => ({
              Id: String(j),
              MessageBody: JSON.stringify({
                specversion: "1.0",
                id: eventId,
                source: "saga-scenario",
                type: ORDER_REQUESTED,
                time: new Date(now).toISOString(),
                data: order,
              }),
            })),
          }),
        );
        for (const { order } of chunk) if (!sentAt.has(order.orderId)) sentAt.set(order.orderId, now);
        progress(
          "send",
          `sent ${i + chunk.length}/${requests.length} requests`,
          i + chunk.length,
          requests.length,
        );
      }

      // Every saga to its end.
      const machine = out(O.stateMachineArn);
      const executionArn = (id: string) => `${machine.replace(":stateMachine:", ":execution:")}:${id}`;
      const executions = new Map<string, ObservedExecution>();
      const deadline = deadlineIn(target.settleTimeoutMs);
      await waitUntil(
        async () => {
          for (const order of orders) {
            if (
              executions.get(order.orderId)?.status !== undefined &&
              executions.get(order.orderId)?.status !== "RUNNING"
            )
              continue;
            try {
              const e = await sfn.send(
                new DescribeExecutionCommand({ executionArn: executionArn(order.orderId) }),
              );
              executions.set(order.orderId, {
                status: e.status ?? "RUNNING",
                ...(e.error ? { error: e.error } : {}),
                ...(e.stopDate ? { stopDateMs: e.stopDate.getTime() } : {}),
              });
            } catch (error) {
              if (!(error instanceof Error && error.name === "ExecutionDoesNotExist")) throw error;
            }
          }
          const closed = [...executions.values()].filter((e) => e.status !== "RUNNING").length;
          progress("sagas", `${closed}/${count} sagas ended`, closed, count);
          return closed === count;
        },
        { timeoutMs: deadline.remainingMs(), intervalMs },
      );

      // Executions named after this run's orders (duplicates would show here).
      let executionsNamed = 0;
      let nextToken: string | undefined;
      do {
        const page = await sfn.send(
          new ListExecutionsCommand({ stateMachineArn: machine, nextToken, maxResults: 1000 }),
        );
        executionsNamed += (page.executions ?? []).filter((e) => e.name?.startsWith(`${runId}-`)).length;
        nextToken = page.nextToken;
      } while (nextToken);

      // The business state.
      const payments = new Map<string, ObservedRecord>();
      const shipments = new Map<string, ObservedRecord>();
      const orderStatus = new Map<string, string>();
      const recordedFailures = new Set<string>();
      for (const [i, order] of orders.entries()) {
        const id = order.orderId;
        const payment = await readOrderRecord(dynamodb, out(O.paymentsTableName), id);
        if (payment) payments.set(id, payment);
        const shipment = await readOrderRecord(dynamodb, out(O.shipmentsTableName), id);
        if (shipment) shipments.set(id, shipment);
        const { Item } = await dynamodb.send(
          new GetItemCommand({
            TableName: out(O.ordersTableName),
            Key: { orderId: { S: id } },
            ConsistentRead: true,
          }),
        );
        if (Item?.status?.S) orderStatus.set(id, Item.status.S);
        if (executions.get(id)?.error === "Saga.CompensationFailed") {
          const { Count = 0 } = await dynamodb.send(
            new QueryCommand({
              TableName: out(O.compensationFailureTableName),
              KeyConditionExpression: "sagaKey = :k",
              ExpressionAttributeValues: { ":k": { S: id } },
            }),
          );
          if (Count > 0) recordedFailures.add(id);
        }
        progress("state", `read the state of ${i + 1}/${count} orders`, i + 1, count);
      }
      const stock = (await readStock(dynamodb, out(O.inventoryTableName), sku)) ?? {
        available: 0,
        reservations: {},
      };
      const deadLettered = (
        await readDeadLetters(sqs, out(O.orderRequestsDlqUrl), {
          isOurs: bodyMentions(runId),
          waitTimeSeconds: receiveWaitSeconds,
        })
      ).length;
      return judgeSaga({
        orders,
        faults,
        requestsSent: requests.length,
        duplicatesSent: requests.length - orders.length,
        sentAt,
        executions,
        executionsNamed,
        initialStock,
        stock,
        payments,
        shipments,
        orderStatus,
        recordedFailures,
        deadLettered,
      });
    } finally {
      sfn.destroy();
    }
  });
}
