import { type PriceCatalogue, type PriceKey, type PriceStatus, priceOf } from "./prices/catalogue.ts";

/**
 * One traceable cost line: what is billed (`billableUnit`), how many (`quantity`, per month), at
 * what unit price, from which source and date. `costUsd = quantity × unitPriceUsd`.
 */
export interface LineItem {
  /** What the line pays for, e.g. "SQS receives (ReceiveMessage, 64 KiB chunks)". */
  readonly component: string;
  /** The unit billed, e.g. "request", "GB", "broker-hour". */
  readonly billableUnit: string;
  /** Billable units per month. */
  readonly quantity: number;
  /** USD per billable unit (a multiple of the catalogue price when `priceFactor` ≠ 1). */
  readonly unitPriceUsd: number;
  /** USD per month. */
  readonly costUsd: number;
  /** Catalogue key of the price used, or `input` for user-supplied rates (ops labour). */
  readonly priceKey: string;
  readonly source: string;
  readonly retrieved: string;
  readonly status: PriceStatus;
  /** How the quantity was counted (and any factor applied to the catalogue price). */
  readonly basis: string;
}

/** Builds a line from a catalogue price. `priceFactor` scales the unit price (e.g. 2 directions). */
export function charge(
  prices: PriceCatalogue,
  key: PriceKey | (string & {}),
  component: string,
  quantity: number,
  basis: string,
  priceFactor = 1,
): LineItem {
  const item = priceOf(prices, key);
  const unitPriceUsd = item.usdPerUnit * priceFactor;
  return {
    component,
    billableUnit: item.unit,
    quantity,
    unitPriceUsd,
    costUsd: quantity * unitPriceUsd,
    priceKey: key,
    source: item.source,
    retrieved: item.retrieved,
    status: item.status,
    basis,
  };
}

/** A line priced from user input (ops labour), traceable to the CLI flags that set it. */
export function inputCharge(
  component: string,
  unit: string,
  quantity: number,
  unitPriceUsd: number,
  basis: string,
): LineItem {
  return {
    component,
    billableUnit: unit,
    quantity,
    unitPriceUsd,
    costUsd: quantity * unitPriceUsd,
    priceKey: "input",
    source: "user input (--ops-hours, --ops-rate)",
    retrieved: "n/a",
    status: "V",
    basis,
  };
}

/**
 * Subtracts the AWS always-free allowances, as negative lines (one per free pool), so the
 * discount stays visible and traceable. The allowance of a pool is spent on its lines in order.
 */
export function applyFreeTier(prices: PriceCatalogue, items: readonly LineItem[]): LineItem[] {
  const out = [...items];
  const remaining = new Map<string, number>();
  for (const line of items) {
    const item = prices.items[line.priceKey];
    if (!item?.freePool || item.freePerMonth === undefined || line.quantity <= 0) continue;
    if (!remaining.has(item.freePool)) remaining.set(item.freePool, item.freePerMonth);
    const left = remaining.get(item.freePool) ?? 0;
    const used = Math.min(left, line.quantity);
    if (used <= 0) continue;
    remaining.set(item.freePool, left - used);
    out.push({
      ...line,
      component: `free tier: ${line.component}`,
      quantity: -used,
      costUsd: -used * line.unitPriceUsd,
      basis: `always-free ${item.freePerMonth.toLocaleString("en-US")} ${item.unit}/month (pool ${item.freePool})`,
    });
  }
  return out;
}

/** Sum of line costs. */
export function total(items: readonly LineItem[]): number {
  return items.reduce((sum, l) => sum + l.costUsd, 0);
}
