import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  faultAction,
  faultFor,
  faultPosition,
  parseSagaFaults,
  type SagaFault,
} from "../../../../functions/sfn-saga/faults.js";
import { putStock, readStock } from "../../../../functions/sfn-saga/inventory.js";
import type { LambdaSagaStep, Order } from "../../../../functions/sfn-saga/order.js";
import { readOrderRecord } from "../../../../functions/sfn-saga/order-record.js";
import { readSagaStepConfig, runSagaStep } from "../../../../functions/sfn-saga/step-handler.js";
import type { SagaTables } from "../../../../functions/sfn-saga/steps.js";
import { type Emulator, emulatorClientConfig, startDynalite } from "../../../helpers/aws-emulators.js";
import { createSagaTables } from "./saga-tables.js";

let dynalite: Emulator;
let dynamodb: DynamoDBClient;
let tables: SagaTables;

beforeAll(async () => {
  dynalite = await startDynalite();
  dynamodb = new DynamoDBClient(emulatorClientConfig(dynalite.endpoint));
  tables = await createSagaTables(dynamodb);
  await putStock(dynamodb, tables.inventory, "sku-1", 1000);
});
afterAll(async () => {
  dynamodb?.destroy();
  await dynalite?.stop();
});

const order = (orderId: string): Order => ({
  orderId,
  customerId: "c1",
  sku: "sku-1",
  quantity: 1,
  amountCents: 500,
});

function payload(step: LambdaSagaStep, phase: "action" | "compensation", o: Order) {
  return {
    sagaKey: o.orderId,
    step,
    phase,
    executionId: `arn:aws:states:us-east-1:1:execution:m:${o.orderId}`,
    input: { ...o, results: {} },
  };
}

/** Every fault of one kind on one step (rate 1: every order is hit). */
const all = (step: LambdaSagaStep, kind: SagaFault["kind"]): SagaFault[] => [{ step, kind, rate: 1 }];

function deps(faults: SagaFault[], sleep: (ms: number) => Promise<void> = async () => {}) {
  return { tables, faults, dynamodb, remainingTimeMs: () => 5_000, sleep };
}

const run = (
  step: LambdaSagaStep,
  phase: "action" | "compensation",
  o: Order,
  faults: SagaFault[] = [],
  sleep?: (ms: number) => Promise<void>,
) => runSagaStep(step, payload(step, phase, o), deps(faults, sleep));

describe("SAGA_FAULTS parsing and selection", () => {
  it("parses entries and refuses bad ones with the allowed values", () => {
    expect(
      parseSagaFaults("ChargePayment:permanent=0.05, ReserveInventory:compensation-permanent=0.01"),
    ).toEqual([
      { step: "ChargePayment", kind: "permanent", rate: 0.05 },
      { step: "ReserveInventory", kind: "compensation-permanent", rate: 0.01 },
    ]);
    expect(parseSagaFaults(undefined)).toEqual([]);
    expect(() => parseSagaFaults("ConfirmOrder:permanent=0.1")).toThrow(/Step one of/);
    expect(() => parseSagaFaults("ChargePayment:explode=0.1")).toThrow(/unknown kind/);
    expect(() => parseSagaFaults("ChargePayment:permanent=2")).toThrow(/\[0, 1\]/);
    expect(() => parseSagaFaults("CreateShipment:compensation-permanent=0.1")).toThrow(
      /next step run by Lambda/,
    );
    expect(() => parseSagaFaults("ChargePayment:permanent=0.6,ChargePayment:transient=0.6")).toThrow(
      /add up/,
    );
  });

  it("hits each order with at most one fault, in proportion to the rates", () => {
    const faults = parseSagaFaults("ChargePayment:permanent=0.25,CreateShipment:timeout=0.25");
    const ids = Array.from({ length: 4000 }, (_, i) => `order-${i}`);
    const hits = ids.map((id) => faultFor(id, faults)?.kind ?? "none");
    const share = (k: string) => hits.filter((h) => h === k).length / ids.length;
    expect(share("permanent")).toBeGreaterThan(0.2);
    expect(share("permanent")).toBeLessThan(0.3);
    expect(share("timeout")).toBeGreaterThan(0.2);
    expect(share("none")).toBeGreaterThan(0.45);
    expect(faultPosition("order-1")).toBe(faultPosition("order-1"));
  });

  it("makes a compensation fault fail the NEXT step permanently, and the faulty step's compensation", () => {
    const [fault] = all("ChargePayment", "compensation-permanent");
    expect(faultAction(fault, "CreateShipment", "action")).toEqual({ kind: "fail-permanently" });
    expect(faultAction(fault, "ChargePayment", "action")).toEqual({ kind: "none" });
    expect(faultAction(fault, "ChargePayment", "compensation")).toEqual({
      kind: "fail-compensation-permanently",
    });
    expect(faultAction(fault, "ReserveInventory", "compensation")).toEqual({ kind: "none" });
  });

  it("reads the tables and faults from the environment, naming what is missing", () => {
    expect(() => readSagaStepConfig({})).toThrow(/INVENTORY_TABLE_NAME, PAYMENTS_TABLE_NAME/);
    const config = readSagaStepConfig({
      INVENTORY_TABLE_NAME: "i",
      PAYMENTS_TABLE_NAME: "p",
      SHIPMENTS_TABLE_NAME: "s",
      ORDERS_TABLE_NAME: "o",
      SAGA_FAULTS: "ChargePayment:transient=0.5",
    });
    expect(config.faults).toHaveLength(1);
  });
});

describe("runSagaStep", () => {
  it("runs the action and returns its result; the compensation undoes it", async () => {
    const o = order("h1");
    expect(await run("ReserveInventory", "action", o)).toEqual({
      sku: "sku-1",
      reserved: 1,
      replayed: false,
    });
    expect(await run("ReserveInventory", "compensation", o)).toMatchObject({ released: 1 });
  });

  it("refuses an invalid payload or a payload for another step with InvalidSagaInput", async () => {
    await expect(runSagaStep("ChargePayment", { nope: 1 }, deps([]))).rejects.toMatchObject({
      name: "InvalidSagaInput",
    });
    await expect(
      runSagaStep("ChargePayment", payload("CreateShipment", "action", order("h2")), deps([])),
    ).rejects.toMatchObject({ name: "InvalidSagaInput" });
    const bad = payload("ChargePayment", "action", order("h3"));
    await expect(runSagaStep("ChargePayment", { ...bad, sagaKey: "other" }, deps([]))).rejects.toMatchObject({
      name: "InvalidSagaInput",
    });
  });

  it("permanent: fails with the step's business error before changing anything (SAGA-01)", async () => {
    const o = order("f-permanent");
    await expect(run("ChargePayment", "action", o, all("ChargePayment", "permanent"))).rejects.toMatchObject({
      name: "PaymentDeclined",
    });
    expect(await readOrderRecord(dynamodb, tables.payments, o.orderId)).toBeUndefined();
  });

  it("transient: fails twice with RetryableError, then succeeds once (no double charge)", async () => {
    const o = order("f-transient");
    const faults = all("ChargePayment", "transient");
    await expect(run("ChargePayment", "action", o, faults)).rejects.toMatchObject({ name: "RetryableError" });
    await expect(run("ChargePayment", "action", o, faults)).rejects.toMatchObject({ name: "RetryableError" });
    expect(await run("ChargePayment", "action", o, faults)).toMatchObject({ outcome: "applied" });
    expect(await run("ChargePayment", "action", o, faults)).toMatchObject({ outcome: "replayed" });
    expect(await readOrderRecord(dynamodb, tables.payments, o.orderId)).toMatchObject({ appliedCount: 1 });
  });

  it("timeout: commits, then outlives the invocation; the compensation finds it and undoes it once (SAGA-02)", async () => {
    const o = order("f-timeout");
    const sleep = vi.fn(async (_ms: number) => {});
    await run("CreateShipment", "action", o, all("CreateShipment", "timeout"), sleep);
    expect(sleep).toHaveBeenCalledWith(6_000);
    expect(await readOrderRecord(dynamodb, tables.shipments, o.orderId)).toMatchObject({ status: "CREATED" });
    expect(await run("CreateShipment", "compensation", o)).toEqual({ outcome: "undone" });
    expect(await run("CreateShipment", "compensation", o)).toEqual({ outcome: "replayed" });
    expect(await readOrderRecord(dynamodb, tables.shipments, o.orderId)).toMatchObject({ undoneCount: 1 });
  });

  it("compensation-transient: the compensation fails twice, then undoes exactly once (SAGA-03)", async () => {
    const o = order("f-comp-transient");
    const faults = all("ReserveInventory", "compensation-transient");
    const before = (await readStock(dynamodb, tables.inventory, "sku-1"))?.available as number;
    await run("ReserveInventory", "action", o, faults);
    await expect(run("ChargePayment", "action", o, faults)).rejects.toMatchObject({
      name: "PaymentDeclined",
    });
    await expect(run("ReserveInventory", "compensation", o, faults)).rejects.toMatchObject({
      name: "CompensationError",
    });
    await expect(run("ReserveInventory", "compensation", o, faults)).rejects.toMatchObject({
      name: "CompensationError",
    });
    expect(await run("ReserveInventory", "compensation", o, faults)).toMatchObject({
      released: 1,
      replayed: false,
    });
    expect(await run("ReserveInventory", "compensation", o, faults)).toMatchObject({ replayed: true });
    expect((await readStock(dynamodb, tables.inventory, "sku-1"))?.available).toBe(before);
  });

  it("compensation-permanent: the compensation always fails and undoes nothing (SAGA-04)", async () => {
    const o = order("f-comp-permanent");
    const faults = all("ChargePayment", "compensation-permanent");
    await run("ChargePayment", "action", o, faults);
    await expect(run("CreateShipment", "action", o, faults)).rejects.toMatchObject({
      name: "AddressRejected",
    });
    for (let i = 0; i < 4; i++) {
      await expect(run("ChargePayment", "compensation", o, faults)).rejects.toMatchObject({
        name: "CompensationError",
      });
    }
    expect(await readOrderRecord(dynamodb, tables.payments, o.orderId)).toMatchObject({ status: "CHARGED" });
  });
});
