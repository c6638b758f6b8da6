/** The sns-pubsub-bridge scenario with faults on the local target, as `npm run local` runs it: a clean ledger. */
import { describe, expect, it } from "vitest";
import { patternFor } from "../../../tools/local/patterns.ts";
import { runOnTarget } from "../../../tools/local/run.ts";
import type { BridgeLedger } from "../../../tools/local/scenarios/sns-pubsub-bridge/index.ts";

describe("sns-pubsub-bridge scenario", () => {
  it("with faults: every event forwarded once each way, bad tokens rejected, invalid events dead-lettered with reasons", async () => {
    const ledger = (await runOnTarget(patternFor("sns-pubsub-bridge"), "local", {
      messages: 50,
      faults: true,
      progress: false,
    })) as BridgeLedger;
    expect(ledger.problems).toEqual([]);
    expect(ledger.ok).toBe(true);
    const { toGoogle, fromGoogle, faultInjection } = ledger.details;
    expect(faultInjection).toBe("transient=0.1");
    expect(toGoogle).toMatchObject({ sent: 50, forwarded: 50, duplicates: 0, lost: 0 });
    expect(fromGoogle).toMatchObject({
      sent: 50,
      forwarded: 50,
      duplicates: 0,
      lost: 0,
      rejectedTokens: 10,
    });
    expect(toGoogle.deadLettered.map((d) => d.reason.split(":")[0]).sort()).toEqual([
      "MalformedJson",
      "UnknownEventType",
    ]);
    expect(fromGoogle.deadLettered).toHaveLength(1);
    expect(fromGoogle.retriedPushes).toBeGreaterThan(0);
    expect(ledger.counts).toMatchObject({
      expected: 100,
      applied: 100,
      lost: 0,
      duplicates: 0,
      unexpected: 0,
    });
  });
});
