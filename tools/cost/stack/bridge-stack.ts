import type { Alternative } from "../alternatives/types.ts";
import { chunks64, GIB, SECONDS_PER_MONTH, TIB } from "../constants.ts";
import { lambdaConsumer } from "../consumers.ts";
import { charge, type LineItem } from "../line-items.ts";
import type { PriceCatalogue } from "../prices/catalogue.ts";
import { InputError } from "../units.ts";
import { consumerGroupsOf, type Workload } from "../workload.ts";
import { stackAlternative, tableWrites } from "./stack-alternative.ts";
import type { FunctionModel, StackModel } from "./template.ts";

/** Pub/Sub bills at least 1,000 bytes per publish, pull or push request. */
export const PUBSUB_MIN_BYTES_PER_REQUEST = 1_000;
/** Bytes of the CloudEvents `ce-*` attributes (binary content mode) on each message (an assumption). */
export const CE_ATTRIBUTE_BYTES = 250;
/** Bytes each publish request adds on the wire: HTTP/2 headers, gRPC framing, TLS records (an assumption). */
export const PUBLISH_OVERHEAD_BYTES = 200;
/**
 * Bytes a push request adds around the message: the JSON envelope (subscription, messageId,
 * publishTime, attributes as JSON), HTTP headers and the Google-signed OIDC bearer token (≈ 1 KB).
 */
export const PUSH_OVERHEAD_BYTES = 1_500;

function pubsubBilledBytes(messageBytes: number, perRequest: number): number {
  return Math.max(PUBSUB_MIN_BYTES_PER_REQUEST, messageBytes * perRequest) / perRequest;
}

/** The bridge's two functions, found by the environment its construct gives them. */
function bridgeFunctions(model: StackModel): { forwarder?: FunctionModel; receiver?: FunctionModel } {
  const forwarder = model.functions.find((f) => f.env.PUBSUB_TOPIC !== undefined);
  const receiver = model.functions.find((f) => f.env.PUSH_AUDIENCE !== undefined);
  return { ...(forwarder ? { forwarder } : {}), ...(receiver ? { receiver } : {}) };
}

/** True when the stack holds a Pub/Sub forwarder or push receiver. */
export function isPubsubBridge(model: StackModel): boolean {
  const { forwarder, receiver } = bridgeFunctions(model);
  return forwarder !== undefined || receiver !== undefined;
}

/**
 * Prices the SNS ↔ Pub/Sub bridge at `--rate` AWS → Google and `--inbound-ratio` × that Google → AWS:
 * AWS → Google is the stack's SNS → SQS → forwarder (priced as any fan-out subscriber), Pub/Sub
 * publish and delivery throughput, and the bytes that leave AWS for the internet; Google → AWS is
 * the Google producers' publish, the push delivery and its bytes leaving Google Cloud, the push
 * receiver (function URL: no charge beyond Lambda), its idempotency writes and its SNS publish.
 */
export function bridgeStackAlternative(model: StackModel): Alternative {
  const { forwarder, receiver } = bridgeFunctions(model);
  const hasOutbound = forwarder !== undefined && model.subscriptions.some((s) => s.protocol === "sqs");
  if (!hasOutbound && !receiver) {
    throw new InputError(`--stack: ${model.stackName} has no Pub/Sub forwarder or push receiver to price`);
  }
  const outbound = hasOutbound ? stackAlternative(model) : undefined;
  const tableIds = new Set(model.tables.map((t) => t.id));
  const lines = (w: Workload, prices: PriceCatalogue): LineItem[] => {
    const out: LineItem[] = [];
    const messageBytes = w.payloadBytes + CE_ATTRIBUTE_BYTES;
    const subscriptions = consumerGroupsOf(w);
    if (outbound) {
      const n = w.messagesPerSecond * SECONDS_PER_MONTH;
      const requests = n / w.publishBatchSize;
      out.push(
        ...outbound.lines(w, prices),
        charge(
          prices,
          "gcp.pubsub.throughput",
          "AWS → Google: Pub/Sub publish throughput",
          (n * pubsubBilledBytes(messageBytes, w.publishBatchSize)) / TIB,
          `${messageBytes} B per message (payload + ${CE_ATTRIBUTE_BYTES} B ce-* attributes), ${w.publishBatchSize} per publish, ≥ 1,000 B per request`,
        ),
        charge(
          prices,
          "gcp.pubsub.throughput",
          "AWS → Google: Pub/Sub delivery throughput",
          (n * subscriptions * pubsubBilledBytes(messageBytes, w.batchSize)) / TIB,
          `${subscriptions} Google subscription(s) (--fan-out), ${w.batchSize} messages per pull`,
        ),
        charge(
          prices,
          "transfer.internetEgress",
          "AWS → Google: data transfer out of AWS (internet)",
          (n * messageBytes + requests * PUBLISH_OVERHEAD_BYTES) / GIB,
          `${messageBytes} B per message + ${PUBLISH_OVERHEAD_BYTES} B per publish request (first 10 TB tier)`,
        ),
      );
    }
    if (receiver) {
      const m = w.messagesPerSecond * w.bridgeInboundRatio * SECONDS_PER_MONTH;
      const pushes = m * (1 + w.retryFraction);
      const pushBytes = Math.ceil((w.payloadBytes * 4) / 3) + CE_ATTRIBUTE_BYTES + PUSH_OVERHEAD_BYTES;
      out.push(
        charge(
          prices,
          "gcp.pubsub.throughput",
          "Google → AWS: Pub/Sub publish throughput (Google producers)",
          (m * pubsubBilledBytes(messageBytes, w.publishBatchSize)) / TIB,
          `${messageBytes} B per message, ${w.publishBatchSize} per publish, ≥ 1,000 B per request`,
        ),
        charge(
          prices,
          "gcp.pubsub.throughput",
          "Google → AWS: Pub/Sub push delivery throughput",
          (pushes * pubsubBilledBytes(messageBytes, 1)) / TIB,
          `one message per push request (≥ 1,000 B)${w.retryFraction > 0 ? `, ${w.retryFraction * 100} % redelivered` : ""}`,
        ),
        charge(
          prices,
          "gcp.internetEgress",
          "Google → AWS: data transfer out of Google Cloud (internet)",
          (pushes * pushBytes) / GIB,
          `${pushBytes} B per push (base64 data, attributes, envelope, headers and OIDC token); data into AWS is free`,
        ),
        ...lambdaConsumer(w, prices, {
          label: "push receiver",
          messagesPerSecond: m / SECONDS_PER_MONTH,
          batchSize: 1,
          batchWindowSeconds: 1,
          lambdaMemoryMb: Math.max(128, receiver.memoryMb),
          lambdaArch: receiver.arch,
          idempotencyWritesPerMessage: tableWrites(receiver, tableIds).writes,
        }),
        charge(
          prices,
          "sns.standard.publish",
          "Google → AWS: SNS publish (target topic)",
          m * (1 + w.retryFraction) * chunks64(messageBytes),
          `one Publish per accepted push, ${chunks64(messageBytes)} chunk(s) of 64 KiB`,
        ),
      );
    }
    return out;
  };
  return {
    id: `stack:${model.stackName}`,
    name: `${model.stackName} (as synthesized, SNS ↔ Pub/Sub)`,
    category: "messaging",
    hosting: "serverless",
    lines,
    assumptions: (w, prices) => [
      `AWS → Google ${w.messagesPerSecond}/s (--rate)${forwarder ? "" : " (no forwarder in the stack)"}; Google → AWS ${w.bridgeInboundRatio} × that (--inbound-ratio)${receiver ? "" : " (no push receiver in the stack)"}`,
      ...(outbound ? outbound.assumptions(w, prices).slice(0, 2) : []),
      `ASSUMED: ${CE_ATTRIBUTE_BYTES} B of ce-* attributes per message; ${PUBLISH_OVERHEAD_BYTES} B wire overhead per publish request and ${PUSH_OVERHEAD_BYTES} B per push request; Google subscriptions = --fan-out (${consumerGroupsOf(w)})`,
      "egress: AWS $/GB first 10 TB tier and Google Premium Tier to North America (its use for push traffic is not confirmed); the Google consumers, the Google producers' compute and token exchanges (free) are not priced",
      "the Workload Identity credential configuration is a standard SSM parameter (no charge); Lambda function URLs add no charge beyond Lambda",
    ],
    warnings: (w, prices) => outbound?.warnings?.(w, prices) ?? [],
  };
}
