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
      failed: 1,
      deferred: 0,
      deleteFailed: 0,
      failures: [{ messageId: "m-1", reason: "send failed: InvalidParameterValue" }],
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
});
