import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { RedriveSummary } from "../../../functions/shared/redrive/types.ts";
import { progressLine, progressView, summaryText } from "../../../tools/redrive/report.ts";

const progress = { strategy: "mover" as const, moved: 500, matched: 500, skipped: 2, failed: 1, total: 1000 };

describe("progress output", () => {
  it("a plain line with counts, rate and ETA", () => {
    expect(progressLine({ ...progress, elapsedMs: 1000 })).toBe(
      "redrive: 500/1000 moved, 2 skipped, 1 failed, 500 msg/s, ETA 1 s",
    );
  });
  it("counts the ETA over every message still to deal with, skipped ones included", () => {
    // 400 of 1000 planned messages dealt with in 2 s (300 moved, 100 skipped): 600 left at 200/s.
    expect(
      progressLine({
        ...progress,
        moved: 300,
        skipped: 100,
        handled: 400,
        plannedDepth: 1000,
        elapsedMs: 2000,
      }),
    ).toBe("redrive: 300/1000 moved, 100 skipped, 1 failed, 150 msg/s, ETA 3 s");
    expect(
      progressLine({ ...progress, moved: 1000, handled: 1000, plannedDepth: 1000, elapsedMs: 2000 }),
    ).toMatch(/ETA 0 s$/);
  });
  it("writes plain lines, at most one per interval, when the stream is not a terminal", () => {
    const stream = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
    const chunks: string[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c.toString()));
    const view = progressView(stream, { intervalMs: 1000 });
    for (const elapsedMs of [1000, 1500, 2100, 2200]) view.update({ ...progress, elapsedMs });
    view.stop();
    expect(chunks).toHaveLength(2);
    expect(chunks[0]).toMatch(/^redrive: 500\/1000 moved/);
  });
});

describe("summaryText", () => {
  it("names what stayed and why", () => {
    const summary: RedriveSummary = {
      strategy: "mover",
      dryRun: false,
      from: { url: "https://q/dlq", arn: "arn" },
      to: "https://q/work",
      received: 3,
      matched: 3,
      moved: 2,
      skipped: 0,
      skippedBy: { filter: 0, alreadyMoved: 0 },
      skips: [],
      failed: 1,
      deferred: 0,
      deleteFailed: 0,
      failures: [{ messageId: "m-1", reason: "send failed: InvalidParameterValue" }],
      warnings: [],
      plannedDepth: 3,
      durationMs: 2000,
      messagesPerSecond: 1,
      cancelled: false,
    };
    const text = summaryText(summary);
    expect(text).toMatch(
      /^moved 2 message\(s\) from https:\/\/q\/dlq to https:\/\/q\/work via own mover in 2\.0 s/,
    );
    expect(text).toContain("stayed in DLQ: m-1: send failed: InvalidParameterValue");
  });

  it("says why it stopped and which messages came back", () => {
    const text = summaryText({
      strategy: "mover",
      dryRun: false,
      from: { url: "https://q/dlq", arn: "arn" },
      to: "https://q/work",
      received: 5,
      matched: 3,
      moved: 3,
      skipped: 2,
      skippedBy: { filter: 1, alreadyMoved: 1 },
      skips: [
        { messageId: "m-9", reason: "moved by this run and back in the DLQ (…): the cause persists" },
        { messageId: "m-8", reason: "did not match --filter" },
      ],
      failed: 0,
      deferred: 0,
      deleteFailed: 0,
      failures: [],
      warnings: [{ messageId: "m-2", reason: "moved without redrive-count: …" }],
      plannedDepth: 4,
      stopReason: "planned-depth",
      durationMs: 1000,
      messagesPerSecond: 3,
      cancelled: false,
    });
    expect(text).toContain("skipped 2 (1 by filter, 1 already moved by this run and back in the DLQ)");
    expect(text).toContain("stopped at the planned depth: dealt with the 4 message(s) the DLQ held");
    expect(text).toContain("left in DLQ: m-9: moved by this run");
    expect(text).not.toContain("m-8");
    expect(text).toContain("moved with a warning: m-2: moved without redrive-count");
  });
});
