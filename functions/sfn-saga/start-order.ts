/**
 * Starts the saga of one order request, exactly once per order: the execution is NAMED by the
 * order ID. On a Standard state machine a name is unique for 90 days, so:
 * - same name and same input while the first run is open: StartExecution returns that run;
 * - same name after it closed, or with a different input: `ExecutionAlreadyExists`. The starter then
 *   reads the existing execution: the same input means the saga already started (a duplicate request,
 *   acknowledged); a different input is a conflicting request for an existing order ID, a
 *   {@link PermanentError} `ExecutionConflict` that the SQS consumer sends to the DLQ with the reason.
 * The execution input is the validated order only (no request time or event ID), so duplicates of
 * one request produce byte-identical inputs.
 */

import { isDeepStrictEqual } from "node:util";
import { DescribeExecutionCommand, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { PermanentError } from "../shared/errors.js";
import type { Order } from "./order.js";

/** Step Functions' limit on an execution input (UTF-8 bytes). */
export const MAX_EXECUTION_INPUT_BYTES = 256 * 1024;

/** How a request ended. */
export type StartOutcome =
  | { readonly status: "started"; readonly executionArn: string }
  | { readonly status: "already-started"; readonly executionArn: string };

/** The ARN of the execution named `name` of the state machine `stateMachineArn`. */
export function executionArnFor(stateMachineArn: string, name: string): string {
  const parts = stateMachineArn.split(":");
  if (parts.length < 7 || parts[5] !== "stateMachine") {
    throw new Error(`not a state machine ARN: ${stateMachineArn}`);
  }
  return [...parts.slice(0, 5), "execution", parts[6], name].join(":");
}

/** Starts (or recognises as started) the saga of `order`; see the module documentation. */
export async function startOrderSaga(
  sfn: SFNClient,
  stateMachineArn: string,
  order: Order,
): Promise<StartOutcome> {
  const input = JSON.stringify(order);
  if (Buffer.byteLength(input, "utf8") > MAX_EXECUTION_INPUT_BYTES) {
    throw new PermanentError(
      "Oversize",
      `execution input is ${Buffer.byteLength(input, "utf8")} bytes; Step Functions accepts at most ${MAX_EXECUTION_INPUT_BYTES} (store the payload elsewhere and pass a reference)`,
    );
  }
  try {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: order.orderId, input }),
    );
    return {
      status: "started",
      executionArn: executionArn ?? executionArnFor(stateMachineArn, order.orderId),
    };
  } catch (error) {
    if (!(error instanceof Error) || error.name !== "ExecutionAlreadyExists") throw error;
  }
  const executionArn = executionArnFor(stateMachineArn, order.orderId);
  const existing = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  const existingInput: unknown = existing.input === undefined ? undefined : JSON.parse(existing.input);
  if (isDeepStrictEqual(existingInput, order)) return { status: "already-started", executionArn };
  throw new PermanentError(
    "ExecutionConflict",
    `order ${order.orderId} already has a saga (${executionArn}, ${existing.status}) with a different input; a new request needs a new order ID`,
  );
}
