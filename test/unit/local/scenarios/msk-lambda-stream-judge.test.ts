import { describe, expect, it } from "vitest";
import {
  judgeStream,
  type StreamObservations,
} from "../../../../tools/local/scenarios/msk-lambda-stream/judge.ts";

/** A clean run with faults: 20 events over 2 keys, 1 poison record skipped, 1 stuck record dead-lettered. */
function clean(): StreamObservations & { entities: [Entity, Entity] } {
  return {
    faults: true,
    faultInjection: "transient=0.02,timeout-type=order.slow,stuck-type=order.stuck",
    produced: 20,
    poisonSent: 1,
    stuckSent: 1,
    entities: [
      { entityId: "e-0", produced: 10, applied: 10, lastSequence: 10, orderViolations: 0 },
      { entityId: "e-1", produced: 10, applied: 10, lastSequence: 10, orderViolations: 0 },
    ],
    poison: [{ topicPartition: "orders-3", offset: 7, errorType: "MalformedJson" }],
    failures: [
      { condition: "RetryAttemptsExhausted", topicPartition: "orders-1", firstOffset: 4, lastOffset: 4 },
    ],
    offsetsOnTopic: 22,
    lag: 0,
    injected: { transient: 1, timeout: 1 },
    latencySamples: [10, 20, 30],
    eventsPerSecond: 100,
  };
}

type Entity = StreamObservations["entities"][number];

describe("judgeStream", () => {
  it("passes a clean run and accounts for every offset", () => {
    const j = judgeStream(clean());
    expect(j.problems).toEqual([]);
    expect(j.counts).toEqual({
      sent: 22,
      expected: 20,
      applied: 20,
      duplicates: 0,
      deadLettered: 2,
      lost: 0,
      unexpected: 0,
    });
    expect(j.details.unaccountedOffsets).toBe(0);
    expect(j.latencyMs).toMatchObject({ p50: 20, samples: 3 });
  });

  it("fails a duplicate effect", () => {
    const o = clean();
    const j = judgeStream({
      ...o,
      entities: [{ ...o.entities[0], applied: 11 }, o.entities[1]],
    });
    expect(j.problems).toContain("1 effects applied more than once");
    expect(j.counts.duplicates).toBe(1);
  });

  it("fails a lost event (and the offsets it leaves unaccounted)", () => {
    const o = clean();
    const j = judgeStream({
      ...o,
      entities: [{ ...o.entities[0], applied: 9, lastSequence: 9 }, o.entities[1]],
    });
    expect(j.counts.lost).toBe(1);
    expect(j.problems).toContain("1 of 20 events not applied");
    expect(j.problems.some((p) => p.includes("1 unaccounted"))).toBe(true);
  });

  it("fails a per-key order violation", () => {
    const o = clean();
    const j = judgeStream({ ...o, entities: [{ ...o.entities[0], orderViolations: 2 }, o.entities[1]] });
    expect(j.problems).toContain("2 per-key order violations");
  });

  it("fails a poison record that was not recorded with its offset", () => {
    const j = judgeStream({ ...clean(), poison: [], offsetsOnTopic: 21 });
    expect(j.problems).toContain("0 poison records recorded with their offsets, expected 1");
  });

  it("fails when the on-failure destination holds more than the stuck record", () => {
    const j = judgeStream({
      ...clean(),
      failures: [
        { condition: "RetryAttemptsExhausted", topicPartition: "orders-1", firstOffset: 4, lastOffset: 6 },
      ],
    });
    expect(j.problems.some((p) => p.startsWith("3 offsets in the on-failure destination"))).toBe(true);
  });

  it("fails a failure record with another condition", () => {
    const j = judgeStream({
      ...clean(),
      failures: [
        { condition: "RecordAgeExceeded", topicPartition: "orders-1", firstOffset: 4, lastOffset: 4 },
      ],
    });
    expect(j.problems).toContain("on-failure record for orders-1 with condition RecordAgeExceeded");
  });

  it("fails offsets on the topic that nothing accounts for", () => {
    const j = judgeStream({ ...clean(), offsetsOnTopic: 25 });
    expect(j.problems).toContain(
      "25 offsets on the topic, 20 applied + 1 poison + 1 dead-lettered: 3 unaccounted",
    );
  });

  it("fails lag at the end", () => {
    const j = judgeStream({ ...clean(), lag: 4 });
    expect(j.problems).toContain("consumer group lag 4 at the end (expected 0)");
  });
});
