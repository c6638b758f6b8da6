import { describe, expect, it } from "vitest";
import type { EffectItem } from "../../../../functions/sns-sqs-fanout/effects.ts";
import { FANOUT_SUBSCRIBER_NAMES } from "../../../../stacks/sns-sqs-fanout-outputs.ts";
import {
  buildEvents,
  SUBSCRIBER_EXPECTATIONS,
} from "../../../../tools/local/scenarios/sns-sqs-fanout/events.ts";
import {
  type FanoutObservations,
  judgeFanout,
} from "../../../../tools/local/scenarios/sns-sqs-fanout/judge.ts";

// 10 events, 4:3:2:1: e0–e3 created (billing, audit), e4–e6 paid (shipping, audit), e7–e9 audit only.
const events = buildEvents("run1", 10);
const publishedAt = new Map(events.map((e, i) => [e.id, 1_000 + i]));

/** Every matching subscriber applied every event once, 5 ms after its publish; one malformed event dead-lettered. */
function clean(): FanoutObservations {
  const effects: EffectItem[] = FANOUT_SUBSCRIBER_NAMES.flatMap((subscriber) =>
    events.filter(SUBSCRIBER_EXPECTATIONS[subscriber].matches).map((e) => ({
      subscriber,
      eventId: e.id,
      applications: 1,
      suppressedDuplicates: 0,
      firstAppliedAt: new Date((publishedAt.get(e.id) ?? 0) + 5).toISOString(),
      type: e.type,
    })),
  );
  return {
    events,
    duplicateIds: [events[0]?.id ?? ""],
    malformed: 1,
    publishFailures: 0,
    faultInjection: { billing: "", shipping: "", audit: "" },
    publishedAt,
    effects,
    deadLetters: [
      {
        subscriber: "billing",
        source: "queue",
        errorType: "MalformedJson",
        reason: "Unexpected end of JSON input",
      },
      {
        subscriber: "audit",
        source: "queue",
        errorType: "MalformedJson",
        reason: "Unexpected end of JSON input",
      },
    ],
  };
}

describe("fan-out judge", () => {
  it("passes a run where every matching subscriber applied every event exactly once", () => {
    const j = judgeFanout(clean());
    expect(j.problems).toEqual([]);
    expect(j.counts).toEqual({
      sent: 11,
      expected: 17,
      applied: 17,
      duplicates: 0,
      deadLettered: 2,
      lost: 0,
      unexpected: 0,
    });
    expect(j.latencyMs).toEqual({ p50: 5, p95: 5, p99: 5, samples: 17 });
    expect(j.details.subscribers.map((s) => [s.name, s.expected, s.expectedDlq])).toEqual([
      ["billing", 4, 1],
      ["shipping", 3, 0],
      ["audit", 10, 1],
    ]);
  });

  it("fails a lost delivery", () => {
    const o = clean();
    const j = judgeFanout({
      ...o,
      effects: o.effects.filter((e) => !(e.subscriber === "shipping" && e.eventId === events[4]?.id)),
    });
    expect(j.problems).toEqual(["1 deliveries lost (neither applied nor dead-lettered)"]);
    expect(j.counts.lost).toBe(1);
    expect(j.details.subscribers.find((s) => s.name === "shipping")?.lost).toBe(1);
  });

  it("fails an effect applied twice", () => {
    const o = clean();
    const j = judgeFanout({
      ...o,
      effects: o.effects.map((e) =>
        e.subscriber === "audit" && e.eventId === events[9]?.id ? { ...e, applications: 2 } : e,
      ),
    });
    expect(j.problems).toEqual([
      "1 effects applied more than once or stopped only by the effect write's condition (suppressedDuplicates)",
    ]);
    expect(j.details.subscribers.find((s) => s.name === "audit")).toMatchObject({
      delivered: 10,
      effectsApplied: 11,
    });
  });

  it("fails an effect whose second application the effect write suppressed (the idempotency layer let it through)", () => {
    const o = clean();
    const j = judgeFanout({
      ...o,
      effects: o.effects.map((e) =>
        e.subscriber === "billing" && e.eventId === events[0]?.id ? { ...e, suppressedDuplicates: 1 } : e,
      ),
    });
    expect(j.counts.duplicates).toBe(1);
    expect(j.details.subscribers.find((s) => s.name === "billing")).toMatchObject({
      delivered: 4,
      effectsApplied: 4,
      duplicates: 1,
    });
  });

  it("fails an effect a filter policy should have dropped", () => {
    const o = clean();
    const leak: EffectItem = {
      subscriber: "billing",
      eventId: events[5]?.id ?? "",
      applications: 1,
      suppressedDuplicates: 0,
      firstAppliedAt: new Date(2_000).toISOString(),
      type: "order.paid",
    };
    const j = judgeFanout({ ...o, effects: [...o.effects, leak] });
    expect(j.problems).toEqual(["1 effects for events a filter policy should have dropped"]);
    expect(j.counts.unexpected).toBe(1);
  });

  it("fails a DLQ entry without an error.reason", () => {
    const o = clean();
    const j = judgeFanout({
      ...o,
      deadLetters: o.deadLetters.map((d) => (d.subscriber === "audit" ? { ...d, reason: "" } : d)),
    });
    expect(j.problems).toEqual(["1 DLQ entries have no error.reason"]);
  });

  it("fails a malformed event missing from a DLQ, or dead-lettered where it cannot arrive", () => {
    const o = clean();
    const missing = judgeFanout({
      ...o,
      deadLetters: o.deadLetters.filter((d) => d.subscriber !== "billing"),
    });
    expect(missing.problems).toEqual(["billing: 0 DLQ entries, expected 1 (the malformed events)"]);
    const extra = judgeFanout({
      ...o,
      deadLetters: [
        ...o.deadLetters,
        { subscriber: "shipping", source: "subscription", errorType: "", reason: "x" },
      ],
    });
    expect(extra.problems).toEqual(["shipping: 1 DLQ entries, expected 0 (the malformed events)"]);
  });

  it("fails publisher failures and predicts injected retries, duplicate publishes included", () => {
    const j = judgeFanout({
      ...clean(),
      publishFailures: 2,
      faultInjection: { billing: "transient=1", shipping: "", audit: "" },
    });
    expect(j.problems).toEqual(["2 publisher entries failed"]);
    // Every billing event fails once; e0 was published twice, so its second copy fails once too.
    expect(j.details.subscribers.find((s) => s.name === "billing")?.transientInjected).toBe(5);
    expect(j.details.faultInjection).toBe("transient=1");
  });
});
