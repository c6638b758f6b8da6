/**
 * Crossovers: the throughputs where one alternative's monthly cost crosses another's. Found on a
 * log-spaced grid, then refined by bisection on the (pure) cost functions.
 */

/** Monthly cost of one alternative at a rate (messages per second). */
export type CostCurve = (messagesPerSecond: number) => number;

export interface Crossover {
  /** Messages per second at the crossing. */
  readonly messagesPerSecond: number;
  /** Monthly USD at the crossing (of the series that becomes cheaper). */
  readonly monthlyUsd: number;
  /** Cheaper below the crossing. */
  readonly cheaperBelow: string;
  /** Cheaper above the crossing. */
  readonly cheaperAbove: string;
}

/** `count` rates spaced evenly on a log scale from `from` to `to`, both included. */
export function logGrid(from: number, to: number, count: number): number[] {
  const a = Math.log10(from);
  const b = Math.log10(to);
  return Array.from({ length: count }, (_, i) => 10 ** (a + ((b - a) * i) / (count - 1)));
}

function bisect(diff: (r: number) => number, lo: number, hi: number): number {
  let a = lo;
  let b = hi;
  const signA = Math.sign(diff(a));
  for (let i = 0; i < 40; i++) {
    const mid = Math.sqrt(a * b);
    if (Math.sign(diff(mid)) === signA) a = mid;
    else b = mid;
  }
  return Math.sqrt(a * b);
}

/** Where curve `a` and curve `b` cross over the grid (each sign change of a − b). */
export function pairCrossovers(
  a: { id: string; cost: CostCurve },
  b: { id: string; cost: CostCurve },
  grid: readonly number[],
): Crossover[] {
  const out: Crossover[] = [];
  const diff = (r: number) => a.cost(r) - b.cost(r);
  for (let i = 1; i < grid.length; i++) {
    const lo = grid[i - 1] as number;
    const hi = grid[i] as number;
    const dLo = diff(lo);
    const dHi = diff(hi);
    if (dLo === 0 || Math.sign(dLo) === Math.sign(dHi) || dHi === 0) continue;
    const rate = bisect(diff, lo, hi);
    const [below, above] = dLo < 0 ? [a, b] : [b, a];
    out.push({
      messagesPerSecond: rate,
      monthlyUsd: above.cost(rate),
      cheaperBelow: below.id,
      cheaperAbove: above.id,
    });
  }
  return out;
}

/** Where the cheapest alternative changes along the grid. */
export function cheapestChanges(
  series: readonly { id: string; cost: CostCurve }[],
  grid: readonly number[],
): Crossover[] {
  const cheapest = (r: number) =>
    series.reduce(
      (best, s) => (s.cost(r) < best.cost(r) ? s : best),
      series[0] as { id: string; cost: CostCurve },
    );
  const out: Crossover[] = [];
  for (let i = 1; i < grid.length; i++) {
    const lo = grid[i - 1] as number;
    const hi = grid[i] as number;
    const a = cheapest(lo);
    const b = cheapest(hi);
    if (a.id === b.id) continue;
    out.push(...pairCrossovers(a, b, [lo, hi]));
  }
  return out;
}
