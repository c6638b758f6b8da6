import type { SQSClient } from "@aws-sdk/client-sqs";
import { type EffectKey, readEffects } from "../../../../functions/sns-sqs-fanout/effects-reader.ts";
import {
  FANOUT_SUBSCRIBER_NAMES,
  type FanoutSubscriberName,
  SnsSqsFanoutOutputs as Outputs,
} from "../../../../stacks/sns-sqs-fanout-outputs.ts";
import { bodyMentions, readDeadLetters } from "../kit/dlq.ts";
import { functionEnvironment } from "../kit/invoke.ts";
import type { ScenarioLedger } from "../kit/ledger.ts";
import { type ProgressListener, phasedProgress } from "../kit/progress.ts";
import { waitForDrained } from "../kit/queues.ts";
import { runScenario } from "../kit/run.ts";
import { deadlineIn, waitUntil } from "../kit/wait.ts";
import type { ScenarioTarget } from "../target.ts";
import { buildEvents, pickDuplicates, SUBSCRIBER_EXPECTATIONS } from "./events.ts";
import { type FanoutDeadLetter, type FanoutDetails, judgeFanout } from "./judge.ts";
import { publishRun } from "./publish.ts";

/** The fan-out ledger: the core plus {@link FanoutDetails}. */
export type FanoutLedger = ScenarioLedger<FanoutDetails>;

/** Options of {@link runFanoutScenario}. */
export interface FanoutScenarioOptions {
  /** Valid events to publish. @default 200 */
  readonly events?: number;
  /**
   * Inject the producer-side faults: 1 % malformed bodies published straight to the topic and 2 %
   * duplicate publishes of an event ID (at least one of each). Consumer-side transient failures come
   * from the consumers' `FAULT_INJECTION` (set on the target: `environment` locally, `-c
   * faultInjection=transient=0.05` when deploying) and are read from their configuration.
   * @default true
   */
  readonly faults?: boolean;
  /** Events per publisher invocation. @default 25 */
  readonly publishBatchSize?: number;
  /** Concurrent publisher invocations. @default 4 */
  readonly publishConcurrency?: number;
  /**
   * Leave this run's DLQ entries (the malformed events) in the DLQs after the run, e.g. to try the
   * redrive tool on them. By default the run's last DLQ read deletes them; other entries are never touched.
   * @default false
   */
  readonly keepDeadLetters?: boolean;
  readonly onProgress?: ProgressListener;
}

/**
 * The `sns-sqs-fanout` scenario: publishes N events through the publisher function (Lambda Invoke),
 * with 2 % duplicate publishes and 1 % malformed bodies published straight to the topic, waits for
 * every delivery to settle (effect applied, or dead-lettered), lets the queues drain, and hands what it
 * saw to {@link judgeFanout}. It reads only through AWS SDK calls and the stack outputs, so it runs
 * unchanged on every target, and it reads only this run's DLQ entries, whatever else the DLQs hold.
 */
export function runFanoutScenario(
  target: ScenarioTarget,
  options: FanoutScenarioOptions = {},
): Promise<FanoutLedger> {
  return runScenario(
    target,
    "sns-sqs-fanout",
    async ({ runId, clients, out, intervalMs, receiveWaitSeconds }) => {
      const { lambda, sns, sqs, dynamodb } = clients;
      const subscriberOutputs = (name: FanoutSubscriberName) => Outputs.subscribers[name];
      const count = options.events ?? 200;
      const faults = options.faults ?? true;
      const malformedCount = faults ? Math.max(1, Math.round(count * 0.01)) : 0;
      const duplicateCount = faults ? Math.max(1, Math.round(count * 0.02)) : 0;
      const events = buildEvents(runId, count);
      const duplicates = pickDuplicates(events, duplicateCount);
      const progress = phasedProgress(
        [
          { name: "publishing", weight: 3 },
          { name: "settling", weight: 7 },
        ],
        options.onProgress,
      );

      // What the consumers inject, from their configuration (the same on every target).
      const faultInjection = Object.fromEntries(
        await Promise.all(
          FANOUT_SUBSCRIBER_NAMES.map(async (name) => {
            const env = await functionEnvironment(lambda, out(subscriberOutputs(name).functionName));
            return [name, env.FAULT_INJECTION ?? ""] as const;
          }),
        ),
      ) as Record<FanoutSubscriberName, string>;

      // Publish: valid events through the publisher, duplicates (same IDs) after them, malformed to the topic.
      const toPublish = count + duplicates.length + malformedCount;
      const { publishedAt, publishFailures } = await publishRun(
        { lambda, sns },
        {
          publisherFunctionName: out(Outputs.publisherFunctionName),
          topicArn: out(Outputs.topicArn),
          runId,
          events,
          duplicates,
          malformed: malformedCount,
          batchSize: options.publishBatchSize ?? 25,
          concurrency: options.publishConcurrency ?? 4,
        },
        (published) => progress("publishing", `publishing ${published}/${toPublish}`, published, toPublish),
      );

      // Settle: poll the effects table for outstanding deliveries and the DLQs for this run's entries.
      const table = out(Outputs.effectsTableName);
      const expectedKeys: EffectKey[] = FANOUT_SUBSCRIBER_NAMES.flatMap((subscriber) =>
        events
          .filter(SUBSCRIBER_EXPECTATIONS[subscriber].matches)
          .map((e) => ({ subscriber, eventId: e.id })),
      );
      const expectedDlq =
        malformedCount *
        FANOUT_SUBSCRIBER_NAMES.filter((s) => SUBSCRIBER_EXPECTATIONS[s].deadLettersMalformed).length;
      const toSettle = expectedKeys.length + expectedDlq;
      const applied = new Set<string>();
      let deadLetters: FanoutDeadLetter[] = [];
      const readDlqs = async (consume = false) => {
        deadLetters = await readRunDeadLetters(sqs, out, runId, {
          waitTimeSeconds: receiveWaitSeconds,
          consume,
        });
      };
      const deadline = deadlineIn(target.settleTimeoutMs);
      await waitUntil(
        async () => {
          const outstanding = expectedKeys.filter((k) => !applied.has(`${k.subscriber}|${k.eventId}`));
          for (const e of await readEffects(dynamodb, table, outstanding))
            applied.add(`${e.subscriber}|${e.eventId}`);
          // Scanning six DLQs is the costliest read (and competes with the consumers for the emulator):
          // start once every expected effect is in, stop once this run's expected entries are; the final
          // read after the drain counts every entry, extra ones included.
          if (applied.size === expectedKeys.length && deadLetters.length < expectedDlq) await readDlqs();
          const settled = applied.size + Math.min(expectedDlq, deadLetters.length);
          progress("settling", `settling ${settled}/${toSettle} deliveries`, settled, toSettle);
          return applied.size === expectedKeys.length && deadLetters.length >= expectedDlq;
        },
        { timeoutMs: deadline.remainingMs(), intervalMs },
      );
      // Drain: every expected effect has appeared once, but a duplicate publish (sent last) or a message
      // a filter should have dropped may still be queued or in flight. Wait until every subscriber queue
      // is empty with nothing in flight for a quiet period (AWS's approximate counts lag, hence a longer
      // one there), then read every effect of this run, expected or not, so duplicates show as
      // applications > 1 and filter leaks as unexpected effects.
      await waitForDrained(
        sqs,
        FANOUT_SUBSCRIBER_NAMES.map((s) => out(subscriberOutputs(s).queueUrl)),
        { quietPolls: target.name === "local" ? 3 : 30, intervalMs, timeoutMs: deadline.remainingMs() },
      );
      const allKeys: EffectKey[] = FANOUT_SUBSCRIBER_NAMES.flatMap((subscriber) =>
        events.map((e) => ({ subscriber, eventId: e.id })),
      );
      const effects = await readEffects(dynamodb, table, allKeys);
      // The last read deletes this run's entries (unless asked to keep them), so repeated runs against
      // one deployment do not pile up DLQ entries and keep its DLQ alarms raised.
      await readDlqs(!(options.keepDeadLetters ?? false));
      const judgement = judgeFanout({
        events,
        duplicateIds: duplicates.map((d) => d.id),
        malformed: malformedCount,
        publishFailures,
        faultInjection,
        publishedAt,
        effects,
        deadLetters,
      });
      progress("settling", "done", 1, 1);
      return judgement;
    },
  );
}

/** This run's entries in every subscriber's queue DLQ and subscription DLQ (all six scanned in parallel). */
async function readRunDeadLetters(
  sqs: SQSClient,
  out: (name: string) => string,
  runId: string,
  options: { readonly waitTimeSeconds: number; readonly consume: boolean },
): Promise<FanoutDeadLetter[]> {
  const sources = FANOUT_SUBSCRIBER_NAMES.flatMap((subscriber) => [
    { subscriber, source: "queue" as const, url: out(Outputs.subscribers[subscriber].dlqUrl) },
    {
      subscriber,
      source: "subscription" as const,
      url: out(Outputs.subscribers[subscriber].subscriptionDlqUrl),
    },
  ]);
  const read = await Promise.all(
    sources.map(async (s) =>
      (
        await readDeadLetters(sqs, s.url, {
          isOurs: bodyMentions(runId),
          ...options,
        })
      ).map((d) => ({
        subscriber: s.subscriber,
        source: s.source,
        errorType: d.errorType,
        reason: d.reason,
      })),
    ),
  );
  return read.flat();
}
