import { randomBytes } from "node:crypto";
import type { LatencySummary } from "./latency.ts";

/**
 * The counts every scenario reports, whatever its pattern: what it sent, what it expected to be applied,
 * what was applied (distinct), applied more than once, dead-lettered, lost and unexpected.
 */
export interface LedgerCounts {
  /** Messages, events or jobs the scenario sent (distinct, valid or not). */
  readonly sent: number;
  /** Effects the pattern must apply. */
  readonly expected: number;
  /** Distinct expected effects applied. */
  readonly applied: number;
  /**
   * Effects applied more than once, or whose second application only the effect write's own condition
   * stopped (recorded on the effect as `suppressedDuplicates`: the idempotency layer let it through).
   */
  readonly duplicates: number;
  /** This run's messages dead-lettered (where the pattern expects them, and where it does not). */
  readonly deadLettered: number;
  /** Expected, neither applied nor dead-lettered as expected. */
  readonly lost: number;
  /** Effects the pattern must not have applied (a filter leak, a poison job applied). */
  readonly unexpected: number;
}

/**
 * What a scenario run returns on every target alike: the core (who, where, which run, the verdict with
 * its problems, the counts, latency, duration) and the pattern's own typed `details`.
 */
export interface ScenarioLedger<Details> {
  /** The pattern's slug. */
  readonly slug: string;
  /** `local`, `localstack` or `aws`. */
  readonly target: string;
  /** Random identifier of this run: every message the scenario sends carries it. */
  readonly runId: string;
  /** The verdict: true when `problems` is empty. */
  readonly ok: boolean;
  /** Why `ok` is false (empty when it is true). */
  readonly problems: readonly string[];
  readonly counts: LedgerCounts;
  /** Send → effect applied (ms), over `samples` deliveries. */
  readonly latencyMs: LatencySummary;
  /** Wall time of the whole run (ms). */
  readonly durationMs: number;
  readonly details: Details;
}

/** A ledger of any pattern (what the CLI and the registry handle). */
export type Ledger = ScenarioLedger<unknown>;

/** What a pure judge decides from a run's observations. */
export interface Judgement<Details> {
  readonly problems: readonly string[];
  readonly counts: LedgerCounts;
  readonly latencyMs: LatencySummary;
  readonly details: Details;
}

/** A fresh run ID (8 hex characters). */
export function newRunId(): string {
  return randomBytes(4).toString("hex");
}

/** Assembles the ledger of a run from its judgement; `ok` follows from the problems. */
export function ledgerOf<Details>(
  run: { readonly slug: string; readonly target: string; readonly runId: string; readonly startedAt: number },
  judgement: Judgement<Details>,
): ScenarioLedger<Details> {
  return {
    slug: run.slug,
    target: run.target,
    runId: run.runId,
    ok: judgement.problems.length === 0,
    problems: judgement.problems,
    counts: judgement.counts,
    latencyMs: judgement.latencyMs,
    durationMs: Date.now() - run.startedAt,
    details: judgement.details,
  };
}

/**
 * Renders a ledger for a terminal: a header line, the pattern's own lines (`body`), latency and
 * duration, and the verdict with every problem.
 */
export function formatCoreLedger(
  ledger: Ledger,
  { headline, body, okLine }: { headline: string; body: readonly string[]; okLine: string },
): string {
  const { latencyMs, counts } = ledger;
  return [
    `${ledger.slug} on ${ledger.target} (run ${ledger.runId}): ${headline}`,
    "",
    ...body,
    "",
    `counts: ${counts.sent} sent, ${counts.expected} expected, ${counts.applied} applied, ${counts.duplicates} duplicates, ` +
      `${counts.deadLettered} dead-lettered, ${counts.lost} lost, ${counts.unexpected} unexpected`,
    `latency send → effect: p50 ${latencyMs.p50} ms, p95 ${latencyMs.p95} ms, p99 ${latencyMs.p99} ms (${latencyMs.samples} samples); ${(ledger.durationMs / 1000).toFixed(1)} s in all`,
    ledger.ok ? `result: OK (${okLine})` : `result: FAILED\n  ${ledger.problems.join("\n  ")}`,
  ].join("\n");
}

/** Renders rows as a plain-text table: the first column left-aligned, the others right-aligned. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string[] {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: readonly string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.slice(1).map(line)];
}

/** Counts equal lines: `["a", "b", "a"]` → `["2 × a", "1 × b"]`, in first-seen order. */
export function tally(lines: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l, (counts.get(l) ?? 0) + 1);
  return [...counts].map(([l, n]) => `${n} × ${l}`);
}
