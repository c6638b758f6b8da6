import type { CfnResource } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { SfnSagaOutputs } from "../../stacks/sfn-saga-outputs.js";
import { SAGA_FAULTS_CONTEXT, SfnSagaStack } from "../../stacks/sfn-saga-stack.js";
import { validateAsl } from "../../tools/local/services/stepfunctions-asl.js";
import { createTestApp } from "../helpers/app.js";
import { type AslState, definitionOf } from "../helpers/state-machine.js";

type Resource = { Type: string; Properties: Record<string, unknown> };

describe("SfnSagaStack", () => {
  const stack = new SfnSagaStack(createTestApp(), "SfnSagaStack");
  const template = Template.fromStack(stack);
  const definition = definitionOf(template.toJSON() as never);
  const ref = (c: { node: { defaultChild?: unknown } }) => ({
    Ref: stack.getLogicalId(c.node.defaultChild as CfnResource),
  });
  const functions = Object.values(
    template.findResources("AWS::Lambda::Function") as Record<string, Resource>,
  );
  const variables = (f: Resource) =>
    (f.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

  it("outputs every queue, table, state machine and topic under the names of sfn-saga-outputs.ts", () => {
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual(Object.values(SfnSagaOutputs).sort());
  });

  it("is the place-order saga: three Lambda steps and ConfirmOrder as a DynamoDB update, valid ASL", () => {
    expect(validateAsl(definition)).toEqual([]);
    expect(definition.StartAt).toBe("ReserveInventory");
    const s = definition.States as Record<string, AslState>;
    expect([
      s.ReserveInventory?.Next,
      s.ChargePayment?.Next,
      s.CreateShipment?.Next,
      s.ConfirmOrder?.Next,
    ]).toEqual(["ChargePayment", "CreateShipment", "ConfirmOrder", "SagaSucceeded"]);
    expect(s.ConfirmOrder?.Resource).toBe("arn:aws:states:::dynamodb:updateItem");
    expect(s.CompensateConfirmOrder?.Parameters).toMatchObject({
      ExpressionAttributeValues: { ":status": { S: "CANCELLED" } },
    });
    expect(s.ReserveInventory?.Catch?.[0]).toMatchObject({ ErrorEquals: ["OutOfStock"], Next: "SagaFailed" });
    expect(s.ChargePayment?.Catch?.[0]).toMatchObject({
      ErrorEquals: ["PaymentDeclined"],
      Next: "CompensateReserveInventory",
    });
    expect(s.CreateShipment?.Catch?.[0]).toMatchObject({
      ErrorEquals: ["AddressRejected"],
      Next: "CompensateChargePayment",
    });
    // The confirm step's catch must not forget any earlier step.
    expect(s.ConfirmOrder?.Catch?.[0]).toMatchObject({
      ErrorEquals: ["States.ALL"],
      Next: "CompensateConfirmOrder",
    });
    expect(
      [
        "CompensateConfirmOrder",
        "CompensateCreateShipment",
        "CompensateChargePayment",
        "CompensateReserveInventory",
      ].map((n) => s[n]?.Next),
    ).toEqual([
      "CompensateCreateShipment",
      "CompensateChargePayment",
      "CompensateReserveInventory",
      "SagaFailed",
    ]);
    for (const step of ["ReserveInventory", "ChargePayment", "CreateShipment"]) {
      expect(s[step]?.Retry?.[1]).toMatchObject({ ErrorEquals: ["RetryableError"] });
      expect(s[step]?.TimeoutSeconds).toBe(15);
    }
  });

  it("gives each step function its tables and no fault injection by default", () => {
    const steps = functions.filter((f) => variables(f).INVENTORY_TABLE_NAME !== undefined);
    expect(steps).toHaveLength(6);
    for (const f of steps) {
      expect(variables(f)).toMatchObject({
        INVENTORY_TABLE_NAME: ref(stack.inventoryTable),
        PAYMENTS_TABLE_NAME: ref(stack.paymentsTable),
        SHIPMENTS_TABLE_NAME: ref(stack.shipmentsTable),
        ORDERS_TABLE_NAME: ref(stack.ordersTable),
      });
      expect(variables(f).SAGA_FAULTS).toBeUndefined();
      expect(f.Properties.Timeout).toBe(10);
    }
  });

  it("grants each step function only its own table (and the attempt counters)", () => {
    const policies = Object.entries(template.findResources("AWS::IAM::Policy") as Record<string, Resource>);
    const policyOf = (needle: string) =>
      JSON.stringify(policies.filter(([id]) => id.includes(needle)).map(([, p]) => p.Properties));
    const reserve = policyOf("ReserveInventoryAction");
    expect(reserve).toContain(stack.getLogicalId(stack.inventoryTable.node.defaultChild as CfnResource));
    expect(reserve).not.toContain(stack.getLogicalId(stack.paymentsTable.node.defaultChild as CfnResource));
    const charge = policyOf("ChargePaymentCompensation");
    expect(charge).toContain(stack.getLogicalId(stack.paymentsTable.node.defaultChild as CfnResource));
    expect(charge).not.toContain(stack.getLogicalId(stack.inventoryTable.node.defaultChild as CfnResource));
  });

  it("starts sagas from an SQS queue with a DLQ; sizes per the contract; the starter may only start and describe", () => {
    const queues = Object.values(template.findResources("AWS::SQS::Queue") as Record<string, Resource>);
    const source = queues.find((q) => q.Properties.RedrivePolicy !== undefined);
    const dlq = queues.find((q) => q.Properties.RedrivePolicy === undefined);
    expect(source?.Properties).toMatchObject({ MaximumMessageSize: 262_144, VisibilityTimeout: 180 });
    expect(source?.Properties.RedrivePolicy).toMatchObject({ maxReceiveCount: 5 });
    expect(dlq?.Properties).toMatchObject({
      MaximumMessageSize: 1_048_576,
      MessageRetentionPeriod: 1_209_600,
    });
    const starter = functions.find((f) => variables(f).STATE_MACHINE_ARN !== undefined) as Resource;
    expect(variables(starter).DLQ_URL).toBeDefined();
    const starterPolicy = JSON.stringify(
      Object.entries(template.findResources("AWS::IAM::Policy")).filter(([id]) => id.startsWith("Consumer")),
    );
    expect(starterPolicy).toContain("states:StartExecution");
    expect(starterPolicy).toContain("states:DescribeExecution");
    expect(starterPolicy).not.toContain("states:*");
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
  });

  it("sets SAGA_FAULTS from the context (scenarios) on every step function", () => {
    const faulty = new SfnSagaStack(
      createTestApp({ [SAGA_FAULTS_CONTEXT]: "ChargePayment:permanent=0.1" }),
      "F",
    );
    const fns = Object.values(
      Template.fromStack(faulty).findResources("AWS::Lambda::Function") as Record<string, Resource>,
    );
    expect(fns.filter((f) => variables(f).SAGA_FAULTS === "ChargePayment:permanent=0.1")).toHaveLength(6);
  });
});
