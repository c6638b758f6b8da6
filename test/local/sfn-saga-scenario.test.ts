import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  runSagaScenario,
  type SagaLedger,
  SCENARIO_FAULTS,
} from "../../tools/local/scenarios/sfn-saga/scenario.ts";
import type { ScenarioTarget } from "../../tools/local/scenarios/target.ts";
import { localTarget } from "../../tools/local/targets/local.ts";

/** The sfn-saga scenario with every fault kind on the embedded cloud (what `npm run local -- sfn-saga --faults` runs). */
describe("sfn-saga scenario with faults on the embedded cloud", () => {
  let target: ScenarioTarget;
  let ledger: SagaLedger;

  beforeAll(async () => {
    target = await localTarget({ stack: "SfnSagaStack", environment: { SAGA_FAULTS: SCENARIO_FAULTS } });
    ledger = await runSagaScenario(target, { orders: 60, faults: true });
  });
  afterAll(async () => {
    await target?.stop();
  });

  it("prints a clean ledger: every saga ended as its fault implies, nothing running, no duplicate saga", () => {
    expect(ledger.problems).toEqual([]);
    expect(ledger.ok).toBe(true);
    expect(ledger.details).toMatchObject({ started: 60, stillRunning: 0, duplicateExecutions: 0 });
    expect(ledger.details.duplicateRequests).toBeGreaterThan(0);
  });

  it("exercised compensations and compensation failures, each failure recorded", () => {
    expect(ledger.details.compensated).toBeGreaterThan(0);
    expect(ledger.details.compensationFailures).toBeGreaterThan(0);
    expect(ledger.details.compensationFailuresRecorded).toBe(ledger.details.compensationFailures);
    expect(ledger.details.completed + ledger.details.compensated + ledger.details.compensationFailures).toBe(
      60,
    );
  });

  it("kept the stock consistent", () => {
    expect(ledger.details.stock.available + ledger.details.stock.reserved).toBe(ledger.details.stock.initial);
  });
});
