/** Receives a scenario's progress: a status line and the fraction done, from 0 to 1. */
export type ProgressListener = (line: string, fraction: number) => void;

/** `done / total` clamped to [0, 1]; 1 for an empty total (nothing to do is done), 0 for a bad reading. */
export function fractionOf(done: number, total: number): number {
  if (!(total > 0)) return 1;
  const f = done / total;
  return Number.isFinite(f) ? Math.min(1, Math.max(0, f)) : 0;
}

/** A fraction as a whole percentage from 0 to 100, whatever the fraction (clamped, never NaN). */
export function percentOf(fraction: number): number {
  return Number.isFinite(fraction) ? Math.floor(Math.min(1, Math.max(0, fraction)) * 100) : 0;
}

/** One plain progress line, for logs and non-TTY output: `42% publishing 84/200`. */
export function formatProgressLine(line: string, fraction: number): string {
  return `${percentOf(fraction)}% ${line}`;
}

/** A phase of a scenario and its share of the whole bar. */
export interface ProgressPhase {
  readonly name: string;
  /** Relative share of the bar (the shares are normalised). */
  readonly weight: number;
}

/**
 * Maps each phase's own `done / total` onto one bar: phase k covers its share after the earlier phases,
 * and every fraction reported is clamped, so a phase that counts past its total (a batch of 10 sent
 * for 1 job) never reports more than its share ("200% sent 1/1 jobs").
 */
export function phasedProgress<P extends string>(
  phases: readonly (ProgressPhase & { readonly name: P })[],
  listener: ProgressListener | undefined,
): (phase: P, line: string, done: number, total: number) => void {
  const sum = phases.reduce((n, p) => n + Math.max(0, p.weight), 0) || 1;
  const starts = new Map<P, { start: number; share: number }>();
  let at = 0;
  for (const p of phases) {
    const share = Math.max(0, p.weight) / sum;
    starts.set(p.name, { start: at, share });
    at += share;
  }
  return (phase, line, done, total) => {
    const slot = starts.get(phase);
    if (!listener || !slot) return;
    listener(line, Math.min(1, slot.start + slot.share * fractionOf(done, total)));
  };
}
