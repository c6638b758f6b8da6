import { describe, expect, it } from "vitest";
import { loadPrices, validateCatalogue } from "../../../tools/cost/prices/catalogue.ts";
import { prices } from "./prices.ts";

describe("price catalogue", () => {
  it("the committed us-east-1 catalogue validates, every item dated and sourced", () => {
    const committed = loadPrices("us-east-1");
    expect(committed.region).toBe("us-east-1");
    for (const [key, item] of Object.entries(committed.items)) {
      expect(item.source.length, key).toBeGreaterThan(10);
      expect(item.retrieved, key).toMatch(/^\d{4}|^unverified$/);
      if (item.status === "U") expect(item.retrieved, key).toBe("unverified");
    }
  });

  it("rejects a catalogue with a missing price or a bad field, listing the problems", () => {
    const broken = structuredClone(prices) as { items: Record<string, unknown> };
    delete broken.items["sqs.standard.request"];
    expect(() => validateCatalogue(broken, "x.json")).toThrow(
      /x.json is missing prices: sqs.standard.request/,
    );
    const negative = structuredClone(prices);
    const item = negative.items["lambda.request"];
    if (item) item.usdPerUnit = -1;
    expect(() => validateCatalogue(negative, "y.json")).toThrow(
      /y.json is invalid:\n {2}items.lambda.request.usdPerUnit/,
    );
  });

  it("names the refresh command when a region has no catalogue", () => {
    expect(() => loadPrices("eu-west-9")).toThrow(
      /no price catalogue for region "eu-west-9".*refresh-prices/,
    );
  });
});
