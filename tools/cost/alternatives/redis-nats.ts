import { CAPACITY } from "../capacity.ts";
import { GIB } from "../constants.ts";
import { groupConsumers } from "../consumers.ts";
import { charge } from "../line-items.ts";
import type { PriceCatalogue } from "../prices/catalogue.ts";
import type { NodeType } from "../sizing.ts";
import { ingressBytesPerSecond, ingressGbPerMonth, retainedStorageGb } from "../sizing.ts";
import { consumerGroupsOf, type Workload } from "../workload.ts";
import { crossAz, ec2Candidates, ec2Hours, opsLabour, selfHostedAssumptions } from "./common.ts";
import type { Alternative } from "./types.ts";

/** Redis keeps a stream in memory: bytes × 1.5 for entry overhead, 75 % of RAM usable. */
const REDIS_MEMORY_OVERHEAD = 1.5;
const REDIS_USABLE_RAM = 0.75;

function redisShards(w: Workload, node: NodeType): { shards: number; memoryGiB: number } {
  const groups = consumerGroupsOf(w);
  const opsPerSecond = w.messagesPerSecond * (1 + 2 * groups); // XADD + XREADGROUP + XACK per group
  const memoryGiB = (ingressBytesPerSecond(w) * w.retentionHours * 3_600 * REDIS_MEMORY_OVERHEAD) / GIB;
  const shards = Math.max(
    1,
    Math.ceil(opsPerSecond / CAPACITY.redisStreamOpsPerPrimary.value),
    Math.ceil(memoryGiB / (node.memoryGiB * REDIS_USABLE_RAM)),
  );
  return { shards, memoryGiB };
}

function redisNode(prices: PriceCatalogue): NodeType {
  const m7g = ec2Candidates(prices).find((n) => n.name === "m7g.large");
  if (!m7g) throw new Error("m7g.large missing from the EC2 candidates");
  return m7g;
}

/** Self-hosted Redis Streams on EC2: shards of 1 primary + 2 replicas over 3 AZs, stream kept in RAM. */
export const redisStreamsEc2: Alternative = {
  id: "redis-streams-ec2",
  name: "Redis Streams on EC2 (self-hosted)",
  category: "messaging",
  hosting: "self-hosted",
  lines: (w, prices) => {
    const node = redisNode(prices);
    const { shards } = redisShards(w, node);
    const groups = consumerGroupsOf(w);
    const inGb = ingressGbPerMonth(w);
    return [
      ec2Hours(w, prices, node, shards * 3, `Redis: ${shards} shard(s) × (1 primary + 2 replicas)`),
      crossAz(prices, "replication across AZs", inGb * 2, "2 replicas in other AZs"),
      crossAz(
        prices,
        "client traffic across AZs",
        inGb * (1 + groups) * w.crossAzClientFraction,
        "produce + consume",
      ),
      opsLabour(w),
      ...groupConsumers(w, prices, { groups }),
    ];
  },
  assumptions: (w, prices) => {
    const node = redisNode(prices);
    const { shards, memoryGiB } = redisShards(w, node);
    return [
      `${shards} shard(s) of ${node.name}: ${memoryGiB.toFixed(1)} GiB of stream in RAM (× ${REDIS_MEMORY_OVERHEAD} overhead, ${REDIS_USABLE_RAM * 100} % of RAM usable)`,
      `UNVERIFIED throughput: ${CAPACITY.redisStreamOpsPerPrimary.value.toLocaleString("en-US")} stream ops/s per primary (no trustworthy figure)`,
      "replication is asynchronous: an acknowledged write can be lost on failover",
      ...selfHostedAssumptions(w),
    ];
  },
  warnings: () => ["throughput per Redis primary is an UNVERIFIED assumption"],
};

function natsClusters(w: Workload): number {
  return Math.max(1, Math.ceil(w.messagesPerSecond / CAPACITY.natsR3MessagesPerCluster.value));
}

/** Self-hosted NATS JetStream (R3, file storage) on EC2: 3-node clusters, gp3 for RF × retention ÷ fill. */
export const natsJetStreamEc2: Alternative = {
  id: "nats-jetstream-ec2",
  name: "NATS JetStream on EC2 (self-hosted)",
  category: "messaging",
  hosting: "self-hosted",
  lines: (w, prices) => {
    const node = redisNode(prices);
    const clusters = natsClusters(w);
    const groups = consumerGroupsOf(w);
    const inGb = ingressGbPerMonth(w);
    return [
      ec2Hours(w, prices, node, clusters * 3, `NATS: ${clusters} cluster(s) × 3 nodes`),
      charge(
        prices,
        "ebs.gp3",
        "EBS gp3 for JetStream",
        Math.max(3 * clusters, retainedStorageGb(w)),
        `R${w.replicationFactor} × ${w.retentionHours} h × ingest ÷ ${w.diskFillTarget} fill`,
      ),
      crossAz(
        prices,
        "replication across AZs",
        inGb * (w.replicationFactor - 1),
        `${w.replicationFactor - 1} replicas in other AZs`,
      ),
      crossAz(
        prices,
        "client traffic across AZs",
        inGb * (1 + groups) * w.crossAzClientFraction,
        "produce + consume",
      ),
      opsLabour(w),
      ...groupConsumers(w, prices, { groups }),
    ];
  },
  assumptions: (w) => [
    `${natsClusters(w)} cluster(s) of 3 × m7g.large; UNVERIFIED throughput ${CAPACITY.natsR3MessagesPerCluster.value.toLocaleString("en-US")} msg/s per R3 cluster`,
    ...selfHostedAssumptions(w),
  ],
  warnings: () => ["throughput per NATS R3 cluster is an UNVERIFIED assumption"],
};
