import { formatCoreLedger, formatTable, tally } from "../kit/ledger.ts";
import type { FanoutLedger } from "./scenario.ts";

/** Renders a fan-out ledger: the per-subscriber table with totals, DLQ reasons, throughput and the verdict. */
export function formatFanoutLedger(ledger: FanoutLedger): string {
  const { sent, subscribers, dlq, faultInjection, eventsPerSecond } = ledger.details;
  const c = ledger.counts;
  const rows: (string | number)[][] = subscribers.map((s) => [
    s.name,
    s.expected,
    s.delivered,
    s.effectsApplied,
    s.duplicates,
    s.transientInjected,
    `${s.dlq}/${s.expectedDlq}`,
    s.lost,
    s.unexpected,
  ]);
  rows.push([
    "total",
    c.expected,
    c.applied,
    subscribers.reduce((n, s) => n + s.effectsApplied, 0),
    c.duplicates,
    "",
    c.deadLettered,
    c.lost,
    c.unexpected,
  ]);
  const reasons = tally(dlq.map((d) => `${d.subscriber} (${d.source} DLQ): ${d.errorType}: ${d.reason}`));
  return formatCoreLedger(ledger, {
    headline:
      `${sent.events} events, ${sent.malformed} malformed, ${sent.duplicatePublishes} duplicate publishes, ` +
      `faults: ${faultInjection || "off"}`,
    body: [
      ...formatTable(
        ["subscriber", "expected", "delivered", "applied", "dup", "retried", "dlq", "lost", "unexpected"],
        rows,
      ),
      "",
      `throughput: ${eventsPerSecond.toFixed(1)} events/s from first publish to last effect (retries wait a visibility timeout)`,
      ...(reasons.length > 0 ? ["DLQ reasons:", ...reasons.map((r) => `  ${r}`)] : []),
    ],
    okLine: "each valid event applied exactly once per matching subscriber, nothing lost",
  });
}
