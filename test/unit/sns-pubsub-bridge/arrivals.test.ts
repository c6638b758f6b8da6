/** The scenario's arrival bookkeeping: counts expected ids once, keeps every arrival time. */
import { describe, expect, it } from "vitest";
import { Arrivals } from "../../../tools/local/scenarios/sns-pubsub-bridge/arrivals.ts";

describe("Arrivals", () => {
  it("is complete once every expected id arrived, duplicates and strangers not counted", () => {
    const arrivals = new Arrivals();
    arrivals.expect(["a", "b"]);
    arrivals.add("a", 1);
    arrivals.add("a", 2);
    arrivals.add("stray", 3);
    expect(arrivals.arrived).toBe(1);
    expect(arrivals.complete).toBe(false);
    arrivals.add("b", 4);
    expect(arrivals.arrived).toBe(2);
    expect(arrivals.complete).toBe(true);
    expect(arrivals.times.get("a")).toEqual([1, 2]);
    expect(arrivals.times.get("stray")).toEqual([3]);
  });

  it("counts an id that arrived before it was expected", () => {
    const arrivals = new Arrivals();
    arrivals.add("early", 1);
    arrivals.expect(["early", "late"]);
    expect(arrivals.arrived).toBe(1);
    expect(arrivals.complete).toBe(false);
  });
});
