/**
 * The sns-pubsub-bridge scenario (local target only): SnsPubsubBridgeStack with the Pub/Sub service
 * ({@link bridgePubsubService}, started by the local target from the registry entry), N events each
 * way (default 100), and with `faults`: duplicate pushes, forged and expired tokens sent to the
 * function URL, and invalid events each way that must be dead-lettered with a reason. Transient
 * failures of both functions come from the target (`FAULT_INJECTION=transient=0.1`, the entry's
 * fault environment: a forwarded record fails its first receive, a push its first attempt, answered
 * 500). The Google side (topics, subscriptions) is declared here, not in the CDK template.
 */

import { setTimeout as sleep } from "node:timers/promises";
import { PublishBatchCommand, SubscribeCommand, UnsubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message as SqsMessage,
} from "@aws-sdk/client-sqs";
import { type Message, PubSub } from "@google-cloud/pubsub";
import { SnsPubsubBridgeOutputs as O } from "../../../../stacks/sns-pubsub-bridge-outputs.ts";
import { LocalOidcIssuer } from "../../pubsub/index.ts";
import { PubsubLocalService } from "../../services/pubsub.ts";
import { deleteMessages } from "../kit/dlq.ts";
import { functionEnvironment } from "../kit/invoke.ts";
import { summarizeLatency } from "../kit/latency.ts";
import type { ScenarioLedger } from "../kit/ledger.ts";
import type { ProgressListener } from "../kit/progress.ts";
import { runScenario } from "../kit/run.ts";
import { waitUntil } from "../kit/wait.ts";
import type { ScenarioTarget } from "../target.ts";
import { Arrivals } from "./arrivals.ts";
import { type BridgeDetails, type BridgeDirections, judgeBridge } from "./judge.ts";

export type { BridgeDirections };

/** How long the scenario keeps reading after every event arrived, so a late duplicate is still counted. */
const STRAGGLER_WINDOW_MS = 500;

/** The AWS-side sink is never deleted from: what was received stays invisible this long (12 h, SQS's maximum). */
const SINK_VISIBILITY_TIMEOUT_SECONDS = 43_200;

/**
 * After a receive that returned fewer than 10 messages, the sink reader waits this long before the
 * next one. Without it a long poll returns as soon as one message arrives, so at a few hundred
 * arrivals per second the reader made about one ReceiveMessage per 1.4 messages, each an SDK call
 * and an SQS request on the main thread the whole local cloud shares: the harness took CPU from the
 * bridge it measures. Waiting lets arrivals collect into full receives of 10; the cost is at most
 * this much added to an arrival's measured latency.
 */
const SINK_BATCH_WAIT_MS = 20;

export const BRIDGE_PROJECT = "my-gcp-project";
const PUSH_EMAIL = `pubsub-push@${BRIDGE_PROJECT}.iam.gserviceaccount.com`;
const PUSH_AUDIENCE = "sns-pubsub-bridge:SnsPubsubBridgeStack/SnsPubsubBridgeStack/Bridge";

/** The sns-pubsub-bridge ledger. */
export type BridgeLedger = ScenarioLedger<BridgeDetails>;

/** Thrown when the target has no local Pub/Sub service (a deployed target, or a local one without it). */
export class BridgeTargetError extends Error {
  override readonly name = "BridgeTargetError";
}

/** The Google side of a local run: topics and subscriptions in {@link BRIDGE_PROJECT}. */
export function bridgePubsubService(): PubsubLocalService {
  return new PubsubLocalService({
    projectId: BRIDGE_PROJECT,
    topics: ["aws-events", "to-aws", "to-aws-dead"],
    subscriptions: [
      { id: "aws-events-sink", topic: "aws-events" },
      { id: "to-aws-dead-sink", topic: "to-aws-dead" },
      {
        id: "to-aws-push",
        topic: "to-aws",
        pushToFunctionUrl: "BridgePushUrl",
        oidcToken: { serviceAccountEmail: PUSH_EMAIL, audience: PUSH_AUDIENCE },
        retryPolicy: { minimumBackoffSeconds: 0.1, maximumBackoffSeconds: 1 },
        deadLetter: { topic: "to-aws-dead", maxDeliveryAttempts: 5 },
      },
    ],
  });
}

export interface BridgeScenarioOptions {
  /** Valid events each way. @default 100 */
  readonly events?: number;
  /**
   * The directions to run: both at once (the scenario), or one alone, so a benchmark can give one
   * direction the whole machine. The other direction sends nothing (its ledger counts are all 0).
   * @default "both"
   */
  readonly directions?: BridgeDirections;
  /** Invalid events, bad tokens and duplicate pushes (the functions' faults come from the target). @default false */
  readonly faults?: boolean;
  readonly onProgress?: ProgressListener;
}

const TYPES = ["order.created", "order.cancelled", "order.shipped"] as const;

/**
 * Runs the bridge scenario on `target`, which must be the local target with the Pub/Sub service
 * (the registry entry's `local.services`); waits up to `target.settleTimeoutMs` for every event.
 */
export function runBridgeScenario(
  target: ScenarioTarget,
  options: BridgeScenarioOptions = {},
): Promise<BridgeLedger> {
  const pubsubService = target.localServices?.find(
    (s): s is PubsubLocalService => s instanceof PubsubLocalService,
  );
  if (!pubsubService) {
    return Promise.reject(
      new BridgeTargetError(
        `sns-pubsub-bridge needs the local Pub/Sub service; target ${target.name} has none (it runs on the local target only)`,
      ),
    );
  }
  const n = options.events ?? 100;
  const faults = options.faults ?? false;
  const directions = options.directions ?? "both";
  const runOut = directions !== "from-google";
  const runIn = directions !== "to-google";
  const nOut = runOut ? n : 0;
  const nIn = runIn ? n : 0;
  // The in-process client would otherwise probe a GCE metadata server for credentials (PITFALLS).
  process.env.METADATA_SERVER_DETECTION ??= "none";
  return runScenario(target, "sns-pubsub-bridge", async ({ runId, clients, out: output }) => {
    const { sns, sqs, lambda } = clients;
    const emulator = pubsubService.emulator;
    const pubsub = new PubSub({
      projectId: BRIDGE_PROJECT,
      apiEndpoint: emulator.emulatorHost,
      emulatorMode: true,
    });
    // The run's AWS-side sink, removed when the run ends: a sink left subscribed would receive (and
    // cost the shared main thread) every later run's events on the same cloud.
    let sinkUrl = "";
    let sinkSubscriptionArn: string | undefined;
    // Readers stop (their pending long poll aborted) once everything settled and the straggler
    // window is over, so a late duplicate is counted on the AWS side too; and when the run fails,
    // so no reader outlives it (the forward DLQ is the stack's, shared with later runs).
    const stopReading = new AbortController();
    // Push attempts are counted over the emulator's life: this run's are the difference.
    const pushDeliverer = emulator.pushDeliverer(`projects/${BRIDGE_PROJECT}/subscriptions/to-aws-push`);
    const retriedSoFar = () =>
      [...(pushDeliverer?.attempts.entries() ?? [])]
        .filter(([status]) => status >= 500 || status === 0)
        .reduce((a, [, count]) => a + count, 0);
    const retriedBefore = retriedSoFar();
    try {
      const faultInjection =
        (await functionEnvironment(lambda, output(O.ForwarderFunctionName))).FAULT_INJECTION ?? "";
      const event = (i: number, direction: string) => ({
        specversion: "1.0",
        id: `${runId}-${direction}-${i}`,
        source: direction === "out" ? "orders-service" : "cloud-run/orders",
        type: TYPES[i % TYPES.length] as string,
        time: new Date().toISOString(),
        datacontenttype: "application/json",
        data: { orderId: `ord-${i}`, run: runId },
      });

      // Sinks: the Pub/Sub side of AWS → Google, an SQS queue on the target topic for Google → AWS.
      const toGoogle = new Arrivals();
      const sentAt = new Map<string, number>();
      const sink = pubsub.subscription("aws-events-sink");
      sink.on("message", (m: Message) => {
        toGoogle.add(m.attributes["ce-id"] ?? "");
        m.ack();
      });
      const deadOnGoogle: { reason: string }[] = [];
      const deadSink = pubsub.subscription("to-aws-dead-sink");
      deadSink.on("message", (m: Message) => {
        deadOnGoogle.push({
          reason: `dead-letter topic after ${m.attributes.CloudPubSubDeadLetterSourceDeliveryCount} deliveries (ce-type ${m.attributes["ce-type"]})`,
        });
        m.ack();
      });
      // The sink is read once and deleted at the end of the run: a received message stays invisible
      // until then, so the reader needs no DeleteMessageBatch per receive.
      ({ QueueUrl: sinkUrl = "" } = await sqs.send(
        new CreateQueueCommand({
          QueueName: `bridge-sink-${runId}`,
          Attributes: { VisibilityTimeout: String(SINK_VISIBILITY_TIMEOUT_SECONDS) },
        }),
      ));
      const { Attributes: sinkAttributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: sinkUrl, AttributeNames: ["QueueArn"] }),
      );
      ({ SubscriptionArn: sinkSubscriptionArn } = await sns.send(
        new SubscribeCommand({
          TopicArn: output(O.TargetTopicArn),
          Protocol: "sqs",
          Endpoint: sinkAttributes?.QueueArn,
          Attributes: { RawMessageDelivery: "true" },
          ReturnSubscriptionArn: true,
        }),
      ));

      // AWS → Google.
      const out = Array.from({ length: nOut }, (_, i) => event(i, "out"));
      toGoogle.expect(out.map((e) => e.id));
      const invalidOut =
        faults && runOut
          ? [`not json ${runId}`, JSON.stringify({ ...event(0, "bad"), type: "payment.secret" })]
          : [];
      const bodies = [...out.map((e) => JSON.stringify(e)), ...invalidOut];
      for (let i = 0; i < bodies.length; i += 10) {
        const chunk = bodies.slice(i, i + 10);
        const now = Date.now();
        for (const body of chunk)
          if (body.startsWith("{")) sentAt.set((JSON.parse(body) as { id: string }).id, now);
        await sns.send(
          new PublishBatchCommand({
            TopicArn: output(O.SourceTopicArn),
            PublishBatchRequestEntries: chunk.map((Message, j) => ({ Id: `e${i + j}`, Message })),
          }),
        );
      }
      options.onProgress?.(
        `published ${out.length} events (+${invalidOut.length} invalid) to the source topic`,
        0.1,
      );

      // Google → AWS.
      const toAws = pubsub.topic("to-aws");
      const inbound = Array.from({ length: nIn }, (_, i) => event(i, "in"));
      const fromGoogle = new Arrivals();
      fromGoogle.expect(inbound.map((e) => e.id));
      const duplicates = faults && runIn ? inbound.slice(0, Math.max(1, Math.floor(nIn / 10))) : [];
      const invalidIn = faults && runIn ? [{ ...event(0, "in-bad"), type: "unknown.type" }] : [];
      const publishIn = (e: ReturnType<typeof event>) => {
        sentAt.set(e.id, sentAt.get(e.id) ?? Date.now());
        return toAws.publishMessage({
          data: Buffer.from(JSON.stringify(e.data)),
          attributes: {
            "ce-id": e.id,
            "ce-source": e.source,
            "ce-type": e.type,
            "ce-specversion": "1.0",
            "ce-time": e.time,
            "content-type": "application/json",
          },
        });
      };
      await Promise.all([...inbound, ...duplicates, ...invalidIn].map(publishIn));
      options.onProgress?.(
        `published ${inbound.length} events (+${duplicates.length} duplicates, +${invalidIn.length} invalid) to Pub/Sub`,
        0.2,
      );

      // Forged and expired tokens, straight to the function URL.
      let badTokensSent = 0;
      let rejectedTokens = 0;
      if (faults && runIn) {
        const issuer = emulator.oidcIssuer as LocalOidcIssuer;
        const tokens = [
          ...Array.from({ length: 5 }, () =>
            new LocalOidcIssuer().sign({ email: PUSH_EMAIL, audience: PUSH_AUDIENCE }),
          ),
          ...Array.from({ length: 5 }, () =>
            issuer.sign({
              email: PUSH_EMAIL,
              audience: PUSH_AUDIENCE,
              issuedAt: Math.floor(Date.now() / 1000) - 7200,
              expiresInSeconds: 600,
            }),
          ),
        ];
        for (const token of tokens) {
          badTokensSent++;
          const forgedEvent = event(badTokensSent, "forged");
          const response = await fetch(output(O.PushEndpointUrl), {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify({
              message: {
                data: Buffer.from("{}").toString("base64"),
                attributes: { "ce-id": forgedEvent.id },
              },
              subscription: "forged",
            }),
          });
          if (response.status === 401 || response.status === 403) rejectedTokens++;
        }
      }

      // Settle: read the AWS sink and the forward DLQ until everything arrived or the time is up.
      const deadOnAws: { reason: string }[] = [];
      const deadline = Date.now() + target.settleTimeoutMs;
      const done = () =>
        toGoogle.complete &&
        fromGoogle.complete &&
        deadOnAws.length >= invalidOut.length &&
        deadOnGoogle.length >= invalidIn.length;
      const dlqUrl = output(O.ForwardDlqUrl);
      /**
       * Reads one queue until the readers stop or the time is up; `remove`: delete what it read;
       * `batchWaitMs`: the pause after a receive that was not full ({@link SINK_BATCH_WAIT_MS}).
       */
      const drain = async (
        url: string,
        onMessage: (m: SqsMessage) => void,
        remove: boolean,
        batchWaitMs = 0,
      ): Promise<void> => {
        while (!stopReading.signal.aborted && Date.now() < deadline) {
          const { Messages = [] } = await sqs
            .send(
              new ReceiveMessageCommand({
                QueueUrl: url,
                MaxNumberOfMessages: 10,
                // A long poll returns as soon as a message arrives, so no reader sleeps between empty receives.
                WaitTimeSeconds: 1,
                MessageAttributeNames: ["All"],
              }),
              { abortSignal: stopReading.signal },
            )
            .catch((error: unknown) => {
              if (stopReading.signal.aborted) return { Messages: [] };
              throw error;
            });
          for (const m of Messages) onMessage(m);
          if (remove) await deleteMessages(sqs, url, Messages);
          if (batchWaitMs > 0 && Messages.length < 10) {
            await sleep(batchWaitMs, undefined, { signal: stopReading.signal }).catch(() => undefined);
          }
        }
      };
      const onSink = (m: SqsMessage) => fromGoogle.add((JSON.parse(m.Body ?? "{}") as { id: string }).id);
      const onDlq = (m: SqsMessage) => {
        deadOnAws.push({
          reason: `${m.MessageAttributes?.["error.type"]?.StringValue}: ${m.MessageAttributes?.["error.reason"]?.StringValue}`,
        });
      };
      // One sink reader: a receive takes up to 10 messages, so one reader keeps up with thousands per
      // second, and a second one only splits the arrivals into more, smaller receives (each an SQS
      // call on the main thread the bridge also runs on).
      await Promise.all([
        drain(sinkUrl, onSink, false, SINK_BATCH_WAIT_MS),
        drain(dlqUrl, onDlq, true),
        (async () => {
          let reported = Date.now();
          await waitUntil(
            () => {
              if (Date.now() - reported >= 1000) {
                reported = Date.now();
                const arrived = toGoogle.arrived + fromGoogle.arrived;
                options.onProgress?.(
                  `${arrived}/${nOut + nIn} events arrived on the other side`,
                  0.2 + (0.8 * arrived) / Math.max(1, nOut + nIn),
                );
              }
              return done();
            },
            { timeoutMs: deadline - Date.now(), intervalMs: 50 },
          );
          // A late duplicate would arrive after everything settled: watch a fixed window for it.
          await waitUntil(() => false, { timeoutMs: STRAGGLER_WINDOW_MS });
          stopReading.abort();
        })(),
      ]);
      await sink.close();
      await deadSink.close();

      const retriedPushes = retriedSoFar() - retriedBefore;
      const samples = (ids: readonly { id: string }[], arrivals: Map<string, number[]>) =>
        ids.flatMap((e) => {
          const first = arrivals.get(e.id)?.[0];
          const at = sentAt.get(e.id);
          return first !== undefined && at !== undefined ? [first - at] : [];
        });
      const toGoogleSamples = samples(out, toGoogle.times);
      const fromGoogleSamples = samples(inbound, fromGoogle.times);
      const rate = (ids: readonly { id: string }[], arrivals: Map<string, number[]>) => {
        const firstSent = Math.min(...ids.map((e) => sentAt.get(e.id) ?? Number.POSITIVE_INFINITY));
        const arrived = ids.flatMap((e) => arrivals.get(e.id)?.slice(0, 1) ?? []);
        const last = Math.max(...arrived);
        return arrived.length === 0 ? 0 : Math.round(arrived.length / (Math.max(1, last - firstSent) / 1000));
      };
      const dupes = (ids: readonly { id: string }[], arrivals: Map<string, number[]>) =>
        ids.reduce((a, e) => a + Math.max(0, (arrivals.get(e.id)?.length ?? 0) - 1), 0);
      const details: BridgeDetails = {
        directions,
        faults,
        faultInjection,
        toGoogle: {
          sent: out.length,
          forwarded: out.filter((e) => toGoogle.times.has(e.id)).length,
          duplicates: dupes(out, toGoogle.times),
          invalidSent: invalidOut.length,
          deadLettered: deadOnAws,
          lost: out.filter((e) => !toGoogle.times.has(e.id)).length,
          latencyMs: summarizeLatency(toGoogleSamples),
          eventsPerSecond: rate(out, toGoogle.times),
        },
        fromGoogle: {
          sent: inbound.length,
          forwarded: inbound.filter((e) => fromGoogle.times.has(e.id)).length,
          duplicates: dupes(inbound, fromGoogle.times),
          invalidSent: invalidIn.length,
          deadLettered: deadOnGoogle,
          lost: inbound.filter((e) => !fromGoogle.times.has(e.id)).length,
          latencyMs: summarizeLatency(fromGoogleSamples),
          eventsPerSecond: rate(inbound, fromGoogle.times),
          duplicatePushes: duplicates.length,
          badTokensSent,
          rejectedTokens,
          retriedPushes,
        },
      };
      return judgeBridge(details, [...toGoogleSamples, ...fromGoogleSamples]);
    } finally {
      stopReading.abort();
      // Best effort, in order, and never thrown over the run's own result or error.
      const subscriptionArn = sinkSubscriptionArn;
      await Promise.allSettled([
        (async () => {
          if (subscriptionArn) await sns.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn }));
          if (sinkUrl) await sqs.send(new DeleteQueueCommand({ QueueUrl: sinkUrl }));
        })(),
        pubsub.close(),
      ]);
    }
  });
}
