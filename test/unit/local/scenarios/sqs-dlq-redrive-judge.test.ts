import { describe, expect, it } from "vitest";
import type { JobRecord } from "../../../../functions/sqs-dlq-redrive/jobs-table-reader.ts";
import {
  judgeRedrive,
  type RedriveObservations,
} from "../../../../tools/local/scenarios/sqs-dlq-redrive/judge.ts";

const jobIds = ["r-0", "r-1", "r-2", "r-3"];
const applied = (jobId: string, more: Partial<JobRecord> = {}): JobRecord => ({
  jobId,
  applications: 1,
  suppressedDuplicates: 0,
  firstAppliedAt: 10_000,
  receiveCount: 1,
  redriveCount: 0,
  attempts: [],
  ...more,
});
/** r-0 fails while the switch is on (dead-lettered, then redriven); r-1 fails twice with backoff, then succeeds. */
const firstAttempt = { receiveCount: 1, at: 1_000, delaySeconds: 1, delayApplied: true, error: "transient" };
const secondAttempt = { receiveCount: 2, at: 2_500, delaySeconds: 2, delayApplied: true, error: "transient" };
const transient = applied("r-1", {
  receiveCount: 3,
  firstAppliedAt: 5_000,
  attempts: [firstAttempt, secondAttempt],
});

/** A run redriven by a move task: no job carries a redrive-count. */
function clean(): RedriveObservations {
  return {
    jobIds,
    permanentIds: new Set(["r-0"]),
    transientIds: new Set(["r-1"]),
    sendFailures: 0,
    maxReceiveCount: 3,
    sentAt: new Map(jobIds.map((id) => [id, 0])),
    beforeRedrive: [
      { ...applied("r-0"), applications: 0, attempts: [] },
      transient,
      applied("r-2"),
      applied("r-3"),
    ],
    afterRedrive: [applied("r-0", { firstAppliedAt: 20_000 }), transient, applied("r-2"), applied("r-3")],
    deadLettersBefore: [
      {
        messageId: "m-0",
        body: "{}",
        errorType: "RetriesExhausted",
        reason: "job r-0 failed on all 3 receives; last error: the fault switch is on",
      },
    ],
    deadLettersAfter: 0,
    olderDeadLetters: 0,
    redrive: { strategy: "move-task", moved: 1, durationMs: 10, filtered: false },
  };
}

describe("redrive judge", () => {
  it("passes a move-task redrive by its effects, though no job carries a redrive-count", () => {
    const j = judgeRedrive(clean());
    expect(j.problems).toEqual([]);
    expect(j.details.redriven).toBe(1);
    expect(j.counts).toEqual({
      sent: 4,
      expected: 4,
      applied: 4,
      duplicates: 0,
      deadLettered: 1,
      lost: 0,
      unexpected: 0,
    });
    expect(j.details.backoff[0]?.attempts.map((a) => a.nextReceiveAfterMs)).toEqual([1_500, 2_500]);
  });

  it("fails a lost job", () => {
    const o = clean();
    const j = judgeRedrive({ ...o, afterRedrive: o.afterRedrive.filter((r) => r.jobId !== "r-3") });
    expect(j.problems).toEqual(["1 jobs lost (not applied after the redrive)"]);
  });

  it("fails a dead-lettered job applied twice after the redrive", () => {
    const o = clean();
    const j = judgeRedrive({
      ...o,
      afterRedrive: o.afterRedrive.map((r) => (r.jobId === "r-0" ? { ...r, applications: 2 } : r)),
    });
    expect(j.problems).toEqual([
      "1 jobs applied more than once or stopped only by the effect write's condition (suppressedDuplicates)",
      "0 dead-lettered jobs applied exactly once after the redrive, expected 1",
    ]);
  });

  it("fails a job whose second application the effect write suppressed (the idempotency layer let it through)", () => {
    const o = clean();
    const j = judgeRedrive({
      ...o,
      afterRedrive: o.afterRedrive.map((r) => (r.jobId === "r-2" ? { ...r, suppressedDuplicates: 1 } : r)),
    });
    expect(j.counts.duplicates).toBe(1);
    expect(j.problems).toEqual([
      "1 jobs applied more than once or stopped only by the effect write's condition (suppressedDuplicates)",
    ]);
  });

  it("fails a failing job applied while the switch was on (unexpected), and a redrive that moved nothing", () => {
    const o = clean();
    const j = judgeRedrive({
      ...o,
      beforeRedrive: o.beforeRedrive.map((r) => (r.jobId === "r-0" ? { ...r, applications: 1 } : r)),
    });
    expect(j.problems).toEqual([
      "1 failing jobs were applied while the fault switch was on",
      "0 dead-lettered jobs applied exactly once after the redrive, expected 1",
    ]);
    expect(j.counts.unexpected).toBe(1);
  });

  it("fails a DLQ entry without its reason, a missing DLQ entry, and entries left after the redrive", () => {
    const o = clean();
    const noReason = judgeRedrive({
      ...o,
      deadLettersBefore: [{ messageId: "m-0", body: "{}", errorType: "", reason: "" }],
    });
    expect(noReason.problems).toEqual([
      "DLQ entry without the expected reason: (no error.type): (no error.reason)",
    ]);
    const missing = judgeRedrive({ ...o, deadLettersBefore: [] });
    expect(missing.problems).toEqual(["0 jobs in the DLQ before the redrive, expected 1"]);
    const left = judgeRedrive({ ...o, deadLettersAfter: 2 });
    expect(left.problems).toEqual(["2 of this run's messages still in the DLQ after the redrive"]);
  });

  it("fails a retry sooner than its backoff and a transient job applied on another receive", () => {
    const o = clean();
    const early = {
      ...transient,
      attempts: [{ ...firstAttempt, delaySeconds: 2 }, secondAttempt],
    };
    const j = judgeRedrive({
      ...o,
      afterRedrive: o.afterRedrive.map((r) => (r.jobId === "r-1" ? early : r)),
    });
    expect(j.problems).toEqual(["transient job r-1: receive 2 came 1500 ms after a 2 s backoff"]);
    const late = judgeRedrive({
      ...o,
      afterRedrive: o.afterRedrive.map((r) => (r.jobId === "r-1" ? { ...transient, receiveCount: 4 } : r)),
    });
    expect(late.problems).toEqual(["transient job r-1 was applied on receive 4; expected 3"]);
  });
});
