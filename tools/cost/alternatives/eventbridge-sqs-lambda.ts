import { chunks64, SECONDS_PER_MONTH } from "../constants.ts";
import { EVENTBRIDGE_ENVELOPE_BYTES, sqsLambdaSubscriber } from "../consumers.ts";
import { charge } from "../line-items.ts";
import { subscribersOf } from "../workload.ts";
import { consumerAssumption } from "./common.ts";
import type { Alternative } from "./types.ts";

/**
 * EventBridge custom bus as the router: every PutEvents entry is billed per 64 KiB chunk (batching
 * does not reduce the count); rules and delivery to SQS targets are free; then SQS + Lambda per
 * subscriber, as in the SNS pattern (EventBridge wraps the detail in its ≈ 300 B envelope).
 */
export const eventBridgeSqsLambda: Alternative = {
  id: "eventbridge-sqs-lambda",
  name: "EventBridge + SQS + Lambda",
  category: "messaging",
  hosting: "serverless",
  lines: (w, prices) => {
    const events = w.messagesPerSecond * SECONDS_PER_MONTH;
    return [
      charge(
        prices,
        "events.customEvent",
        "EventBridge custom events",
        events * chunks64(w.payloadBytes),
        `${Math.round(events).toLocaleString("en-US")} events × ${chunks64(w.payloadBytes)} chunk(s) of 64 KiB`,
      ),
      ...subscribersOf(w).flatMap((sub) =>
        sqsLambdaSubscriber(w, prices, sub, {
          fifo: false,
          envelopeBytes: EVENTBRIDGE_ENVELOPE_BYTES,
          sender: "EventBridge",
        }),
      ),
    ];
  },
  assumptions: (w) => [
    `${subscribersOf(w).length} rules, each targeting an SQS queue (rule matching and SQS delivery are free)`,
    consumerAssumption(w),
  ],
  warnings: (w) => (w.payloadBytes > 262_144 ? ["EventBridge accepts at most 256 KiB per event"] : []),
};
