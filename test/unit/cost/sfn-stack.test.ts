import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { estimateOne } from "../../../tools/cost/estimate.ts";
import { DefinitionError, executionPaths } from "../../../tools/cost/stack/asl-paths.ts";
import { executionCounts, sfnStackAlternatives } from "../../../tools/cost/stack/sfn-stack.ts";
import { stackAlternatives } from "../../../tools/cost/stack/stack-kind.ts";
import { readTemplate } from "../../../tools/cost/stack/template.ts";
import { resolveWorkload } from "../../../tools/cost/workload.ts";
import { cost, FIXTURES, MONTH_S, prices } from "./prices.ts";

/** A copy of `cdk.out/SfnSagaStack.template.json` as synthesized on 2026-12-01. */
const model = readTemplate(
  "SfnSagaStack",
  JSON.parse(readFileSync(join(FIXTURES, "sfn-saga.template.json"), "utf8")),
);
const definition = model.stateMachines.find((m) => m.id.startsWith("PlaceOrderStateMachine"))
  ?.definition as string;

describe("walking the synthesized saga definition", () => {
  it("enters 5 states on the happy path and 6 when refused at CreateShipment", () => {
    const { happy, refusals } = executionPaths(definition);
    expect(happy.states).toEqual([
      "ReserveInventory",
      "ChargePayment",
      "CreateShipment",
      "ConfirmOrder",
      "SagaSucceeded",
    ]);
    expect(happy.tasks.map((t) => t.task.kind)).toEqual(["lambda", "lambda", "lambda", "dynamodb-write"]);
    expect(refusals.map((r) => [r.name, r.states.length])).toEqual([
      ["refused at ReserveInventory (OutOfStock)", 2],
      ["refused at ChargePayment (PaymentDeclined)", 4],
      ["refused at CreateShipment (AddressRejected)", 6],
    ]);
  });

  it("counts transitions with no retries: 5 (all happy) and 6 (all compensated)", () => {
    const base = { messagesPerSecond: 1, sagaRetriesPerStep: 0 };
    expect(
      executionCounts(definition, resolveWorkload({ ...base, sagaCompensatedFraction: 0 })).transitions,
    ).toBe(5);
    expect(
      executionCounts(definition, resolveWorkload({ ...base, sagaCompensatedFraction: 1 })).transitions,
    ).toBe(6);
  });

  it("refuses a definition with a Next to nowhere", () => {
    const bad = JSON.stringify({ StartAt: "A", States: { A: { Type: "Task", Resource: "x", Next: "B" } } });
    expect(() => executionPaths(bad)).toThrow(DefinitionError);
  });
});

describe("pricing SfnSagaStack", () => {
  // 10/s, 5 % compensated, 0.05 retries per Task, 5 ms per step, 256 MB arm64 functions.
  const w = resolveWorkload({ messagesPerSecond: 10 });
  const executions = 10 * MONTH_S; // 26,280,000
  const [standard, express] = stackAlternatives(model);

  it("is chosen for a stack with a started state machine and no SNS → SQS subscription", () => {
    expect(standard?.id).toBe("stack:SfnSagaStack");
    expect(express?.id).toBe("stack:SfnSagaStack:express");
    expect(sfnStackAlternatives(model)).toHaveLength(2);
  });

  it("bills transitions for the weighted paths plus retries", () => {
    const e = estimateOne(standard as never, w, prices);
    // states: 0.95 × 5 + 0.05 × 6 = 5.05; Tasks: 0.95 × 4 + 0.05 × 5 = 4.05, × 0.05 retries = 0.2025.
    // 5.2525 × 26,280,000 = 138,035,700 transitions × $0.000025 = $3,450.8925.
    expect(cost(e, "state transitions")).toBeCloseTo(3_450.8925, 4);
    // Lambda steps: (0.95 × 3 + 0.05 × 5) × 1.05 = 3.255 per execution × $0.20/M.
    expect(cost(e, "saga steps: Lambda invocations")).toBeCloseTo((executions * 3.255 * 0.2) / 1e6, 6);
    // GB-s: 3.255 × 0.005 s × 0.25 GB per execution at the arm64 price.
    const arm = prices.items["lambda.duration.arm64"]?.usdPerUnit as number;
    expect(cost(e, "saga steps: Lambda duration")).toBeCloseTo(executions * 3.255 * 0.005 * 0.25 * arm, 6);
    // writes: 3.255 (one per Lambda attempt) + 0.95 × 1 ConfirmOrder × 1.05 = 4.2525 × $0.625/M.
    expect(cost(e, "saga steps: DynamoDB writes")).toBeCloseTo((executions * 4.2525 * 0.625) / 1e6, 6);
    // starter queue: one send per order.
    expect(cost(e, "starter queue: SQS sends")).toBeCloseTo((executions * 0.4) / 1e6, 6);
  });

  it("prices the same traffic on Express: requests plus 0.2 s × 64 MB per execution", () => {
    const e = estimateOne(express as never, w, prices);
    expect(cost(e, "Express executions")).toBeCloseTo(26.28, 6);
    // happy: 3 × 1.05 × 5 ms + 5 × 20 ms = 115.75 ms → 0.2 s; compensated 146.25 ms → 0.2 s.
    const gbHours = (executions * 0.2 * (64 / 1024)) / 3600;
    const price = prices.items["sfn.express.duration"]?.usdPerUnit as number;
    expect(cost(e, "Express duration")).toBeCloseTo(gbHours * price, 6);
    expect(e.lineItems.some((l) => l.component.includes("state transitions"))).toBe(false);
  });
});
