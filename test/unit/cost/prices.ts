import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Estimate } from "../../../tools/cost/estimate.ts";
import { loadPrices } from "../../../tools/cost/prices/catalogue.ts";

/** Frozen copy of the catalogue the hand computations below were written against. */
export const FIXTURES = fileURLToPath(new URL("../../fixtures/cost/", import.meta.url));
export const prices = loadPrices("us-east-1", join(FIXTURES, "prices-us-east-1-2026-11-23.json"));

/** Sum of the costs of the lines whose component contains `text`. */
export function cost(e: Estimate | undefined, text: string): number {
  if (!e) throw new Error("no estimate");
  const lines = e.lineItems.filter((l) => l.component.includes(text));
  if (lines.length === 0)
    throw new Error(`no line "${text}" in ${e.id}: ${e.lineItems.map((l) => l.component).join(" | ")}`);
  return lines.reduce((s, l) => s + l.costUsd, 0);
}

/** A month is 730 h = 2,628,000 s; 10 msg/s is 26,280,000 messages. */
export const MONTH_S = 2_628_000;
export const GIB = 1_073_741_824;
