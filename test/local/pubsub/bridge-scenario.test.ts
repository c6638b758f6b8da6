/**
 * The sns-pubsub-bridge scenario on the local target: with faults, as `npm run local` runs it (a
 * clean ledger); and one direction at a time on one cloud, as the bench runs it, leaving no sink
 * subscribed to the target topic between runs.
 */
import { ListSubscriptionsByTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { describe, expect, it } from "vitest";
import { SnsPubsubBridgeOutputs as O } from "../../../stacks/sns-pubsub-bridge-outputs.ts";
import { patternFor } from "../../../tools/local/patterns.ts";
import { patternLocalOptions, runOnTarget } from "../../../tools/local/run.ts";
import {
  type BridgeLedger,
  runBridgeScenario,
  snsPubsubBridge,
} from "../../../tools/local/scenarios/sns-pubsub-bridge/index.ts";
import { localTarget } from "../../../tools/local/targets/local.ts";

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

  it("one direction at a time: the other sends nothing, and each run removes its sink from the target topic", async () => {
    process.env.METADATA_SERVER_DETECTION = "none";
    const target = await localTarget({
      stack: snsPubsubBridge.stack,
      ...patternLocalOptions(snsPubsubBridge),
    });
    try {
      const sns = new SNSClient(target.clientConfig("sns"));
      const sinks = async () =>
        (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: target.outputs[O.TargetTopicArn] })))
          .Subscriptions ?? [];

      const inbound = await runBridgeScenario(target, { events: 20, directions: "from-google" });
      expect(inbound.problems).toEqual([]);
      expect(inbound.details.toGoogle).toMatchObject({ sent: 0, forwarded: 0, invalidSent: 0 });
      expect(inbound.details.fromGoogle).toMatchObject({ sent: 20, forwarded: 20, duplicates: 0, lost: 0 });
      expect(await sinks()).toEqual([]);

      const outbound = await runBridgeScenario(target, { events: 20, directions: "to-google" });
      expect(outbound.problems).toEqual([]);
      expect(outbound.details.fromGoogle).toMatchObject({ sent: 0, badTokensSent: 0, duplicatePushes: 0 });
      expect(outbound.details.toGoogle).toMatchObject({ sent: 20, forwarded: 20, invalidSent: 0, lost: 0 });
      expect(await sinks()).toEqual([]);
    } finally {
      await target.stop();
    }
  });
});
