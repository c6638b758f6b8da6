import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FANOUT_SUBSCRIBER_NAMES, SnsSqsFanoutOutputs } from "../../stacks/sns-sqs-fanout-outputs.ts";
import { SqsDlqRedriveOutputs } from "../../stacks/sqs-dlq-redrive-outputs.ts";
import { patternFor } from "../../tools/local/patterns.ts";
import { queueDepth } from "../../tools/local/scenarios/kit/queues.ts";
import { type FanoutLedger, runFanoutScenario } from "../../tools/local/scenarios/sns-sqs-fanout/scenario.ts";
import {
  type RedriveLedger,
  runRedriveScenario,
} from "../../tools/local/scenarios/sqs-dlq-redrive/scenario.ts";
import type { ScenarioTarget } from "../../tools/local/scenarios/target.ts";
import { localTarget } from "../../tools/local/targets/local.ts";

const OLDER = 25;

/** Fills a DLQ with `OLDER` entries of earlier runs (other bodies, reasons of their own). */
async function seed(sqs: SQSClient, queueUrl: string): Promise<void> {
  for (let i = 0; i < OLDER; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Array.from({ length: Math.min(10, OLDER - i) }, (_, j) => ({
          Id: String(j),
          MessageBody: JSON.stringify({ olderRun: true, n: i + j }),
          MessageAttributes: {
            "error.type": { DataType: "String", StringValue: "MalformedJson" },
            "error.reason": { DataType: "String", StringValue: "an older run's entry" },
          },
        })),
      }),
    );
  }
}

function sqsOf(target: ScenarioTarget): SQSClient {
  return new SQSClient({ ...target.clientConfig("sqs"), useQueueUrlAsEndpoint: false });
}

/**
 * Runs again against the same deployment (LocalStack or an AWS account) leave their DLQ entries behind. A
 * receive returns at most 10 messages in no set order, so a scenario must see its own entries behind any
 * number of older ones, and leave the older ones where they were.
 */
describe(`scenarios against DLQs that already hold ${OLDER} older entries each`, () => {
  describe("sns-sqs-fanout", () => {
    let target: ScenarioTarget;
    let sqs: SQSClient;
    let ledger: FanoutLedger;
    const dlqUrls = () =>
      FANOUT_SUBSCRIBER_NAMES.flatMap((s) => [
        target.outputs[SnsSqsFanoutOutputs.subscribers[s].dlqUrl] ?? "",
        target.outputs[SnsSqsFanoutOutputs.subscribers[s].subscriptionDlqUrl] ?? "",
      ]);

    beforeAll(async () => {
      target = await localTarget({
        stack: "SnsSqsFanoutStack",
        environment: patternFor("sns-sqs-fanout").faultEnvironment,
      });
      sqs = sqsOf(target);
      for (const url of dlqUrls()) await seed(sqs, url);
      ledger = await runFanoutScenario(target, { events: 60, faults: true });
    });
    afterAll(async () => {
      sqs?.destroy();
      await target?.stop();
    });

    it("finds this run's malformed events in the billing and audit DLQs and passes", () => {
      expect(ledger.problems).toEqual([]);
      expect(ledger.details.dlq.map((d) => d.subscriber).sort()).toEqual(["audit", "billing"]);
      expect(ledger.details.dlq.every((d) => d.reason !== "an older run's entry")).toBe(true);
    });

    it("leaves every older entry in its DLQ, visible, and removes its own", async () => {
      const depths = await Promise.all(dlqUrls().map((url) => queueDepth(sqs, url)));
      expect(depths.map((d) => d.visible)).toEqual(dlqUrls().map(() => OLDER));
      expect(depths.every((d) => d.inFlight === 0)).toBe(true);
    });
  });

  describe("sqs-dlq-redrive", () => {
    let target: ScenarioTarget;
    let sqs: SQSClient;
    let ledger: RedriveLedger;

    beforeAll(async () => {
      target = await localTarget({ stack: "SqsDlqRedriveStack", visibilityTimeoutSeconds: 10 });
      sqs = sqsOf(target);
      await seed(sqs, target.outputs[SqsDlqRedriveOutputs.dlqUrl] ?? "");
      ledger = await runRedriveScenario(target, { jobs: 20, permanent: 2, transient: 1 });
    });
    afterAll(async () => {
      sqs?.destroy();
      await target?.stop();
    });

    it("redrives only this run's dead-lettered jobs and passes", () => {
      expect(ledger.problems).toEqual([]);
      expect(ledger.details).toMatchObject({
        dlqBefore: 2,
        dlqAfter: 0,
        redriven: 2,
        olderDlqEntries: OLDER,
      });
      expect(ledger.details.redrive).toMatchObject({ filtered: true, moved: 2 });
    });

    it("leaves the older entries in the DLQ", async () => {
      const depth = await queueDepth(sqs, target.outputs[SqsDlqRedriveOutputs.dlqUrl] ?? "");
      expect(depth).toMatchObject({ visible: OLDER, inFlight: 0 });
    });
  });
});
