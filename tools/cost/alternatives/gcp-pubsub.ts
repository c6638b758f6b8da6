import { SECONDS_PER_MONTH, TIB } from "../constants.ts";
import { groupConsumers } from "../consumers.ts";
import { charge } from "../line-items.ts";
import { consumerGroupsOf, type Workload } from "../workload.ts";
import { consumerAssumption } from "./common.ts";
import type { Alternative } from "./types.ts";

/** Pub/Sub bills at least 1,000 bytes per publish or pull request. */
const MIN_BYTES_PER_REQUEST = 1_000;

function billedBytesPerMessage(payloadBytes: number, perRequest: number): number {
  return Math.max(MIN_BYTES_PER_REQUEST, payloadBytes * perRequest) / perRequest;
}

/** Google Cloud Pub/Sub: $40 per TiB published and per TiB delivered (per subscription), 1,000 B minimum per request. */
export const gcpPubSub: Alternative = {
  id: "gcp-pubsub",
  name: "Google Cloud Pub/Sub",
  category: "messaging",
  hosting: "other cloud",
  lines: (w: Workload, prices) => {
    const messages = w.messagesPerSecond * SECONDS_PER_MONTH;
    const groups = consumerGroupsOf(w);
    const published = (messages * billedBytesPerMessage(w.payloadBytes, w.publishBatchSize)) / TIB;
    const delivered = (messages * groups * billedBytesPerMessage(w.payloadBytes, w.batchSize)) / TIB;
    return [
      charge(
        prices,
        "gcp.pubsub.throughput",
        "Pub/Sub publish throughput",
        published,
        `≥ 1,000 B per request, ${w.publishBatchSize} message(s) per publish`,
      ),
      charge(
        prices,
        "gcp.pubsub.throughput",
        "Pub/Sub delivery throughput",
        delivered,
        `${groups} subscriptions, ${w.batchSize} messages per pull`,
      ),
      ...groupConsumers(w, prices, { groups, label: "subscription" }),
    ];
  },
  assumptions: (w) => [
    "no retained acknowledged messages (subscription backlog up to 7 days is not charged as storage)",
    "consumers assumed in Google Cloud (no internet egress); priced as the same Lambda consumer for comparability",
    consumerAssumption(w),
  ],
};
