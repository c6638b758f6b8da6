import { batchesPerWindow, billedChunksPerWindow } from "./batching.ts";
import { CAPACITY } from "./capacity.ts";
import { chunks64, SECONDS_PER_MONTH } from "./constants.ts";
import { charge, type LineItem } from "./line-items.ts";
import type { PriceCatalogue } from "./prices/catalogue.ts";
import type { ResolvedSubscriber, Workload } from "./workload.ts";

/** Bytes SNS adds around a message when raw delivery is off (JSON envelope, signature, URLs). */
export const SNS_ENVELOPE_BYTES = 1_024;
/** Bytes EventBridge adds around `detail` when it delivers to SQS. */
export const EVENTBRIDGE_ENVELOPE_BYTES = 300;
/** An SQS long poll waits up to 20 s. */
const LONG_POLL_SECONDS = 20;

/** Effective batching window: a window of 0 (the ESM default) is modelled as 1 s. */
export function effectiveWindowSeconds(windowSeconds: number): number {
  return windowSeconds > 0 ? windowSeconds : 1;
}

export interface LambdaConsumerInput {
  /** Label in line items, e.g. "billing". */
  readonly label: string;
  /** Messages reaching this consumer per second (after filtering). */
  readonly messagesPerSecond: number;
  readonly batchSize: number;
  readonly batchWindowSeconds: number;
  readonly lambdaMemoryMb: number;
  readonly lambdaArch: "arm64" | "x86_64";
  readonly idempotencyWritesPerMessage: number;
  /** Independent lanes that each fill their own batches (Kinesis shards). @default 1 */
  readonly lanes?: number;
}

/**
 * A Lambda consumer behind an event source mapping: invocations by whole batches (retries add
 * processing attempts), GB-seconds by architecture, and idempotency writes (1 WRU each, items ≤ 1 KiB).
 */
export function lambdaConsumer(w: Workload, prices: PriceCatalogue, c: LambdaConsumerInput): LineItem[] {
  const lanes = c.lanes ?? 1;
  const window = effectiveWindowSeconds(c.batchWindowSeconds);
  const attemptsPerSecond = c.messagesPerSecond * (1 + w.retryFraction);
  const perLaneWindow = (attemptsPerSecond * window) / lanes;
  const invocations = batchesPerWindow(perLaneWindow, c.batchSize) * lanes * (SECONDS_PER_MONTH / window);
  const attempts = attemptsPerSecond * SECONDS_PER_MONTH;
  const gbSeconds = attempts * (w.lambdaMsPerMessage / 1_000) * (c.lambdaMemoryMb / 1_024);
  const retries = w.retryFraction > 0 ? ` (incl. ${w.retryFraction * 100} % retried)` : "";
  const lines = [
    charge(
      prices,
      "lambda.request",
      `${c.label}: Lambda invocations`,
      invocations,
      `batches of ${c.batchSize} over a ${window} s window${lanes > 1 ? ` on ${Math.round(lanes)} lanes` : ""}${retries}`,
    ),
    charge(
      prices,
      c.lambdaArch === "arm64" ? "lambda.duration.arm64" : "lambda.duration.x86_64",
      `${c.label}: Lambda duration (${c.lambdaArch})`,
      gbSeconds,
      `${Math.round(attempts).toLocaleString("en-US")} messages × ${w.lambdaMsPerMessage} ms × ${c.lambdaMemoryMb} MB`,
    ),
  ];
  if (c.idempotencyWritesPerMessage > 0) {
    lines.push(
      charge(
        prices,
        "dynamodb.onDemand.write",
        `${c.label}: idempotency writes (DynamoDB)`,
        attempts * c.idempotencyWritesPerMessage,
        `${c.idempotencyWritesPerMessage} writes (≤ 1 KiB) per processed message`,
      ),
    );
  }
  return lines;
}

/**
 * One SQS queue consumed by Lambda: the sends that fill it (by SNS or EventBridge), the event
 * source mapping's receives (≤ 10 messages a call, 64 KiB chunks), its deletes (DeleteMessageBatch),
 * the empty receives of long polling (5 pollers × 20 s polls, Poisson arrivals), DLQ sends and the
 * Lambda consumer itself.
 */
export function sqsLambdaSubscriber(
  w: Workload,
  prices: PriceCatalogue,
  sub: ResolvedSubscriber,
  opts: { fifo: boolean; envelopeBytes: number; sender: string },
): LineItem[] {
  const key = opts.fifo ? "sqs.fifo.request" : "sqs.standard.request";
  const rate = w.messagesPerSecond * sub.matchFraction;
  const bodyBytes = w.payloadBytes + opts.envelopeBytes;
  const window = effectiveWindowSeconds(sub.batchWindowSeconds);
  const windows = SECONDS_PER_MONTH / window;
  const perWindow = rate * window;
  const attemptsPerWindow = perWindow * (1 + w.retryFraction);
  const deliveries = rate * SECONDS_PER_MONTH;
  const pollers = CAPACITY.sqsPollers.value;
  const emptyReceives =
    pollers * (SECONDS_PER_MONTH / LONG_POLL_SECONDS) * Math.exp((-LONG_POLL_SECONDS * rate) / pollers);
  const label = `${sub.name}`;
  const lines: LineItem[] = [
    charge(
      prices,
      key,
      `${label}: SQS sends (by ${opts.sender})`,
      deliveries * chunks64(bodyBytes),
      `${Math.round(deliveries).toLocaleString("en-US")} messages × ${chunks64(bodyBytes)} chunk(s) of 64 KiB (${bodyBytes} B each)`,
    ),
    charge(
      prices,
      key,
      `${label}: SQS receives`,
      billedChunksPerWindow(attemptsPerWindow, 10, bodyBytes) * windows,
      `ReceiveMessage of ≤ 10 messages, billed per 64 KiB of each response`,
    ),
    charge(
      prices,
      key,
      `${label}: SQS deletes`,
      batchesPerWindow(perWindow, 10) * windows,
      "DeleteMessageBatch of ≤ 10 messages",
    ),
    charge(
      prices,
      key,
      `${label}: SQS empty receives (long polling)`,
      emptyReceives,
      `${pollers} pollers × one 20 s poll each × P(no message) = e^(−20 s × rate ÷ ${pollers})`,
    ),
  ];
  if (w.dlqFraction > 0) {
    lines.push(
      charge(
        prices,
        key,
        `${label}: DLQ sends`,
        deliveries * w.dlqFraction * chunks64(bodyBytes),
        `${w.dlqFraction * 100} % of deliveries sent to the dead-letter queue`,
      ),
    );
  }
  lines.push(
    ...lambdaConsumer(w, prices, {
      label,
      messagesPerSecond: rate,
      batchSize: sub.batchSize,
      batchWindowSeconds: sub.batchWindowSeconds,
      lambdaMemoryMb: sub.lambdaMemoryMb,
      lambdaArch: sub.lambdaArch,
      idempotencyWritesPerMessage: sub.idempotencyWritesPerMessage,
    }),
  );
  return lines;
}

/**
 * The same Lambda consumer for every consumer group of a stream or broker, so that options compare
 * on the transport (consumers exist whatever carries the messages).
 */
export function groupConsumers(
  w: Workload,
  prices: PriceCatalogue,
  opts: { groups: number; lanes?: number; label?: string },
): LineItem[] {
  const lines: LineItem[] = [];
  for (let g = 1; g <= opts.groups; g++) {
    lines.push(
      ...lambdaConsumer(w, prices, {
        label: `${opts.label ?? "consumer group"} ${g}`,
        messagesPerSecond: w.messagesPerSecond,
        batchSize: w.batchSize,
        batchWindowSeconds: w.batchWindowSeconds,
        lambdaMemoryMb: w.lambdaMemoryMb,
        lambdaArch: w.lambdaArch,
        idempotencyWritesPerMessage: w.idempotencyWritesPerMessage,
        ...(opts.lanes === undefined ? {} : { lanes: opts.lanes }),
      }),
    );
  }
  return lines;
}
