import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { estimateOne } from "../../../tools/cost/estimate.ts";
import {
  choreographyCounts,
  choreographyStackAlternative,
  scheduledRunsPerMonth,
} from "../../../tools/cost/stack/choreography-stack.ts";
import { stackAlternatives } from "../../../tools/cost/stack/stack-kind.ts";
import { readTemplate } from "../../../tools/cost/stack/template.ts";
import { InputError } from "../../../tools/cost/units.ts";
import { resolveWorkload } from "../../../tools/cost/workload.ts";
import { cost, FIXTURES, MONTH_S, prices } from "./prices.ts";

/** A copy of `cdk.out/SagaChoreographyStack.template.json` as synthesized on 2026-12-01. */
const template = JSON.parse(readFileSync(join(FIXTURES, "saga-choreography.template.json"), "utf8"));
const model = readTemplate("SagaChoreographyStack", template);

describe("reading the choreography's rules", () => {
  it("finds 13 event rules and the watchdog schedule", () => {
    const rules = model.rules ?? [];
    expect(rules.filter((r) => r.schedule === undefined)).toHaveLength(13);
    expect(rules.find((r) => r.schedule)?.schedule).toBe("rate(1 minute)");
    expect(rules.filter((r) => r.detailTypes.includes("ShippingFailed"))).toHaveLength(3);
  });

  it("counts schedule runs a month", () => {
    expect(scheduledRunsPerMonth("rate(1 minute)")).toBe(43_800);
    expect(scheduledRunsPerMonth("rate(2 hours)")).toBe(365);
    expect(scheduledRunsPerMonth("cron(0 12 * * ? *)")).toBeUndefined();
  });

  it("counts events and rule deliveries per order from the rules", () => {
    // happy: 5 events, 4 deliveries (OrderConfirmed reaches no rule); compensated: 5 events,
    // 6 deliveries (ShippingFailed reaches orders, inventory and payments).
    const all = (c: number) =>
      choreographyCounts(model, resolveWorkload({ messagesPerSecond: 1, sagaCompensatedFraction: c }));
    expect(all(0)).toMatchObject({ events: 5, deliveries: 4 });
    expect(all(1)).toMatchObject({ events: 5, deliveries: 6 });
    expect(all(0.05).deliveries).toBeCloseTo(4.1, 10);
  });

  it("refuses a stack whose rules are not the order saga's", () => {
    const other = readTemplate("Other", {
      Resources: {
        Q: { Type: "AWS::SQS::Queue", Properties: {} },
        R: {
          Type: "AWS::Events::Rule",
          Properties: {
            EventPattern: { "detail-type": ["X"] },
            Targets: [{ Arn: { "Fn::GetAtt": ["Q", "Arn"] } }],
          },
        },
      },
    });
    expect(() => choreographyStackAlternative(other)).toThrow(InputError);
  });
});

describe("pricing SagaChoreographyStack", () => {
  const w = resolveWorkload({ messagesPerSecond: 10 });
  const orders = 10 * MONTH_S; // 26,280,000
  const [alt] = stackAlternatives(model);
  const e = estimateOne(alt as never, w, prices);

  it("is chosen for a stack with EventBridge rules delivering to queues", () => {
    expect(alt?.id).toBe("stack:SagaChoreographyStack");
  });

  it("bills PutEvents per event in 64 KB chunks, one SQS hop per delivery, the consumers' writes", () => {
    expect(cost(e, "EventBridge PutEvents")).toBeCloseTo((orders * 5 * 1.0) / 1e6, 6); // $131.40
    // inventory gets OrderPlaced always and ShippingFailed on 5 %: 1.05 per order.
    expect(cost(e, "inventory: SQS sends")).toBeCloseTo((orders * 1.05 * 0.4) / 1e6, 6); // $11.0376
    // idempotency table 2 + inventory table 1 = 3 writes per message.
    expect(cost(e, "inventory: idempotency writes")).toBeCloseTo((orders * 1.05 * 3 * 0.625) / 1e6, 6);
    expect(cost(e, "shipping: SQS sends")).toBeCloseTo((orders * 1 * 0.4) / 1e6, 6);
    // the watchdog: 43,800 runs × $0.20/M.
    expect(cost(e, "watchdog (rate(1 minute)): Lambda invocations")).toBeCloseTo(0.00876, 8);
  });

  it("prints the orchestrated saga at the same traffic", () => {
    const line = e.assumptions.find((a) => a.startsWith("comparison:"));
    // sfn-standard: 4 steps × 1.05 + 2 = 6.2 transitions × 26,280,000 × $0.000025 = $4,073.40 + its Lambdas.
    expect(line).toMatch(/sfn-standard, 4 steps/);
    expect(line).toMatch(/\$4097\.\d\d\/month/);
  });
});
