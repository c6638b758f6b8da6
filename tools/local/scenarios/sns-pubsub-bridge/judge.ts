/** The sns-pubsub-bridge judge (pure): the ledger details of one run and every reason it is not clean. */

import { type LatencySummary, summarizeLatency } from "../kit/latency.ts";
import type { Judgement } from "../kit/ledger.ts";

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
  /** Publish → first arrival on the other side (ms). */
  readonly latencyMs: LatencySummary;
  /** Distinct arrivals per second, from the first send to the last arrival. */
  readonly eventsPerSecond: number;
}

/** The Google → AWS direction, with what only the push side has. */
export interface FromGoogleLedger extends DirectionLedger {
  /** Extra Pub/Sub publishes of an already-sent event id (duplicate pushes). */
  readonly duplicatePushes: number;
  /** Forged and expired tokens sent straight to the function URL. */
  readonly badTokensSent: number;
  /** Of those, answered 401/403 (never published). */
  readonly rejectedTokens: number;
  /** Push attempts answered 5xx (retried by Pub/Sub). */
  readonly retriedPushes: number;
}

/** Which way events cross the bridge in a run. */
export type BridgeDirections = "both" | "to-google" | "from-google";

/** The bridge's ledger details. */
export interface BridgeDetails {
  /** Which way events were sent: both, or one alone (the other direction's counts are all 0). */
  readonly directions: BridgeDirections;
  /** Whether the scenario injected its faults (invalid events, bad tokens, duplicate pushes). */
  readonly faults: boolean;
  /** The functions' fault injection (`FAULT_INJECTION`), "" when off. */
  readonly faultInjection: string;
  readonly toGoogle: DirectionLedger;
  readonly fromGoogle: FromGoogleLedger;
}

/** Every reason the run is not clean (empty when it is). */
export function bridgeProblems(details: Pick<BridgeDetails, "toGoogle" | "fromGoogle">): string[] {
  const problems: string[] = [];
  for (const [label, d] of [
    ["AWS → Google", details.toGoogle],
    ["Google → AWS", details.fromGoogle],
  ] as const) {
    if (d.lost > 0) problems.push(`${label}: ${d.lost} of ${d.sent} events lost`);
    if (d.duplicates > 0) problems.push(`${label}: ${d.duplicates} events applied more than once`);
    if (d.deadLettered.length !== d.invalidSent) {
      problems.push(
        `${label}: ${d.deadLettered.length} dead-lettered, expected the ${d.invalidSent} invalid events`,
      );
    }
  }
  const g = details.fromGoogle;
  if (g.rejectedTokens !== g.badTokensSent) {
    problems.push(`Google → AWS: ${g.rejectedTokens} of ${g.badTokensSent} bad tokens rejected`);
  }
  return problems;
}

/**
 * The judgement of a run: the problems, and the kit's counts over both directions — sent (valid and
 * invalid events each way, and the bad-token requests), expected (the valid events), applied (those
 * that arrived on the other side), duplicates, dead-lettered, lost, and unexpected (bad tokens that
 * were not answered 401/403). `latencySamples` are both directions' publish → arrival times.
 */
export function judgeBridge(
  details: BridgeDetails,
  latencySamples: readonly number[],
): Judgement<BridgeDetails> {
  const t = details.toGoogle;
  const g = details.fromGoogle;
  return {
    problems: bridgeProblems(details),
    counts: {
      sent: t.sent + t.invalidSent + g.sent + g.invalidSent + g.badTokensSent,
      expected: t.sent + g.sent,
      applied: t.forwarded + g.forwarded,
      duplicates: t.duplicates + g.duplicates,
      deadLettered: t.deadLettered.length + g.deadLettered.length,
      lost: t.lost + g.lost,
      unexpected: g.badTokensSent - g.rejectedTokens,
    },
    latencyMs: summarizeLatency(latencySamples),
    details,
  };
}
