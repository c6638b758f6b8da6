/**
 * `npx tsx tools/cost/validation/report.ts`: every validation case, the published figures, the
 * model's, and the difference (what the "How we know" section of tools/cost/README.md lists).
 */
import { pathToFileURL } from "node:url";
import { loadPrices } from "../prices/catalogue.ts";
import { loadCases } from "./cases.ts";
import { evaluateCase, relativeDifference } from "./evaluate.ts";

/** One line per case: id, then each component as published → model (difference). */
export function validationReport(): string[] {
  const prices = loadPrices();
  return loadCases().map((c) => {
    const m = evaluateCase(c, prices);
    const parts = Object.entries(c.published).map(([k, v]) => {
      const value = m[k] ?? Number.NaN;
      return `${k} ${v.toLocaleString("en-US")} → ${value.toLocaleString("en-US", { maximumSignificantDigits: 5 })} (${(relativeDifference(value, v) * 100).toFixed(2)} %, ±${c.tolerance * 100} %)`;
    });
    return `${c.id}: ${parts.join("; ")}`;
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of validationReport()) process.stdout.write(`${line}\n`);
}
