import { isFaultInjected, parseFaultInjection } from "../../../../functions/shared/fault-injection.ts";
import type { EffectItem } from "../../../../functions/sns-sqs-fanout/effects.ts";
import {
  FANOUT_SUBSCRIBER_NAMES,
  type FanoutSubscriberName,
} from "../../../../stacks/sns-sqs-fanout-outputs.ts";
import { perSecond, summarizeLatency } from "../kit/latency.ts";
import type { Judgement } from "../kit/ledger.ts";
import { type FanoutEvent, SUBSCRIBER_EXPECTATIONS } from "./events.ts";

/** A dead-lettered message of this run, with where it was found. */
export interface FanoutDeadLetter {
  readonly subscriber: FanoutSubscriberName;
  /** `queue` (the consumer's DLQ) or `subscription` (the SNS subscription DLQ). */
  readonly source: "queue" | "subscription";
  readonly errorType: string;
  readonly reason: string;
}

/** Everything the fan-out scenario saw in one run: the judge's only input. */
export interface FanoutObservations {
  /** The distinct valid events published through the publisher. */
  readonly events: readonly FanoutEvent[];
  /** IDs published a second time. */
  readonly duplicateIds: readonly string[];
  /** Malformed bodies published straight to the topic. */
  readonly malformed: number;
  /** Entries the publisher reported as failed. */
  readonly publishFailures: number;
  /** Each consumer's `FAULT_INJECTION` as deployed ("" when off). */
  readonly faultInjection: Readonly<Record<FanoutSubscriberName, string>>;
  /** First publish of each event ID (epoch ms). */
  readonly publishedAt: ReadonlyMap<string, number>;
  /** Every effect found for this run's events, for every subscriber (expected or not). */
  readonly effects: readonly EffectItem[];
  /** Every DLQ entry of this run. */
  readonly deadLetters: readonly FanoutDeadLetter[];
}

/** One subscriber's row of the ledger. */
export interface FanoutSubscriberRow {
  readonly name: FanoutSubscriberName;
  /** Valid events its filter policy matches. */
  readonly expected: number;
  /** Distinct expected events whose effect it applied. */
  readonly delivered: number;
  /** Sum of `applications` over those effects (equals `delivered` when exactly once). */
  readonly effectsApplied: number;
  /**
   * Effects applied more than once, or with a second application stopped only by the effect write's
   * condition (`suppressedDuplicates`: the idempotency layer let it through).
   */
  readonly duplicates: number;
  /**
   * Messages expected to fail once on their first receive and be retried: every delivered copy
   * (duplicate publishes included) of an event that `FAULT_INJECTION` selects for this subscriber.
   */
  readonly transientInjected: number;
  /** This run's entries in its queue's DLQ and its subscription DLQ. */
  readonly dlq: number;
  /** Malformed events it must dead-letter. */
  readonly expectedDlq: number;
  /** Expected, not applied. */
  readonly lost: number;
  /** Effects for events its filter should have dropped. */
  readonly unexpected: number;
}

/** The fan-out ledger's own details. */
export interface FanoutDetails {
  readonly sent: {
    readonly events: number;
    readonly malformed: number;
    readonly duplicatePublishes: number;
    readonly publishFailures: number;
  };
  /** The consumers' fault injection ("" when off). */
  readonly faultInjection: string;
  readonly subscribers: readonly FanoutSubscriberRow[];
  readonly dlq: readonly FanoutDeadLetter[];
  /** Valid events per second, from the first publish to the last first-effect. */
  readonly eventsPerSecond: number;
}

/**
 * Judges a fan-out run, purely: each valid event's effect applied exactly once per subscriber whose
 * filter matches it (and attempted once: a second application the effect write suppressed is a duplicate), no effect where a filter drops it, each malformed event dead-lettered by every
 * subscriber that receives it and by no other, every DLQ entry with an `error.reason`, no publish failure.
 */
export function judgeFanout(o: FanoutObservations): Judgement<FanoutDetails> {
  const effects = new Map(o.effects.map((e) => [`${e.subscriber}|${e.eventId}`, e]));
  const latencies: number[] = [];
  let lastEffect = 0;
  const subscribers = FANOUT_SUBSCRIBER_NAMES.map((name): FanoutSubscriberRow => {
    const expectation = SUBSCRIBER_EXPECTATIONS[name];
    const mine = o.events.filter(expectation.matches);
    const rate = parseFaultInjection(o.faultInjection[name] || undefined).transientRate;
    let delivered = 0;
    let applied = 0;
    let duplicates = 0;
    for (const e of mine) {
      const effect = effects.get(`${name}|${e.id}`);
      if (!effect || effect.applications < 1) continue;
      delivered++;
      applied += effect.applications;
      if (effect.applications > 1 || effect.suppressedDuplicates > 0) duplicates++;
      const appliedAt = Date.parse(effect.firstAppliedAt) || 0;
      latencies.push(Math.max(0, appliedAt - (o.publishedAt.get(e.id) ?? appliedAt)));
      lastEffect = Math.max(lastEffect, appliedAt);
    }
    const unexpected = o.events.filter(
      (e) => !expectation.matches(e) && (effects.get(`${name}|${e.id}`)?.applications ?? 0) > 0,
    ).length;
    return {
      name,
      expected: mine.length,
      delivered,
      effectsApplied: applied,
      duplicates,
      // Every delivered copy of a selected event fails on its first receive, duplicate publishes included.
      transientInjected: mine
        .filter((e) => isFaultInjected(name, e.id, rate))
        .reduce((n, e) => n + 1 + o.duplicateIds.filter((id) => id === e.id).length, 0),
      dlq: o.deadLetters.filter((d) => d.subscriber === name).length,
      expectedDlq: expectation.deadLettersMalformed ? o.malformed : 0,
      lost: mine.length - delivered,
      unexpected,
    };
  });
  const sum = (pick: (s: FanoutSubscriberRow) => number) => subscribers.reduce((n, s) => n + pick(s), 0);
  const counts = {
    sent: o.events.length + o.malformed,
    expected: sum((s) => s.expected),
    applied: sum((s) => s.delivered),
    duplicates: sum((s) => s.duplicates),
    deadLettered: o.deadLetters.length,
    lost: sum((s) => s.lost),
    unexpected: sum((s) => s.unexpected),
  };
  const problems: string[] = [];
  if (o.publishFailures > 0) problems.push(`${o.publishFailures} publisher entries failed`);
  if (counts.lost > 0) problems.push(`${counts.lost} deliveries lost (neither applied nor dead-lettered)`);
  if (counts.duplicates > 0)
    problems.push(
      `${counts.duplicates} effects applied more than once or stopped only by the effect write's condition (suppressedDuplicates)`,
    );
  if (counts.unexpected > 0)
    problems.push(`${counts.unexpected} effects for events a filter policy should have dropped`);
  for (const s of subscribers) {
    if (s.dlq !== s.expectedDlq)
      problems.push(`${s.name}: ${s.dlq} DLQ entries, expected ${s.expectedDlq} (the malformed events)`);
  }
  const withoutReason = o.deadLetters.filter((d) => d.reason === "").length;
  if (withoutReason > 0) problems.push(`${withoutReason} DLQ entries have no error.reason`);
  const firstPublish = Math.min(...o.publishedAt.values());
  const faultInjection = [...new Set(Object.values(o.faultInjection).filter((s) => s !== ""))].join(", ");
  return {
    problems,
    counts,
    latencyMs: summarizeLatency(latencies),
    details: {
      sent: {
        events: o.events.length,
        malformed: o.malformed,
        duplicatePublishes: o.duplicateIds.length,
        publishFailures: o.publishFailures,
      },
      faultInjection,
      subscribers,
      dlq: o.deadLetters,
      eventsPerSecond: perSecond(o.events.length, firstPublish, lastEffect),
    },
  };
}
