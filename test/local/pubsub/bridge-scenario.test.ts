/**
 * The sns-pubsub-bridge scenario on the local target: with faults, as `npm run local` runs it (a
 * clean ledger); and one direction at a time on one cloud, as the bench runs it, leaving no sink
 * queue or subscription behind between runs.
 */
import { ListSubscriptionsByTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { SnsPubsubBridgeOutputs as O } from "../../../stacks/sns-pubsub-bridge-outputs.ts";
import { patternFor } from "../../../tools/local/patterns.ts";
import { patternLocalOptions, runOnTarget } from "../../../tools/local/run.ts";
import {
  type BridgeLedger,
  runBridgeScenario,
  snsPubsubBridge,
} from "../../../tools/local/scenarios/sns-pubsub-bridge/index.ts";
import { outputReader } from "../../../tools/local/scenarios/target.ts";
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

  it("one direction at a time: the other sends nothing, and each run removes its sink queue and subscription", async () => {
    const target = await localTarget({
      stack: snsPubsubBridge.stack,
      ...patternLocalOptions(snsPubsubBridge),
    });
    const sns = new SNSClient(target.clientConfig("sns"));
    const sqs = new SQSClient(target.clientConfig("sqs"));
    try {
      const targetTopicArn = outputReader(target)(O.TargetTopicArn);
      const leftovers = async () => ({
        subscriptions:
          (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: targetTopicArn }))).Subscriptions ??
          [],
        queues: (await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "bridge-sink-" }))).QueueUrls ?? [],
      });

      const inbound = await runBridgeScenario(target, {
        events: 20,
        directions: "from-google",
        faults: true,
      });
      expect(inbound.problems).toEqual([]);
      expect(inbound.details.directions).toBe("from-google");
      expect(inbound.details.toGoogle).toMatchObject({ sent: 0, forwarded: 0, invalidSent: 0 });
      expect(inbound.details.fromGoogle).toMatchObject({
        sent: 20,
        forwarded: 20,
        duplicates: 0,
        lost: 0,
        duplicatePushes: 2,
        badTokensSent: 10,
        rejectedTokens: 10,
        invalidSent: 1,
      });
      expect(await leftovers()).toEqual({ subscriptions: [], queues: [] });

      const outbound = await runBridgeScenario(target, { events: 20, directions: "to-google" });
      expect(outbound.problems).toEqual([]);
      expect(outbound.details.fromGoogle).toMatchObject({
        sent: 0,
        badTokensSent: 0,
        duplicatePushes: 0,
        retriedPushes: 0,
      });
      expect(outbound.details.toGoogle).toMatchObject({ sent: 20, forwarded: 20, lost: 0 });
      expect(await leftovers()).toEqual({ subscriptions: [], queues: [] });
    } finally {
      sns.destroy();
      sqs.destroy();
      await target.stop();
    }
  });
});
