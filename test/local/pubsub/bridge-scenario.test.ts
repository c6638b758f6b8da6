/** The sns-pubsub-bridge scenario with faults on the embedded cloud: a clean ledger. */
import { describe, expect, it } from "vitest";
import { runBridgeScenario } from "../../../tools/local/scenarios/sns-pubsub-bridge/index.ts";

describe("sns-pubsub-bridge scenario", () => {
  it("with faults: every event forwarded once each way, bad tokens rejected, invalid events dead-lettered with reasons", async () => {
    process.env.METADATA_SERVER_DETECTION = "none";
    const ledger = await runBridgeScenario({ events: 50, faults: true });
    expect(ledger.problems).toEqual([]);
    expect(ledger.toGoogle).toMatchObject({ sent: 50, forwarded: 50, duplicates: 0, lost: 0 });
    expect(ledger.fromGoogle).toMatchObject({
      sent: 50,
      forwarded: 50,
      duplicates: 0,
      lost: 0,
      rejectedTokens: 10,
    });
    expect(ledger.toGoogle.deadLettered.map((d) => d.reason.split(":")[0]).sort()).toEqual([
      "MalformedJson",
      "UnknownEventType",
    ]);
    expect(ledger.fromGoogle.deadLettered).toHaveLength(1);
    expect(ledger.fromGoogle.retriedPushes).toBeGreaterThan(0);
  });
});
