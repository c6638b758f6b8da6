/** The sns-pubsub-bridge ledger and its judge (pure). */

/** Percentiles of one direction's publish → arrival latency (ms). */
export interface Latency {
  readonly p50: number;
  readonly p95: number;
  readonly samples: number;
}

/** One direction of the bridge. */
export interface DirectionLedger {
  /** Distinct valid events sent into the bridge. */
  readonly sent: number;
  /** Distinct events that arrived on the other side. */
  readonly forwarded: number;
  /** Arrivals beyond the first of an event (the other side applied it more than once). */
  readonly duplicates: number;
  /** Invalid events sent on purpose; each must be dead-lettered. */
  readonly invalidSent: number;
  /** Dead-lettered on this side, with the reason (AWS: `error.type`; Google: the dead-letter topic). */
  readonly deadLettered: readonly { readonly reason: string }[];
  /** Valid events that never arrived. */
  readonly lost: number;
  readonly latencyMs: Latency;
  /** Distinct arrivals per second, from the first send to the last arrival. */
  readonly eventsPerSecond: number;
}

export interface BridgeLedger {
  readonly slug: "sns-pubsub-bridge";
  readonly target: "local";
  readonly runId: string;
  readonly faults: boolean;
  readonly toGoogle: DirectionLedger;
  readonly fromGoogle: DirectionLedger & {
    /** Extra Pub/Sub publishes of an already-sent event id (duplicate pushes). */
    readonly duplicatePushes: number;
    /** Forged and expired tokens sent straight to the function URL. */
    readonly badTokensSent: number;
    /** Of those, answered 401/403 (never published). */
    readonly rejectedTokens: number;
    /** Push attempts answered 5xx (retried by Pub/Sub). */
    readonly retriedPushes: number;
  };
  readonly durationMs: number;
  readonly ok: boolean;
  readonly problems: readonly string[];
}

/** Nearest-rank percentiles. */
export function latency(samples: readonly number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
  return { p50: at(0.5), p95: at(0.95), samples: sorted.length };
}

/** Every reason the run is not clean (empty when it is). */
export function judgeBridge(ledger: Omit<BridgeLedger, "ok" | "problems">): string[] {
  const problems: string[] = [];
  for (const [label, d] of [
    ["AWS → Google", ledger.toGoogle],
    ["Google → AWS", ledger.fromGoogle],
  ] as const) {
    if (d.lost > 0) problems.push(`${label}: ${d.lost} of ${d.sent} events lost`);
    if (d.duplicates > 0) problems.push(`${label}: ${d.duplicates} events applied more than once`);
    if (d.deadLettered.length !== d.invalidSent) {
      problems.push(
        `${label}: ${d.deadLettered.length} dead-lettered, expected the ${d.invalidSent} invalid events`,
      );
    }
  }
  const g = ledger.fromGoogle;
  if (g.rejectedTokens !== g.badTokensSent) {
    problems.push(`Google → AWS: ${g.rejectedTokens} of ${g.badTokensSent} bad tokens rejected`);
  }
  return problems;
}
