import { billedChunksPerWindow } from "../batching.ts";
import { CAPACITY } from "../capacity.ts";
import { chunks64, GIB, SECONDS_PER_MONTH } from "../constants.ts";
import { SNS_ENVELOPE_BYTES, sqsLambdaSubscriber } from "../consumers.ts";
import { charge, type LineItem } from "../line-items.ts";
import type { PriceCatalogue } from "../prices/catalogue.ts";
import { subscribersOf, type Workload } from "../workload.ts";
import { consumerAssumption } from "./common.ts";
import type { Alternative } from "./types.ts";

/** SNS PublishBatch takes at most 10 entries: a larger workload batch is sent as several calls. */
const SNS_MAX_PUBLISH_BATCH = 10;

function publishLines(w: Workload, prices: PriceCatalogue, fifo: boolean): LineItem[] {
  const messages = w.messagesPerSecond * SECONDS_PER_MONTH;
  const batch = Math.min(w.publishBatchSize, SNS_MAX_PUBLISH_BATCH);
  const calls = messages / batch;
  // PublishBatch: each call is billed per 64 KiB of its whole payload.
  const requests = billedChunksPerWindow(batch, batch, w.payloadBytes) * calls;
  const basis =
    batch > 1
      ? `${Math.round(calls).toLocaleString("en-US")} PublishBatch calls of ${batch} × ${w.payloadBytes} B, 64 KiB chunks`
      : `${Math.round(messages).toLocaleString("en-US")} Publish calls × ${chunks64(w.payloadBytes)} chunk(s) of 64 KiB`;
  if (!fifo) return [charge(prices, "sns.standard.publish", "SNS publish requests", requests, basis)];
  return [
    charge(prices, "sns.fifo.publish", "SNS FIFO publish requests", requests, basis),
    charge(
      prices,
      "sns.fifo.publishPayload",
      "SNS FIFO published payload",
      (messages * w.payloadBytes) / GIB,
      "bytes published",
    ),
  ];
}

function deliveryLines(w: Workload, prices: PriceCatalogue, fifo: boolean): LineItem[] {
  const lines: LineItem[] = [];
  for (const sub of subscribersOf(w)) {
    const deliveries = w.messagesPerSecond * sub.matchFraction * SECONDS_PER_MONTH;
    if (fifo) {
      lines.push(
        charge(
          prices,
          "sns.fifo.deliverySqs",
          `${sub.name}: SNS FIFO deliveries to SQS`,
          deliveries,
          "one per matching message",
        ),
        charge(
          prices,
          "sns.fifo.deliveryPayload",
          `${sub.name}: SNS FIFO delivered payload`,
          (deliveries * w.payloadBytes) / GIB,
          "bytes delivered",
        ),
      );
    } else {
      lines.push(
        charge(
          prices,
          "sns.delivery.sqs",
          `${sub.name}: SNS deliveries to SQS`,
          deliveries,
          "no SNS charge for SQS",
        ),
      );
    }
    if (sub.bodyFilter) {
      lines.push(
        charge(
          prices,
          "sns.payloadFiltering",
          `${sub.name}: SNS message-body filtering`,
          (w.messagesPerSecond * SECONDS_PER_MONTH * w.payloadBytes) / GIB,
          "every published payload is scanned for this subscription's body filter",
        ),
      );
    }
    lines.push(
      ...sqsLambdaSubscriber(w, prices, sub, {
        fifo,
        envelopeBytes: sub.rawDelivery ? 0 : SNS_ENVELOPE_BYTES,
        sender: fifo ? "SNS FIFO" : "SNS",
      }),
    );
  }
  return lines;
}

function publishWords(requested: number): string {
  if (requested === 1) return "one Publish per message";
  if (requested <= SNS_MAX_PUBLISH_BATCH) return `PublishBatch of ${requested}`;
  return `PublishBatch of ${SNS_MAX_PUBLISH_BATCH} (--publish-batch ${requested}; SNS takes at most ${SNS_MAX_PUBLISH_BATCH})`;
}

function assumptions(w: Workload): string[] {
  const subs = subscribersOf(w);
  return [
    `${subs.length} SQS subscribers; ${subs.map((s) => `${s.name} receives ${(s.matchFraction * 100).toFixed(0)} %${s.matchFraction < 1 || s.bodyFilter ? " (filter policy: assumed match fraction, set --match)" : ""}`).join(", ")}`,
    `publish: ${publishWords(w.publishBatchSize)}`,
    `SQS event source: 5 long-polling pollers, ${w.batchWindowSeconds || 1} s batching window`,
    consumerAssumption(w),
    `retries ${w.retryFraction * 100} %, DLQ ${w.dlqFraction * 100} % of deliveries`,
    "retention: SQS keeps messages up to 14 days at no storage charge",
  ];
}

/** SNS standard topic → SQS standard queues → Lambda consumers: the `sns-sqs-fanout` pattern. */
export const snsSqsLambda: Alternative = {
  id: "sns-sqs-lambda",
  name: "SNS + SQS + Lambda",
  category: "messaging",
  hosting: "serverless",
  lines: (w, prices) => [...publishLines(w, prices, false), ...deliveryLines(w, prices, false)],
  assumptions,
  warnings: (w) =>
    w.payloadBytes > 262_144
      ? ["SNS accepts at most 256 KiB per message: use the claim-check pattern (S3)"]
      : [],
};

/** SNS FIFO topic → SQS FIFO queues → Lambda: ordering and deduplication, lower throughput ceiling. */
export const snsSqsLambdaFifo: Alternative = {
  id: "sns-sqs-lambda-fifo",
  name: "SNS FIFO + SQS FIFO + Lambda",
  category: "messaging",
  hosting: "serverless",
  lines: (w, prices) => [...publishLines(w, prices, true), ...deliveryLines(w, prices, true)],
  assumptions: (w) => [...assumptions(w), "FIFO: per message group order; deduplication by id"],
  warnings: (w) => {
    const out: string[] = [];
    if (w.messagesPerSecond > CAPACITY.sqsFifoBatchedMessagesPerSecond.value) {
      out.push(
        `${w.messagesPerSecond} msg/s exceeds ${CAPACITY.sqsFifoBatchedMessagesPerSecond.value} msg/s per FIFO queue with batching: needs high-throughput mode and many message groups`,
      );
    }
    if (w.payloadBytes > 262_144) out.push("SNS accepts at most 256 KiB per message");
    return out;
  },
};
