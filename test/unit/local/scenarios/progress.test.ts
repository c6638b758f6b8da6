import { describe, expect, it } from "vitest";
import {
  formatProgressLine,
  fractionOf,
  percentOf,
  phasedProgress,
} from "../../../../tools/local/scenarios/kit/progress.ts";

describe("scenario progress", () => {
  it("clamps fractions to [0, 1], whatever the counts", () => {
    expect(fractionOf(10, 1)).toBe(1); // a batch of 10 for 1 job
    expect(fractionOf(-1, 5)).toBe(0);
    expect(fractionOf(0, 0)).toBe(1); // nothing to do is done
    expect(fractionOf(Number.NaN, 5)).toBe(0);
    expect(percentOf(2)).toBe(100);
    expect(percentOf(Number.NaN)).toBe(0);
    expect(percentOf(0.999)).toBe(99);
  });

  it('never prints more than 100 %: not "200% sent 1/1 jobs"', () => {
    expect(formatProgressLine("sent 1/1 jobs", 2)).toBe("100% sent 1/1 jobs");
    expect(formatProgressLine("sent 1/1 jobs", -0.5)).toBe("0% sent 1/1 jobs");
  });

  it("maps each phase onto its share of one bar and keeps a phase that overcounts inside its share", () => {
    const seen: [string, number][] = [];
    const progress = phasedProgress(
      [
        { name: "send", weight: 2 },
        { name: "settle", weight: 8 },
      ],
      (line, fraction) => seen.push([line, fraction]),
    );
    progress("send", "sent 10/1 jobs", 10, 1);
    progress("settle", "half", 1, 2);
    progress("settle", "done", 3, 2);
    expect(seen.map(([, f]) => Number(f.toFixed(3)))).toEqual([0.2, 0.6, 1]);
    expect(seen.every(([, f]) => f >= 0 && f <= 1)).toBe(true);
  });
});
