import { CAPACITY } from "../capacity.ts";
import { HOURS_PER_MONTH } from "../constants.ts";
import { groupConsumers } from "../consumers.ts";
import { charge } from "../line-items.ts";
import type { PriceCatalogue } from "../prices/catalogue.ts";
import { ingressGbPerMonth, retainedStorageGb, sizeKafkaCluster } from "../sizing.ts";
import type { Workload } from "../workload.ts";
import {
  consumerAssumption,
  crossAz,
  ec2Candidates,
  ec2Hours,
  nodeType,
  opsLabour,
  selfHostedAssumptions,
} from "./common.ts";
import type { Alternative } from "./types.ts";

function mskCandidates(prices: PriceCatalogue) {
  return [
    nodeType(prices, "msk.broker.kafka.t3.small", {
      name: "kafka.t3.small",
      sustainedVcpu: 0.4,
      partitionReplicasPerBroker: CAPACITY.partitionsPerSmallBroker.value,
      memoryGiB: 2,
    }),
    nodeType(prices, "msk.broker.kafka.m5.large", {
      name: "kafka.m5.large",
      sustainedVcpu: 2,
      partitionReplicasPerBroker: CAPACITY.partitionsPerLargeBroker.value,
      memoryGiB: 8,
    }),
  ];
}

/** Client traffic crossing AZs: producers and every consumer group reading leaders in other AZs. */
function clientCrossAzGb(w: Workload): number {
  const groups = w.consumerGroups ?? w.fanOut;
  return ingressGbPerMonth(w) * (1 + groups) * w.crossAzClientFraction;
}

/**
 * Amazon MSK provisioned: brokers (3 minimum, multiples of 3 over 3 AZs) sized by throughput and
 * partitions; storage RF × retention ÷ fill; replication traffic is free; client cross-AZ is not.
 */
export const mskProvisioned: Alternative = {
  id: "msk-provisioned",
  name: "MSK provisioned + Lambda",
  category: "messaging",
  hosting: "managed",
  lines: (w, prices) => {
    const size = sizeKafkaCluster(w, mskCandidates(prices));
    const storage = Math.max(size.brokers, retainedStorageGb(w));
    return [
      charge(
        prices,
        size.node.priceKey,
        `MSK brokers: ${size.brokers} × ${size.node.name}`,
        size.brokers * HOURS_PER_MONTH,
        size.reason,
      ),
      charge(
        prices,
        "msk.storage",
        "MSK broker storage",
        storage,
        `RF ${w.replicationFactor} × ${w.retentionHours} h × ingest ÷ ${w.diskFillTarget} fill (≥ 1 GB per broker)`,
      ),
      crossAz(
        prices,
        "client traffic across AZs",
        clientCrossAzGb(w),
        `${(w.crossAzClientFraction * 100).toFixed(0)} % of produce + consume GB (replication is free on MSK)`,
      ),
      ...groupConsumers(w, prices, { groups: w.consumerGroups ?? w.fanOut }),
    ];
  },
  assumptions: (w, prices) => [
    sizeKafkaCluster(w, mskCandidates(prices)).reason,
    `${w.partitions} partitions, RF ${w.replicationFactor}, retention ${w.retentionHours} h, disks ${w.diskFillTarget * 100} % full`,
    "kafka.t3.small is burstable (20 % baseline) and not recommended for production",
    consumerAssumption(w),
  ],
};

/** Amazon MSK Serverless: cluster-hours, partition-hours, GB in and out, storage (one billed copy). */
export const mskServerless: Alternative = {
  id: "msk-serverless",
  name: "MSK Serverless + Lambda",
  category: "messaging",
  hosting: "managed",
  lines: (w, prices) => {
    const groups = w.consumerGroups ?? w.fanOut;
    const inGb = ingressGbPerMonth(w);
    return [
      charge(
        prices,
        "msk.serverless.clusterHour",
        "MSK Serverless cluster-hours",
        HOURS_PER_MONTH,
        "one cluster",
      ),
      charge(
        prices,
        "msk.serverless.partitionHour",
        "MSK Serverless partition-hours",
        w.partitions * HOURS_PER_MONTH,
        `${w.partitions} partitions`,
      ),
      charge(prices, "msk.serverless.ingress", "MSK Serverless data in", inGb, "payload bytes produced"),
      charge(
        prices,
        "msk.serverless.egress",
        "MSK Serverless data out",
        inGb * groups,
        `${groups} consumer groups`,
      ),
      charge(
        prices,
        "msk.serverless.storage",
        "MSK Serverless storage",
        retainedStorageGb({ ...w, diskFillTarget: 1 }, 1),
        `${w.retentionHours} h × ingest, one billed copy (average retained GB-month)`,
      ),
      crossAz(
        prices,
        "client traffic across AZs",
        clientCrossAzGb(w),
        `${(w.crossAzClientFraction * 100).toFixed(0)} % of produce + consume GB`,
      ),
      ...groupConsumers(w, prices, { groups }),
    ];
  },
  assumptions: (w) => [
    `${w.partitions} partitions; prices status S (secondary sources agree)`,
    consumerAssumption(w),
  ],
  warnings: (w) =>
    (w.messagesPerSecond * w.payloadBytes) / 1_048_576 > CAPACITY.mskServerlessInMiBps.value
      ? [`ingress exceeds the ${CAPACITY.mskServerlessInMiBps.value} MiB/s MSK Serverless cluster quota`]
      : [],
};

/**
 * Self-hosted Kafka (KRaft, combined controller+broker nodes) on EC2 over 3 AZs: instances sized like
 * MSK, gp3 EBS for RF × retention ÷ fill, replication (RF − 1 copies) and client traffic across AZs,
 * and ops labour as an explicit input.
 */
export const kafkaEc2: Alternative = {
  id: "kafka-ec2",
  name: "Kafka on EC2 (self-hosted)",
  category: "messaging",
  hosting: "self-hosted",
  lines: (w, prices) => {
    const size = sizeKafkaCluster(w, ec2Candidates(prices));
    const inGb = ingressGbPerMonth(w);
    return [
      ec2Hours(w, prices, size.node, size.brokers, "Kafka brokers"),
      charge(
        prices,
        "ebs.gp3",
        "EBS gp3 for Kafka logs",
        Math.max(size.brokers, retainedStorageGb(w)),
        `RF ${w.replicationFactor} × ${w.retentionHours} h × ingest ÷ ${w.diskFillTarget} fill`,
      ),
      crossAz(
        prices,
        "replication across AZs",
        inGb * (w.replicationFactor - 1),
        `${w.replicationFactor - 1} follower copies in other AZs`,
      ),
      crossAz(
        prices,
        "client traffic across AZs",
        clientCrossAzGb(w),
        `${(w.crossAzClientFraction * 100).toFixed(0)} % of produce + consume GB`,
      ),
      opsLabour(w),
      ...groupConsumers(w, prices, { groups: w.consumerGroups ?? w.fanOut }),
    ];
  },
  assumptions: (w, prices) => [
    sizeKafkaCluster(w, ec2Candidates(prices)).reason,
    "KRaft in combined mode (no separate controllers); root volumes, monitoring and backups not priced",
    ...selfHostedAssumptions(w),
  ],
};
