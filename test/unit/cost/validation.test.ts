import { describe, expect, it } from "vitest";
import { loadPrices } from "../../../tools/cost/prices/catalogue.ts";
import { loadCases } from "../../../tools/cost/validation/cases.ts";
import { evaluateCase, relativeDifference } from "../../../tools/cost/validation/evaluate.ts";

// The committed catalogue, not the frozen test fixture: the cases check the prices users get.
const prices = loadPrices("us-east-1");
const cases = loadCases();

describe("validation on published worked examples (tools/cost/validation/cases)", () => {
  it("has at least 12 cases, each with a dated source and a quoted figure", () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
    for (const c of cases) {
      expect(c.source.read, c.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(c.source.quote.length, c.id).toBeGreaterThan(20);
    }
  });

  it.each(cases.map((c) => [c.id, c] as const))(
    "%s: reproduces every published component within its tolerance",
    (_id, c) => {
      const model = evaluateCase(c, prices);
      for (const [component, published] of Object.entries(c.published)) {
        const value = model[component];
        expect(value, `${c.id}: model has no ${component}`).toBeDefined();
        const diff = relativeDifference(value ?? Number.NaN, published);
        expect(
          Math.abs(diff),
          `${c.id} ${component}: model ${value} vs published ${published} (${(diff * 100).toFixed(2)} %)`,
        ).toBeLessThanOrEqual(c.tolerance);
      }
    },
  );

  it("the self-hosted Kafka teardown: network is the largest line in the model too", () => {
    const c = cases.find((x) => x.id === "confluent-self-hosted-kafka-100mbps");
    if (!c) throw new Error("teardown case missing");
    const m = evaluateCase(c, prices);
    expect(m.network).toBeGreaterThan(m.storage ?? 0);
    expect(m.storage).toBeGreaterThan(m.compute ?? 0);
  });
});
