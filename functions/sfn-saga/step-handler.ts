/**
 * The adapter every Lambda step of the saga shares: parse the step event (patterns/sfn-saga passes
 * `{ sagaKey, step, phase, executionId, input }`), apply the order's injected fault if any
 * (faults.ts), and run the step's action or compensation (steps.ts). Errors keep their names, which
 * Step Functions matches: the business refusals, `RetryableError`, `CompensationError`, `InvalidSagaInput`.
 */
import { type DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import type { Context } from "aws-lambda";
import { readEnv } from "../shared/env.js";
import { RetryableError } from "../shared/errors.js";
import { lambdaHandler, type Observability } from "../shared/lambda-handler.js";
import { CompensationError, InvalidSagaInput } from "./errors.js";
import { faultAction, faultFor, parseSagaFaults, type SagaFault, TRANSIENT_FAILURES } from "./faults.js";
import type { LambdaSagaStep } from "./order.js";
import { parseOrderStepEvent } from "./saga-event.js";
import { type SagaTables, STEPS } from "./steps.js";

/** Configuration of a step function, from its environment. */
export interface SagaStepConfig {
  readonly tables: SagaTables;
  readonly faults: readonly SagaFault[];
}

/** Reads `INVENTORY_TABLE_NAME`, `PAYMENTS_TABLE_NAME`, `SHIPMENTS_TABLE_NAME`, `ORDERS_TABLE_NAME`, `SAGA_FAULTS`. */
export function readSagaStepConfig(env: NodeJS.ProcessEnv = process.env): SagaStepConfig {
  const e = readEnv(
    ["INVENTORY_TABLE_NAME", "PAYMENTS_TABLE_NAME", "SHIPMENTS_TABLE_NAME", "ORDERS_TABLE_NAME"],
    env,
  );
  return {
    tables: {
      inventory: e.INVENTORY_TABLE_NAME,
      payments: e.PAYMENTS_TABLE_NAME,
      shipments: e.SHIPMENTS_TABLE_NAME,
      orders: e.ORDERS_TABLE_NAME,
    },
    faults: parseSagaFaults(env.SAGA_FAULTS),
  };
}

/** Dependencies of {@link runSagaStep}. */
export interface SagaStepDependencies extends SagaStepConfig {
  readonly dynamodb: DynamoDBClient;
  /** Milliseconds the invocation has left (Lambda's `getRemainingTimeInMillis`). */
  readonly remainingTimeMs: () => number;
  /** @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

/** Counts an attempt of an injected transient fault (in the orders table: `fault-attempts#…` items). */
export async function countFaultAttempt(
  dynamodb: DynamoDBClient,
  ordersTable: string,
  key: { orderId: string; step: string; phase: string },
): Promise<number> {
  const { Attributes } = await dynamodb.send(
    new UpdateItemCommand({
      TableName: ordersTable,
      Key: { orderId: { S: `fault-attempts#${key.orderId}#${key.step}#${key.phase}` } },
      UpdateExpression: "ADD attempts :one",
      ExpressionAttributeValues: { ":one": { N: "1" } },
      ReturnValues: "UPDATED_NEW",
    }),
  );
  return Number(Attributes?.attempts?.N ?? 1);
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs one invocation of `step`; returns the step's result (Step Functions stores it under `$.results`). */
export async function runSagaStep(
  step: LambdaSagaStep,
  payload: unknown,
  deps: SagaStepDependencies,
): Promise<unknown> {
  const event = parseOrderStepEvent(payload);
  if (event.step !== step) throw new InvalidSagaInput(`function of ${step} invoked for step ${event.step}`);
  const { order, phase } = event;
  const implementation = STEPS[step];
  const context = { dynamodb: deps.dynamodb, tables: deps.tables, now: (deps.clock ?? (() => new Date()))() };
  const fault = faultAction(faultFor(order.orderId, deps.faults), step, phase);
  const attempt = () =>
    countFaultAttempt(deps.dynamodb, deps.tables.orders, { orderId: order.orderId, step, phase });

  if (phase === "compensation") {
    if (fault.kind === "fail-compensation-permanently") {
      throw new CompensationError(`injected fault: the compensation of ${step} fails for good`);
    }
    if (fault.kind === "fail-compensation-transiently" && (await attempt()) <= TRANSIENT_FAILURES) {
      throw new CompensationError(`injected fault: the compensation of ${step} fails transiently`);
    }
    return implementation.compensation(order, context);
  }
  if (fault.kind === "fail-permanently") {
    throw new implementation.businessError(`injected fault: ${step} refuses order ${order.orderId}`);
  }
  if (fault.kind === "fail-transiently" && (await attempt()) <= TRANSIENT_FAILURES) {
    throw new RetryableError(`injected fault: ${step} fails transiently for order ${order.orderId}`);
  }
  const result = await implementation.action(order, context);
  if (fault.kind === "timeout-after-commit") {
    // Committed; now outlive the invocation, so the caller sees a timeout with an unknown outcome.
    await (deps.sleep ?? defaultSleep)(deps.remainingTimeMs() + 1_000);
  }
  return result;
}

/** The Lambda handler of `step`: module-scope configuration and client, Powertools logger and metrics. */
export function createSagaStepHandler(
  step: LambdaSagaStep,
  deps: { readonly config: SagaStepConfig; readonly dynamodb: DynamoDBClient },
  observability: Observability,
) {
  return lambdaHandler(
    (payload: unknown, context: Context) =>
      runSagaStep(step, payload, {
        ...deps.config,
        dynamodb: deps.dynamodb,
        remainingTimeMs: () => context.getRemainingTimeInMillis(),
      }),
    observability,
  );
}
