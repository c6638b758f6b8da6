/** The msk-lambda-stream judge (pure): a run's observations in, the ledger details and every problem out. */

import { type LatencySummary, summarizeLatency } from "../kit/latency.ts";
import type { Judgement } from "../kit/ledger.ts";

/** One entity's effect row as the scenario read it at the end. */
export interface EntityObservation {
  readonly entityId: string;
  /** Events of this entity the scenario produced (sequences 1..produced). */
  readonly produced: number;
  /** `applied`: effects the consumer applied (a duplicate adds one). */
  readonly applied: number;
  /** `lastSequence`: the highest sequence applied. */
  readonly lastSequence: number;
  /** `orderViolations`: events that arrived at or below `lastSequence`. */
  readonly orderViolations: number;
}

/** A record the consumer recorded as poison and skipped (`poison#…` row). */
export interface PoisonObservation {
  readonly topicPartition: string;
  readonly offset: number;
  readonly errorType: string;
}

/** An on-failure record of the event source (the failure queue), one partition's offset range. */
export interface FailureObservation {
  readonly condition: string;
  readonly topicPartition: string;
  readonly firstOffset: number;
  readonly lastOffset: number;
}

/** What the scenario observed in one run. */
export interface StreamObservations {
  readonly faults: boolean;
  readonly faultInjection: string;
  /** Valid events produced through the producer function (expected to be applied once each). */
  readonly produced: number;
  /** Records produced on purpose to fail: malformed (poison, skipped by the consumer). */
  readonly poisonSent: number;
  /** Events produced on purpose to exhaust the event source's retries (to the failure queue). */
  readonly stuckSent: number;
  readonly entities: readonly EntityObservation[];
  readonly poison: readonly PoisonObservation[];
  readonly failures: readonly FailureObservation[];
  /** Records this run added to the topic (sum of the partitions' high watermarks, end − start). */
  readonly offsetsOnTopic: number;
  /** Records of the consumer group not committed at the end (sum of high watermark − committed). */
  readonly lag: number;
  /** Injected faults the consumer remembered (`fault#<kind>#<id>` rows), by kind. */
  readonly injected: Readonly<Record<string, number>>;
  /** Producer invoke → effect observed (ms). */
  readonly latencySamples: readonly number[];
  /** Valid events applied per second, first produce → last effect. */
  readonly eventsPerSecond: number;
}

/** The ledger details: the observations and the derived accounting. */
export interface StreamDetails extends Omit<StreamObservations, "latencySamples"> {
  /** Distinct events applied (min(applied, produced) per entity). */
  readonly appliedOnce: number;
  /** Effects beyond one per event. */
  readonly duplicates: number;
  readonly orderViolations: number;
  /** Offsets in the failure queue's ranges. */
  readonly deadLetteredOffsets: number;
  /** Offsets neither applied, nor recorded as poison, nor dead-lettered (must be 0). */
  readonly unaccountedOffsets: number;
  readonly latencyMs: LatencySummary;
}

/** Derives the details and every reason the run is not clean. */
export function judgeStream(o: StreamObservations): Judgement<StreamDetails> {
  const problems: string[] = [];
  let appliedOnce = 0;
  let duplicates = 0;
  let orderViolations = 0;
  for (const e of o.entities) {
    appliedOnce += Math.min(e.applied, e.produced);
    duplicates += Math.max(0, e.applied - e.produced);
    orderViolations += e.orderViolations;
    if (e.lastSequence !== e.produced && e.applied >= e.produced) {
      problems.push(`${e.entityId}: last sequence ${e.lastSequence}, expected ${e.produced}`);
    }
  }
  const lost = o.produced - appliedOnce;
  if (lost > 0) problems.push(`${lost} of ${o.produced} events not applied`);
  if (duplicates > 0) problems.push(`${duplicates} effects applied more than once`);
  if (orderViolations > 0) problems.push(`${orderViolations} per-key order violations`);
  if (o.poison.length !== o.poisonSent) {
    problems.push(`${o.poison.length} poison records recorded with their offsets, expected ${o.poisonSent}`);
  }
  const deadLetteredOffsets = o.failures.reduce((n, f) => n + (f.lastOffset - f.firstOffset + 1), 0);
  if (deadLetteredOffsets !== o.stuckSent) {
    problems.push(
      `${deadLetteredOffsets} offsets in the on-failure destination, expected the ${o.stuckSent} stuck records`,
    );
  }
  for (const f of o.failures) {
    if (f.condition !== "RetryAttemptsExhausted") {
      problems.push(`on-failure record for ${f.topicPartition} with condition ${f.condition}`);
    }
  }
  // Every offset on the topic is an applied event, a recorded poison record or a dead-lettered one.
  const unaccountedOffsets = o.offsetsOnTopic - (appliedOnce + o.poison.length + deadLetteredOffsets);
  if (unaccountedOffsets !== 0) {
    problems.push(
      `${o.offsetsOnTopic} offsets on the topic, ${appliedOnce} applied + ${o.poison.length} poison + ${deadLetteredOffsets} dead-lettered: ${unaccountedOffsets} unaccounted`,
    );
  }
  if (o.lag !== 0) problems.push(`consumer group lag ${o.lag} at the end (expected 0)`);
  const { latencySamples, ...rest } = o;
  const latencyMs = summarizeLatency(latencySamples);
  return {
    problems,
    counts: {
      sent: o.produced + o.poisonSent + o.stuckSent,
      expected: o.produced,
      applied: appliedOnce,
      duplicates,
      deadLettered: o.poison.length + deadLetteredOffsets,
      lost,
      unexpected: 0,
    },
    latencyMs,
    details: {
      ...rest,
      appliedOnce,
      duplicates,
      orderViolations,
      deadLetteredOffsets,
      unaccountedOffsets,
      latencyMs,
    },
  };
}
