import { setTimeout as sleep } from "node:timers/promises";

/** Options of {@link waitUntil}. */
export interface WaitOptions {
  /** Give up after this long (ms). */
  readonly timeoutMs: number;
  /** Pause between checks (ms). @default 150 */
  readonly intervalMs?: number;
}

/**
 * Checks `condition` until it holds or `timeoutMs` runs out, pausing `intervalMs` between checks: the
 * only place a scenario waits, so no scenario sleeps for a fixed time. Resolves `true` when the
 * condition held, `false` on timeout: a scenario then reports what is missing in its ledger rather than
 * throwing, because an incomplete run is a verdict, not a crash. Errors thrown by `condition` propagate.
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  { timeoutMs, intervalMs = 150 }: WaitOptions,
): Promise<boolean> {
  const deadline = Date.now() + Math.max(0, timeoutMs);
  for (;;) {
    if (await condition()) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await sleep(Math.min(intervalMs, left));
  }
}

/** A deadline shared by a scenario's phases: each waits at most what is left of it. */
export function deadlineIn(ms: number): { readonly remainingMs: () => number } {
  const at = Date.now() + ms;
  return { remainingMs: () => Math.max(0, at - Date.now()) };
}
