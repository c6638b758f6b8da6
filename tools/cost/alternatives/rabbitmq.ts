import { CAPACITY } from "../capacity.ts";
import { HOURS_PER_MONTH } from "../constants.ts";
import { groupConsumers } from "../consumers.ts";
import { charge } from "../line-items.ts";
import type { PriceCatalogue } from "../prices/catalogue.ts";
import { ingressGbPerMonth, retainedStorageGb, roundUpTo } from "../sizing.ts";
import type { Workload } from "../workload.ts";
import {
  consumerAssumption,
  crossAz,
  ec2Candidates,
  ec2Hours,
  opsLabour,
  selfHostedAssumptions,
} from "./common.ts";
import type { Alternative } from "./types.ts";

/** Queue messages per second the broker must carry: each published message lands in `fanOut` queues. */
function queueMessagesPerSecond(w: Workload): number {
  return w.messagesPerSecond * w.fanOut;
}

/** Backlog storage: every queue copy, quorum-replicated, for the retention window, at the fill target. */
function backlogGb(w: Workload): number {
  return retainedStorageGb(w) * w.fanOut;
}

/** Amazon MQ for RabbitMQ clusters (3 × mq.m5.large each) needed for the queue throughput. */
export function amazonMqClusters(w: Workload): number {
  const perCluster = 3 * 2 * CAPACITY.rabbitQueueMessagesPerVcpu.value;
  return Math.max(1, Math.ceil(queueMessagesPerSecond(w) / perCluster));
}

/**
 * Amazon MQ for RabbitMQ: cluster deployments of 3 mq.m5.large nodes (a cluster cannot grow, so
 * more throughput means more clusters), backlog storage for the retention window.
 */
export const amazonMqRabbit: Alternative = {
  id: "amazon-mq-rabbitmq",
  name: "Amazon MQ for RabbitMQ",
  category: "messaging",
  hosting: "managed",
  lines: (w, prices) => {
    const clusters = amazonMqClusters(w);
    return [
      charge(
        prices,
        "mq.broker.mq.m5.large",
        `Amazon MQ: ${clusters} cluster(s) × 3 mq.m5.large`,
        clusters * 3 * HOURS_PER_MONTH,
        `${Math.round(queueMessagesPerSecond(w)).toLocaleString("en-US")} queue msg/s ÷ ${Math.round(6 * CAPACITY.rabbitQueueMessagesPerVcpu.value)} per 3-node cluster`,
      ),
      charge(
        prices,
        "mq.storage",
        "Amazon MQ storage (queue backlog)",
        backlogGb(w),
        `${w.fanOut} queues × RF ${w.replicationFactor} × ${w.retentionHours} h backlog ÷ ${w.diskFillTarget} fill`,
      ),
      ...groupConsumers(w, prices, { groups: w.fanOut, label: "queue consumer" }),
    ];
  },
  assumptions: (w) => [
    `quorum queues: ${Math.round(CAPACITY.rabbitQueueMessagesPerVcpu.value)} queue msg/s per vCPU (RabbitMQ 3.10 benchmark)`,
    `a fanout exchange to ${w.fanOut} queues; storage holds a ${w.retentionHours} h backlog of every queue`,
    "consumers priced as Lambda (Amazon MQ is a Lambda event source)",
    consumerAssumption(w),
  ],
};

/** The cheapest self-hosted RabbitMQ node type and count (multiples of 3) for a workload. */
export function rabbitNodes(w: Workload, prices: PriceCatalogue) {
  let best: { node: ReturnType<typeof ec2Candidates>[number]; count: number } | undefined;
  for (const node of ec2Candidates(prices)) {
    const needed =
      queueMessagesPerSecond(w) / (node.sustainedVcpu * CAPACITY.rabbitQueueMessagesPerVcpu.value);
    const count = roundUpTo(needed, 3);
    if (!best || count * node.hourlyUsd < best.count * best.node.hourlyUsd) best = { node, count };
  }
  if (!best) throw new Error("no EC2 node types in the catalogue");
  return best;
}

/** Self-hosted RabbitMQ (quorum queues) on EC2 over 3 AZs: nodes in multiples of 3, gp3 backlog, cross-AZ traffic. */
export const rabbitEc2: Alternative = {
  id: "rabbitmq-ec2",
  name: "RabbitMQ on EC2 (self-hosted)",
  category: "messaging",
  hosting: "self-hosted",
  lines: (w, prices) => {
    const { node, count } = rabbitNodes(w, prices);
    const inGb = ingressGbPerMonth(w);
    return [
      ec2Hours(w, prices, node, count, "RabbitMQ nodes"),
      charge(
        prices,
        "ebs.gp3",
        "EBS gp3 (queue backlog)",
        Math.max(count, backlogGb(w)),
        `${w.fanOut} queues × RF ${w.replicationFactor} × ${w.retentionHours} h ÷ ${w.diskFillTarget} fill`,
      ),
      crossAz(
        prices,
        "quorum replication across AZs",
        inGb * w.fanOut * (w.replicationFactor - 1),
        `${w.fanOut} queue copies × ${w.replicationFactor - 1} followers`,
      ),
      crossAz(
        prices,
        "client traffic across AZs",
        inGb * (1 + w.fanOut) * w.crossAzClientFraction,
        "publish + deliveries",
      ),
      opsLabour(w),
      ...groupConsumers(w, prices, { groups: w.fanOut, label: "queue consumer" }),
    ];
  },
  assumptions: (w, prices) => {
    const { node, count } = rabbitNodes(w, prices);
    return [
      `${count} × ${node.name}: ${Math.round(CAPACITY.rabbitQueueMessagesPerVcpu.value)} quorum-queue msg/s per vCPU`,
      ...selfHostedAssumptions(w),
    ];
  },
};
