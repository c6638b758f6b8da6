/**
 * Arrival times of the scenario's events on one side of the bridge, keyed by CloudEvent id, with a
 * running count of the expected ids seen at least once: the settle loop asks "has everything
 * arrived?" after every receive, and a count answers that in O(1) where scanning every id made the
 * scenario's own bookkeeping one of the largest costs on the main thread.
 */
export class Arrivals {
  /** Arrival times (ms since epoch) per event id, duplicates included. */
  readonly times = new Map<string, number[]>();
  private readonly expected = new Set<string>();
  private arrivedCount = 0;

  /** Declares the ids this run waits for (before they can arrive). */
  expect(ids: Iterable<string>): void {
    for (const id of ids) {
      this.expected.add(id);
      if (this.times.has(id)) this.arrivedCount++;
    }
  }

  /** Records one arrival of `id` at `at`. */
  add(id: string, at: number = Date.now()): void {
    const list = this.times.get(id);
    if (list) {
      list.push(at);
      return;
    }
    this.times.set(id, [at]);
    if (this.expected.has(id)) this.arrivedCount++;
  }

  /** Expected ids that arrived at least once. */
  get arrived(): number {
    return this.arrivedCount;
  }

  /** Whether every expected id arrived at least once. */
  get complete(): boolean {
    return this.arrivedCount === this.expected.size;
  }
}
