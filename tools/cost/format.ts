import type { Estimate } from "./estimate.ts";
import type { LineItem } from "./line-items.ts";
import { formatBytes, formatRate } from "./units.ts";
import type { Workload } from "./workload.ts";

/** `$1,234.56` for amounts ≥ $1, more digits below. */
export function usd(amount: number): string {
  const digits = Math.abs(amount) >= 1 || amount === 0 ? 2 : 4;
  return `$${amount.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

/** A unit price: per million units when tiny (`$0.40 per million request`). */
export function unitPrice(price: number, unit: string): string {
  if (price !== 0 && Math.abs(price) < 0.001) {
    return `$${Number((price * 1e6).toPrecision(6)).toLocaleString("en-US", { maximumFractionDigits: 4 })} per million ${unit}`;
  }
  return `${usd(price)} per ${unit}`;
}

function quantity(q: number): string {
  return q.toLocaleString("en-US", { maximumFractionDigits: q < 10 ? 3 : 0 });
}

function pad(cells: string[][]): string {
  const widths = cells[0]?.map((_, c) => Math.max(...cells.map((row) => row[c]?.length ?? 0))) ?? [];
  return cells
    .map((row) =>
      row
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
        .join("  "),
    )
    .join("\n");
}

/** One line of a line item: quantity × unit price = cost, then its source and date. */
export function describeLine(l: LineItem): string {
  const flag = l.status === "U" ? " [UNVERIFIED PRICE]" : "";
  return `${l.component}: ${quantity(l.quantity)} ${l.billableUnit} × ${unitPrice(l.unitPriceUsd, l.billableUnit)} = ${usd(l.costUsd)}${flag}\n      ${l.basis}; price ${l.priceKey} (${l.status}, ${l.retrieved}): ${l.source}`;
}

/** Human summary of the workload an estimate used. */
export function describeWorkload(w: Workload): string {
  return `${formatRate(w.messagesPerSecond)} × ${formatBytes(w.payloadBytes)} messages, fan-out ${w.subscribers?.length ?? w.fanOut}, retention ${w.retentionHours} h, free tier ${w.freeTier ? "on" : "off"} (730 h month, us-east-1 prices)`;
}

/**
 * The text report: a summary table (monthly, per million messages, fixed floor), then per
 * alternative its three largest lines, assumptions and warnings (every line with `details`).
 */
export function formatReport(estimates: readonly Estimate[], w: Workload, details = false): string {
  const rows = [
    ["alternative", "monthly", "per M msgs", "fixed floor", "flags"],
    ...[...estimates]
      .sort((a, b) => a.monthlyUsd - b.monthlyUsd)
      .map((e) => [
        `${e.name} (${e.id})`,
        usd(e.monthlyUsd),
        usd(e.perMillionMessagesUsd),
        usd(e.fixedMonthlyUsd),
        [e.unverified.length > 0 ? "UNVERIFIED" : "", e.warnings.length > 0 ? "warnings" : ""]
          .filter(Boolean)
          .join(",") || "-",
      ]),
  ];
  const parts = [describeWorkload(w), "", pad(rows)];
  for (const e of estimates) {
    parts.push("", `== ${e.name} (${e.id}, ${e.hosting}): ${usd(e.monthlyUsd)}/month`);
    const shown = details ? e.lineItems : e.topItems;
    parts.push(details ? "  line items:" : "  largest line items:");
    for (const l of shown) parts.push(`    ${describeLine(l)}`);
    parts.push("  assumptions:");
    for (const a of e.assumptions) parts.push(`    - ${a}`);
    for (const u of e.unverified) parts.push(`  UNVERIFIED: ${u}`);
    for (const wn of e.warnings) parts.push(`  warning: ${wn}`);
  }
  return parts.join("\n");
}
