/**
 * What a scenario run returns, on every target alike: what was sent, what each subscriber
 * delivered and applied, duplicates, DLQ entries with their reasons, what was lost, and latency.
 */
export interface Ledger {
  readonly slug: string;
  readonly target: string;
  /** Random identifier of this run: every event ID and malformed body carries it. */
  readonly runId: string;
  readonly sent: {
    /** Distinct valid events published through the publisher function. */
    readonly events: number;
    /** Malformed bodies published straight to the topic. */
    readonly malformed: number;
    /** Extra publishes of an already-published event ID (a retrying producer). */
    readonly duplicatePublishes: number;
    /** Entries the publisher reported as failed. */
    readonly publishFailures: number;
  };
  /** The consumers' fault injection as read from their configuration (`FAULT_INJECTION`). */
  readonly faultInjection: string;
  readonly subscribers: readonly SubscriberLedger[];
  readonly totals: {
    readonly expected: number;
    readonly delivered: number;
    readonly effectsApplied: number;
    readonly duplicates: number;
    readonly dlq: number;
    readonly lost: number;
    readonly unexpected: number;
  };
  /** Every DLQ entry of this run. */
  readonly dlq: readonly DlqEntry[];
  /** Publish → first effect applied, over every delivery (ms). */
  readonly latencyMs: {
    readonly p50: number;
    readonly p95: number;
    readonly p99: number;
    readonly samples: number;
  };
  /** Valid events per second, from the first publish to the last effect. */
  readonly eventsPerSecond: number;
  readonly durationMs: number;
  /** Nothing lost, no duplicate or unexpected effect, every malformed event dead-lettered with a reason. */
  readonly ok: boolean;
  /** Why `ok` is false (empty when it is true). */
  readonly problems: readonly string[];
}

/** One subscriber's row of the ledger. */
export interface SubscriberLedger {
  readonly name: string;
  /** Valid events its filter policy matches. */
  readonly expected: number;
  /** Distinct events whose effect it applied. */
  readonly delivered: number;
  /** Sum of `applications` over its effects (equals `delivered` when exactly once). */
  readonly effectsApplied: number;
  /** Effects applied more than once. */
  readonly duplicates: number;
  /**
   * Messages expected to fail once on their first receive and be retried: every delivered copy
   * (duplicate publishes included) of an event that `FAULT_INJECTION` selects for this subscriber.
   */
  readonly transientInjected: number;
  /** Entries in its queue's DLQ and its subscription DLQ. */
  readonly dlq: number;
  /** Malformed events it was expected to dead-letter. */
  readonly expectedDlq: number;
  /** Expected, neither applied nor dead-lettered. */
  readonly lost: number;
  /** Effects for events its filter should have dropped. */
  readonly unexpected: number;
}

/** A dead-lettered message of this run. */
export interface DlqEntry {
  readonly subscriber: string;
  /** `queue` (the consumer's DLQ) or `subscription` (the SNS subscription DLQ). */
  readonly source: "queue" | "subscription";
  readonly errorType: string;
  readonly reason: string;
}

/** The p-th percentile (nearest rank) of `values`; 0 for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/** Renders a ledger as a plain-text table with a summary, for terminals. */
export function formatLedger(ledger: Ledger): string {
  const header = [
    "subscriber",
    "expected",
    "delivered",
    "applied",
    "dup",
    "retried",
    "dlq",
    "lost",
    "unexpected",
  ];
  const rows = ledger.subscribers.map((s) => [
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
  const t = ledger.totals;
  rows.push([
    "total",
    t.expected,
    t.delivered,
    t.effectsApplied,
    t.duplicates,
    "",
    t.dlq,
    t.lost,
    t.unexpected,
  ]);
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  const reasons = new Map<string, number>();
  for (const entry of ledger.dlq) {
    const key = `${entry.subscriber} (${entry.source} DLQ): ${entry.errorType}: ${entry.reason}`;
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
  }
  const { sent, latencyMs } = ledger;
  return [
    `${ledger.slug} on ${ledger.target} (run ${ledger.runId}): ${sent.events} events, ${sent.malformed} malformed, ` +
      `${sent.duplicatePublishes} duplicate publishes, faults: ${ledger.faultInjection || "off"}`,
    "",
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map((r) => line(r.map(String))),
    "",
    `latency publish → effect: p50 ${latencyMs.p50} ms, p95 ${latencyMs.p95} ms, p99 ${latencyMs.p99} ms (${latencyMs.samples} deliveries)`,
    `throughput: ${ledger.eventsPerSecond.toFixed(1)} events/s from first publish to last effect (retries wait a visibility timeout), ${(ledger.durationMs / 1000).toFixed(1)} s in all`,
    ...(reasons.size > 0 ? ["DLQ reasons:", ...[...reasons].map(([reason, n]) => `  ${n} × ${reason}`)] : []),
    ledger.ok
      ? "result: OK (each valid event applied exactly once per matching subscriber, nothing lost)"
      : `result: FAILED\n  ${ledger.problems.join("\n  ")}`,
  ].join("\n");
}
