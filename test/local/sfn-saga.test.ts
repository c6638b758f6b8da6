import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { faultFor, parseSagaFaults, type SagaFault } from "../../functions/sfn-saga/faults.ts";
import { putStock, readStock } from "../../functions/sfn-saga/inventory.ts";
import { ORDER_REQUESTED, type Order } from "../../functions/sfn-saga/order.ts";
import { readOrderRecord } from "../../functions/sfn-saga/order-record.ts";
import { buildCloudEvent } from "../../functions/shared/cloudevents.ts";
import { SfnSagaOutputs as O } from "../../stacks/sfn-saga-outputs.ts";
import { type LocalCloud, startLocal } from "../../tools/local/start-local.ts";
import { receiveMessages } from "../helpers/aws-emulators.ts";
import { waitFor } from "../helpers/wait.ts";

/**
 * The place-order saga end to end on the embedded cloud: SfnSagaStack from cdk.out, the local Step
 * Functions service running the synthesized definition, the step functions on the local Lambda service
 * with SAGA_FAULTS, the tables on dynalite. Each FAULTS SAGA-* case is one order chosen so that the
 * deterministic fault selection hits it.
 */
const FAULTS =
  "ChargePayment:permanent=0.14,ChargePayment:transient=0.14,CreateShipment:timeout=0.14,ReserveInventory:compensation-transient=0.14,ChargePayment:compensation-permanent=0.14";
const faults = parseSagaFaults(FAULTS);
const SKU = "sku-e2e";

/** The first order ID `order-<n>` whose fault is `kind` on `step` (or no fault at all). */
function orderFor(step: SagaFault["step"] | undefined, kind?: SagaFault["kind"], prefix = "order"): Order {
  for (let i = 0; ; i++) {
    const orderId = `${prefix}-${i}`;
    const fault = faultFor(orderId, faults);
    if (step === undefined ? fault === undefined : fault?.step === step && fault.kind === kind) {
      return { orderId, customerId: "c-1", sku: SKU, quantity: 2, amountCents: 1999 };
    }
  }
}

let cloud: LocalCloud;
let sfn: SFNClient;
let dynamodb: DynamoDBClient;
let sqs: SQSClient;
let out: (name: string) => string;

beforeAll(async () => {
  cloud = await startLocal({
    stack: "SfnSagaStack",
    environment: { SAGA_FAULTS: FAULTS },
    stepFunctionsRetryDelayMs: 20,
    visibilityTimeoutSeconds: 5,
  });
  const config = { region: cloud.region, credentials: cloud.credentials };
  sfn = new SFNClient({ ...config, endpoint: cloud.endpoints.stepfunctions });
  dynamodb = new DynamoDBClient({ ...config, endpoint: cloud.endpoints.dynamodb });
  sqs = new SQSClient({ ...config, endpoint: cloud.endpoints.sqs, useQueueUrlAsEndpoint: false });
  out = (name) => cloud.outputs[name] as string;
  await putStock(dynamodb, out(O.inventoryTableName), SKU, 1000);
});
afterAll(async () => {
  for (const client of [sfn, dynamodb, sqs]) client?.destroy();
  await cloud?.stop();
});

async function runSaga(order: Order, timeoutMs = 30_000): Promise<DescribeExecutionCommandOutput> {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: out(O.stateMachineArn),
      name: order.orderId,
      input: JSON.stringify(order),
    }),
  );
  return waitFor(
    async () => {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return execution.status === "RUNNING" ? undefined : execution;
    },
    { timeoutMs, intervalMs: 50, description: `execution ${order.orderId}` },
  );
}

async function statesEntered(executionArn: string): Promise<string[]> {
  const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
  return events.flatMap((e) => (e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : []));
}

const stock = async () => (await readStock(dynamodb, out(O.inventoryTableName), SKU))?.available;
const payment = (orderId: string) => readOrderRecord(dynamodb, out(O.paymentsTableName), orderId);
const shipment = (orderId: string) => readOrderRecord(dynamodb, out(O.shipmentsTableName), orderId);
async function orderStatus(orderId: string): Promise<string | undefined> {
  const { Item } = await dynamodb.send(
    new GetItemCommand({
      TableName: out(O.ordersTableName),
      Key: { orderId: { S: orderId } },
      ConsistentRead: true,
    }),
  );
  return Item?.status?.S;
}

describe("the place-order saga on the embedded cloud", () => {
  it("completes an order: every step once, ConfirmOrder by the DynamoDB integration", async () => {
    const order = orderFor(undefined);
    const before = await stock();
    const execution = await runSaga(order);
    expect(execution.status).toBe("SUCCEEDED");
    expect(JSON.parse(execution.output as string).results.ChargePayment).toEqual({
      outcome: "applied",
      amountCents: 1999,
    });
    expect(await stock()).toBe((before as number) - 2);
    expect(await payment(order.orderId)).toMatchObject({
      status: "CHARGED",
      appliedCount: 1,
      undoneCount: 0,
    });
    expect(await shipment(order.orderId)).toMatchObject({ status: "CREATED" });
    expect(await orderStatus(order.orderId)).toBe("CONFIRMED");
    expect(await statesEntered(execution.executionArn as string)).toEqual([
      "ReserveInventory",
      "ChargePayment",
      "CreateShipment",
      "ConfirmOrder",
      "SagaSucceeded",
    ]);
  });

  it("SAGA-01: a business failure at step 2 compensates step 1 only, in reverse; FAILED with the cause", async () => {
    const order = orderFor("ChargePayment", "permanent");
    const before = await stock();
    const execution = await runSaga(order);
    expect(execution).toMatchObject({ status: "FAILED", error: "PaymentDeclined" });
    expect(JSON.parse(execution.cause as string)).toMatchObject({ errorType: "PaymentDeclined" });
    expect(await statesEntered(execution.executionArn as string)).toEqual([
      "ReserveInventory",
      "ChargePayment",
      "CompensateReserveInventory",
      "SagaFailed",
    ]);
    expect(await stock()).toBe(before);
    expect(await payment(order.orderId)).toBeUndefined();
  });

  it("retries a transient failure and charges exactly once (no compensation)", async () => {
    const order = orderFor("ChargePayment", "transient");
    const execution = await runSaga(order);
    expect(execution.status).toBe("SUCCEEDED");
    const { events = [] } = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: execution.executionArn }),
    );
    expect(events.filter((e) => e.type === "TaskFailed").map((e) => e.taskFailedEventDetails?.error)).toEqual(
      ["RetryableError", "RetryableError"],
    );
    expect(await payment(order.orderId)).toMatchObject({ appliedCount: 1 });
  });

  it("SAGA-03: a compensation failing transiently is retried and undoes exactly once", async () => {
    const order = orderFor("ReserveInventory", "compensation-transient");
    const before = await stock();
    const execution = await runSaga(order);
    expect(execution).toMatchObject({ status: "FAILED", error: "PaymentDeclined" });
    const { events = [] } = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: execution.executionArn }),
    );
    expect(events.filter((e) => e.taskFailedEventDetails?.error === "CompensationError")).toHaveLength(2);
    expect(await stock()).toBe(before);
    expect((await readStock(dynamodb, out(O.inventoryTableName), SKU))?.released[order.orderId]).toBe(2);
  });

  it("SAGA-04: a compensation failing for good is recorded, alerted and ends FAILED with Saga.CompensationFailed", async () => {
    const order = orderFor("ChargePayment", "compensation-permanent");
    const published = cloud.spy.count("sns.publish");
    const execution = await runSaga(order);
    expect(execution).toMatchObject({ status: "FAILED", error: "Saga.CompensationFailed" });
    const entered = await statesEntered(execution.executionArn as string);
    expect(entered.slice(-4)).toEqual([
      "CompensateChargePayment",
      "RecordCompensationFailure",
      "AlertCompensationFailure",
      "CompensationFailed",
    ]);
    expect(entered).not.toContain("CompensateReserveInventory");
    const { Item } = await dynamodb.send(
      new GetItemCommand({
        TableName: out(O.compensationFailureTableName),
        Key: { sagaKey: { S: order.orderId }, executionId: { S: execution.executionArn as string } },
      }),
    );
    expect(Item?.status?.S).toBe("COMPENSATION_FAILED");
    expect(JSON.parse(Item?.compensationFailures?.S as string).ChargePayment.Error).toBe("CompensationError");
    expect(JSON.parse(Item?.failure?.S as string).Error).toBe("AddressRejected");
    expect(cloud.spy.count("sns.publish")).toBe(published + 1);
    // Never a silent success: the charge is still there for a person to refund.
    expect(await payment(order.orderId)).toMatchObject({ status: "CHARGED" });
  });

  it("SAGA-02: a step that times out after committing is compensated too: no double refund, nothing leaked", async () => {
    const order = orderFor("CreateShipment", "timeout");
    const before = await stock();
    const execution = await runSaga(order, 60_000);
    expect(execution.status).toBe("FAILED");
    // Whichever ends the attempt first: middy's early timeout in the function (TimeoutError), Lambda's
    // (Sandbox.Timedout) or the task's TimeoutSeconds (States.Timeout); the outcome is unknown in all three.
    expect(["TimeoutError", "States.Timeout", "Sandbox.Timedout"]).toContain(execution.error);
    expect((await statesEntered(execution.executionArn as string)).slice(2)).toEqual([
      "CreateShipment",
      "CompensateCreateShipment",
      "CompensateChargePayment",
      "CompensateReserveInventory",
      "SagaFailed",
    ]);
    expect(await shipment(order.orderId)).toMatchObject({
      status: "CANCELLED",
      appliedCount: 1,
      undoneCount: 1,
    });
    expect(await payment(order.orderId)).toMatchObject({
      status: "REFUNDED",
      appliedCount: 1,
      undoneCount: 1,
    });
    expect(await stock()).toBe(before);
  });

  it("SAGA-07: duplicate requests start one saga; a same-ID request with another input is dead-lettered with the reason", async () => {
    const duplicate = orderFor(undefined, undefined, "dup");
    const send = (data: Order, id: string) =>
      sqs.send(
        new SendMessageCommand({
          QueueUrl: out(O.orderRequestsQueueUrl),
          MessageBody: JSON.stringify(
            buildCloudEvent({ type: ORDER_REQUESTED, data: { ...data }, id }, { source: "test" }),
          ),
        }),
      );
    await send(duplicate, "request-1");
    await send(duplicate, "request-2");
    const executionArn = `${out(O.stateMachineArn).replace(":stateMachine:", ":execution:")}:${duplicate.orderId}`;
    await waitFor(
      async () => (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status === "SUCCEEDED",
      { timeoutMs: 30_000, description: "the duplicate's saga" },
    );
    await send({ ...duplicate, quantity: 5 }, "request-3");
    const [dead] = await receiveMessages(sqs, out(O.orderRequestsDlqUrl), 1);
    expect(dead?.MessageAttributes?.["error.type"]?.StringValue).toBe("ExecutionConflict");
    const { executions = [] } = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: out(O.stateMachineArn) }),
    );
    expect(executions.filter((e) => e.name === duplicate.orderId)).toHaveLength(1);
    expect(await payment(duplicate.orderId)).toMatchObject({ appliedCount: 1 });
  });

  it("answers StartExecution with the Standard name rules and the input limit (SAGA-08)", async () => {
    const order = orderFor(undefined, undefined, "again");
    await expect(
      sfn.send(
        new StartExecutionCommand({ stateMachineArn: out(O.stateMachineArn), name: "bad name", input: "{}" }),
      ),
    ).rejects.toMatchObject({ name: "InvalidName" });
    // SAGA-08: an input above 256 KiB is refused at start.
    await expect(
      sfn.send(
        new StartExecutionCommand({
          stateMachineArn: out(O.stateMachineArn),
          name: `${order.orderId}-big`,
          input: JSON.stringify({ ...order, padding: "x".repeat(300 * 1024) }),
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidExecutionInput" });
    const first = await runSaga(order);
    await expect(
      sfn.send(
        new StartExecutionCommand({
          stateMachineArn: out(O.stateMachineArn),
          name: order.orderId,
          input: "{}",
        }),
      ),
    ).rejects.toMatchObject({ name: "ExecutionAlreadyExists" });
    expect(first.status).toBe("SUCCEEDED");
  });
});
