import { describe, expect, it } from "vitest";
import { judgeBatchResponse } from "../../../tools/local/event-sources/batch-response.ts";
import { fifoOrderViolations } from "../../../tools/local/event-sources/sqs-poller.ts";

const ids = ["m1", "m2", "m3"];
const judge = (response: unknown) => judgeBatchResponse(JSON.stringify(response), ids, true);

describe("partial batch responses (ReportBatchItemFailures)", () => {
  it("treats null, an empty object and an empty or null list as complete success", () => {
    for (const response of [null, {}, { batchItemFailures: [] }, { batchItemFailures: null }]) {
      expect(judge(response)).toEqual({ outcome: "success" });
    }
  });

  it("reports the listed identifiers as failed when all are in the batch", () => {
    const verdict = judge({ batchItemFailures: [{ itemIdentifier: "m2" }] });
    expect(verdict.outcome).toBe("partial");
    expect(verdict.outcome === "partial" && [...verdict.failed]).toEqual(["m2"]);
  });

  it("fails the whole batch for an identifier not in the batch, an empty or missing identifier, or a malformed response", () => {
    expect(judge({ batchItemFailures: [{ itemIdentifier: "other" }] })).toMatchObject({
      outcome: "failure",
      reason: expect.stringMatching(/not in the batch/),
    });
    expect(judge({ batchItemFailures: [{ itemIdentifier: "" }] }).outcome).toBe("failure");
    expect(judge({ batchItemFailures: [{ id: "m1" }] }).outcome).toBe("failure");
    expect(judge({ batchItemFailures: "m1" }).outcome).toBe("failure");
    expect(judge("not a response").outcome).toBe("failure");
    expect(judgeBatchResponse("{oops", ids, true).outcome).toBe("failure");
  });

  it("treats any successful response as complete success without ReportBatchItemFailures", () => {
    expect(
      judgeBatchResponse(JSON.stringify({ batchItemFailures: [{ itemIdentifier: "m1" }] }), ids, false),
    ).toEqual({ outcome: "success" });
  });
});

describe("FIFO order violations", () => {
  const message = (id: string, group: string) => ({ MessageId: id, Attributes: { MessageGroupId: group } });
  const batch = [
    message("a1", "A"),
    message("b1", "B"),
    message("a2", "A"),
    message("b2", "B"),
    message("a3", "A"),
  ];
  it("flags records reported processed after an earlier failure of their group, and only those", () => {
    expect(fifoOrderViolations(batch, new Set(["a2"]))).toEqual(["a3"]);
    expect(fifoOrderViolations(batch, new Set(["a1", "b2"]))).toEqual(["a2", "a3"]);
  });
  it("flags nothing when the function reports the rest of the group as failed (FIFO-aware)", () => {
    expect(fifoOrderViolations(batch, new Set(["a2", "a3"]))).toEqual([]);
    expect(fifoOrderViolations(batch, new Set())).toEqual([]);
  });
});
