import { ALTERNATIVES, type Alternative, MESSAGING_IDS, selectAlternatives } from "./alternatives/index.ts";
import { SECONDS_PER_MONTH } from "./constants.ts";
import { applyFreeTier, type LineItem, total } from "./line-items.ts";
import type { PriceCatalogue } from "./prices/catalogue.ts";
import { resolveWorkload, type Workload, type WorkloadInput } from "./workload.ts";

/** The priced result of one alternative under one workload. */
export interface Estimate {
  readonly id: string;
  readonly name: string;
  readonly category: Alternative["category"];
  readonly hosting: Alternative["hosting"];
  /** USD per 730-hour month. */
  readonly monthlyUsd: number;
  /** USD per million published messages (before fan-out). */
  readonly perMillionMessagesUsd: number;
  /** USD per month at zero traffic: brokers, clusters, stream-hours, idle long polls. */
  readonly fixedMonthlyUsd: number;
  /** Every line, free-tier lines (negative) included. */
  readonly lineItems: readonly LineItem[];
  /** The three largest costs, identical lines of several subscribers merged. */
  readonly topItems: readonly LineItem[];
  readonly assumptions: readonly string[];
  readonly warnings: readonly string[];
  /** Components priced with an unverified (status U) price or capacity figure. */
  readonly unverified: readonly string[];
}

export interface EstimateOptions {
  /** Alternative ids to price. @default every messaging alternative */
  readonly alternatives?: readonly string[];
  /** Alternatives built at run time (the `--stack` one), priced first. */
  readonly extra?: readonly Alternative[];
}

/** The part of a component after its scope ("billing: SQS receives" → "SQS receives"). */
function kind(component: string): string {
  const i = component.indexOf(": ");
  return i < 0 ? component : component.slice(i + 2);
}

/** Merges lines of the same kind and price (one per subscriber or consumer group) and keeps the three largest. */
export function topItems(lines: readonly LineItem[], count = 3): LineItem[] {
  const merged = new Map<string, { line: LineItem; scopes: number }>();
  for (const line of lines) {
    if (line.costUsd <= 0) continue;
    const key = `${kind(line.component)}|${line.priceKey}|${line.unitPriceUsd}`;
    const seen = merged.get(key);
    if (!seen) {
      merged.set(key, { line, scopes: 1 });
      continue;
    }
    seen.scopes++;
    seen.line = {
      ...seen.line,
      component: kind(line.component),
      quantity: seen.line.quantity + line.quantity,
      costUsd: seen.line.costUsd + line.costUsd,
    };
  }
  return [...merged.values()]
    .map(({ line, scopes }) =>
      scopes > 1 ? { ...line, component: `${line.component} (× ${scopes})` } : line,
    )
    .sort((a, b) => b.costUsd - a.costUsd)
    .slice(0, count);
}

function linesOf(alt: Alternative, w: Workload, prices: PriceCatalogue): LineItem[] {
  const lines = alt.lines(w, prices);
  return w.freeTier ? applyFreeTier(prices, lines) : lines;
}

/** Prices one alternative (pure: no I/O, no clock). */
export function estimateOne(alt: Alternative, w: Workload, prices: PriceCatalogue): Estimate {
  const lineItems = linesOf(alt, w, prices);
  const monthlyUsd = total(lineItems);
  const fixedMonthlyUsd = total(linesOf(alt, { ...w, messagesPerSecond: 0 }, prices));
  const messagesMillions = (w.messagesPerSecond * SECONDS_PER_MONTH) / 1e6;
  const assumptions = alt.assumptions(w, prices);
  const warnings = alt.warnings?.(w, prices) ?? [];
  const unverified = [
    ...new Set([
      ...lineItems
        .filter((l) => l.status === "U" && l.quantity !== 0)
        .map((l) => `${l.component} (price ${l.priceKey})`),
      ...assumptions.filter((a) => a.includes("UNVERIFIED")),
    ]),
  ];
  return {
    id: alt.id,
    name: alt.name,
    category: alt.category,
    hosting: alt.hosting,
    monthlyUsd,
    perMillionMessagesUsd: messagesMillions > 0 ? monthlyUsd / messagesMillions : 0,
    fixedMonthlyUsd,
    lineItems,
    topItems: topItems(lineItems),
    assumptions,
    warnings,
    unverified,
  };
}

/**
 * Prices a workload on each alternative. Pure and deterministic: the catalogue is passed in
 * (load it with `loadPrices`), nothing is read from disk or the network.
 */
export function estimate(
  workload: WorkloadInput,
  prices: PriceCatalogue,
  options: EstimateOptions = {},
): Estimate[] {
  const w = resolveWorkload(workload);
  const chosen = selectAlternatives(options.alternatives ?? MESSAGING_IDS);
  return [...(options.extra ?? []), ...chosen].map((alt) => estimateOne(alt, w, prices));
}

export { ALTERNATIVES };
