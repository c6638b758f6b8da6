import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  type SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { describe, expect, it } from "vitest";
import type { Order } from "../../../../functions/sfn-saga/order.js";
import { executionArnFor, startOrderSaga } from "../../../../functions/sfn-saga/start-order.js";

const MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:PlaceOrder";
const order: Order = { orderId: "o-1", customerId: "c", sku: "s", quantity: 1, amountCents: 100 };

/**
 * A Standard state machine's StartExecution name rules, in memory: a name runs once; the same name and
 * input while open returns the run; otherwise ExecutionAlreadyExists.
 */
function fakeStepFunctions(options: { closeAfterStart?: boolean } = {}) {
  const executions = new Map<string, { input: string; status: string }>();
  const calls: string[] = [];
  const send = async (command: unknown) => {
    if (command instanceof StartExecutionCommand) {
      calls.push("StartExecution");
      const { name, input } = command.input as { name: string; input: string };
      const arn = executionArnFor(MACHINE, name);
      const existing = executions.get(arn);
      if (existing && (existing.status !== "RUNNING" || existing.input !== input)) {
        throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${arn}'`, $metadata: {} });
      }
      executions.set(arn, { input, status: options.closeAfterStart ? "SUCCEEDED" : "RUNNING" });
      return { executionArn: arn, startDate: new Date() };
    }
    if (command instanceof DescribeExecutionCommand) {
      calls.push("DescribeExecution");
      const found = executions.get(command.input.executionArn as string);
      return { ...found, executionArn: command.input.executionArn };
    }
    throw new Error("unexpected command");
  };
  return { client: { send } as unknown as SFNClient, executions, calls };
}

describe("startOrderSaga", () => {
  it("names the execution by the order ID and passes the order as the input", async () => {
    const sfn = fakeStepFunctions();
    const outcome = await startOrderSaga(sfn.client, MACHINE, order);
    expect(outcome).toEqual({
      status: "started",
      executionArn: "arn:aws:states:us-east-1:123456789012:execution:PlaceOrder:o-1",
    });
    expect(JSON.parse(sfn.executions.get(outcome.executionArn)?.input as string)).toEqual(order);
  });

  it("a duplicate request while the saga runs gets the same execution: one saga (SAGA-07)", async () => {
    const sfn = fakeStepFunctions();
    await startOrderSaga(sfn.client, MACHINE, order);
    expect((await startOrderSaga(sfn.client, MACHINE, { ...order })).status).toBe("started");
    expect(sfn.executions.size).toBe(1);
  });

  it("a duplicate request after the saga closed is ExecutionAlreadyExists, treated as already started (SAGA-07)", async () => {
    const sfn = fakeStepFunctions({ closeAfterStart: true });
    await startOrderSaga(sfn.client, MACHINE, order);
    expect(await startOrderSaga(sfn.client, MACHINE, order)).toEqual({
      status: "already-started",
      executionArn: executionArnFor(MACHINE, order.orderId),
    });
    expect(sfn.calls).toEqual(["StartExecution", "StartExecution", "DescribeExecution"]);
  });

  it("a same-ID request with a different input is a permanent ExecutionConflict with the reason", async () => {
    const sfn = fakeStepFunctions();
    await startOrderSaga(sfn.client, MACHINE, order);
    await expect(startOrderSaga(sfn.client, MACHINE, { ...order, quantity: 2 })).rejects.toMatchObject({
      name: "PermanentError",
      type: "ExecutionConflict",
      reason: expect.stringMatching(/different input/),
    });
    expect(sfn.executions.size).toBe(1);
  });

  it("refuses an input above 256 KiB before calling Step Functions (SAGA-08)", async () => {
    const sfn = fakeStepFunctions();
    const big = { ...order, customerId: "x".repeat(256 * 1024) };
    await expect(startOrderSaga(sfn.client, MACHINE, big)).rejects.toMatchObject({ type: "Oversize" });
    expect(sfn.calls).toEqual([]);
  });

  it("rethrows any other error, so SQS retries the request", async () => {
    const throttled = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
    const client = { send: async () => Promise.reject(throttled) } as unknown as SFNClient;
    await expect(startOrderSaga(client, MACHINE, order)).rejects.toBe(throttled);
  });

  it("derives the execution ARN from the state machine ARN (any partition)", () => {
    expect(executionArnFor("arn:aws-cn:states:cn-north-1:1:stateMachine:M", "x")).toBe(
      "arn:aws-cn:states:cn-north-1:1:execution:M:x",
    );
    expect(() => executionArnFor("arn:aws:sqs:us-east-1:1:q", "x")).toThrow(/not a state machine ARN/);
  });
});
