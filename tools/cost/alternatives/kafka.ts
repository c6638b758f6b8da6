import { CAPACITY } from "../capacity.ts";
import { HOURS_PER_MONTH } from "../constants.ts";
import { groupConsumers } from "../consumers.ts";
import {
  type BrokerType,
  KAFKA_EC2_TYPES,
  MSK_EXPRESS_TYPES,
  MSK_STANDARD_TYPES,
  SPEC_SOURCES,
} from "../instances.ts";
import { charge, type LineItem } from "../line-items.ts";
import { type PriceCatalogue, priceOf } from "../prices/catalogue.ts";
import {
  BROKER_UTILISATION_TARGET,
  ingressGbPerMonth,
  type KafkaFleet,
  retainedStorageGb,
  sizeKafkaFleet,
} from "../sizing.ts";
import { consumerGroupsOf, type Workload } from "../workload.ts";
import { consumerAssumption, crossAz, opsLabour, selfHostedAssumptions } from "./common.ts";
import type { Alternative } from "./types.ts";

function hourly(prices: PriceCatalogue): (t: BrokerType) => number {
  return (t) => priceOf(prices, t.priceKey).usdPerUnit;
}

function priceUnverified(prices: PriceCatalogue): (t: BrokerType) => boolean {
  return (t) => priceOf(prices, t.priceKey).status === "U";
}

/**
 * Storage billed as one copy of the retained log (MSK Express and Serverless: replication is inside
 * the service).
 */
function singleCopyStoredGb(w: Workload): number {
  return retainedStorageGb({ ...w, diskFillTarget: 1 }, 1);
}

/**
 * Fleets are pure functions of (workload, catalogue); `lines` and `assumptions` of one estimate ask
 * for the same one, so it is remembered per workload object.
 */
function memo(size: (w: Workload, prices: PriceCatalogue) => KafkaFleet) {
  const cache = new WeakMap<Workload, WeakMap<PriceCatalogue, KafkaFleet>>();
  return (w: Workload, prices: PriceCatalogue): KafkaFleet => {
    const byPrices = cache.get(w) ?? new WeakMap<PriceCatalogue, KafkaFleet>();
    cache.set(w, byPrices);
    const fleet = byPrices.get(prices) ?? size(w, prices);
    byPrices.set(prices, fleet);
    return fleet;
  };
}

/** MSK provisioned fleet: cheapest of Standard (kafka.m5, kafka.m7g) and Express (express.m7g). */
export const mskFleet = memo(
  (w: Workload, prices: PriceCatalogue): KafkaFleet =>
    sizeKafkaFleet(w, [...MSK_STANDARD_TYPES, ...MSK_EXPRESS_TYPES], {
      hourlyUsd: hourly(prices),
      priceUnverified: priceUnverified(prices),
      storageUsd: (type, brokers) =>
        type.kind === "msk-express"
          ? singleCopyStoredGb(w) * priceOf(prices, "msk.express.storage").usdPerUnit +
            ingressGbPerMonth(w) * priceOf(prices, "msk.express.dataWritten").usdPerUnit
          : Math.max(brokers, retainedStorageGb(w)) * priceOf(prices, "msk.storage").usdPerUnit,
    }),
);

/** Self-hosted fleet: cheapest EC2 type (EBS gp3 or local NVMe) and count. */
export const ec2KafkaFleet = memo(
  (w: Workload, prices: PriceCatalogue): KafkaFleet =>
    sizeKafkaFleet(w, KAFKA_EC2_TYPES, {
      hourlyUsd: hourly(prices),
      priceUnverified: priceUnverified(prices),
      hourFactor: 1 - w.reservedDiscount,
      storageUsd: (type, brokers) =>
        type.localNvmeGB !== undefined
          ? 0
          : Math.max(brokers, retainedStorageGb(w)) * priceOf(prices, "ebs.gp3").usdPerUnit,
    }),
);

/**
 * Client traffic crossing AZs: producers reach a leader in another AZ, and so do consumers unless
 * they fetch from a follower in their own AZ (KIP-392).
 */
function clientCrossAzGb(w: Workload, followerFetching = w.followerFetching): number {
  const groups = consumerGroupsOf(w);
  return ingressGbPerMonth(w) * (1 + (followerFetching ? 0 : groups)) * w.crossAzClientFraction;
}

function clientBasis(w: Workload, followerFetching = w.followerFetching): string {
  const groups = consumerGroupsOf(w);
  const pct = `${(w.crossAzClientFraction * 100).toFixed(0)} %`;
  return followerFetching
    ? `${pct} of produce GB; ${groups} consumer groups fetch from followers in their own AZ (KIP-392)`
    : `${pct} of produce + ${groups} × consume GB`;
}

/** Assumption lines shared by the Kafka fleets: the fleet, the binding constraint, the sources. */
function fleetAssumptions(fleet: KafkaFleet, w: Workload): string[] {
  return [
    `fleet: ${fleet.reason}`,
    `sizing: brokers in multiples of 3 over 3 AZs; with an AZ lost the other 2/3 carry the traffic at ≤ ${BROKER_UTILISATION_TARGET * 100} % of baseline bandwidth; a replaced broker re-replicates its ${Math.round(fleet.storageGibPerBroker).toLocaleString("en-US")} GiB within ${w.brokerRecoveryHours} h (--broker-recovery); CPU not modelled (bandwidth and storage bind first)`,
    `instance figures: ${SPEC_SOURCES.network}; ${SPEC_SOURCES.vcpuMemoryNvme}; ${SPEC_SOURCES.partitions}`,
    ...(fleet.binding.status === "U"
      ? [
          `UNVERIFIED: the binding constraint (${fleet.binding.name}) rests on an unverified figure: ${SPEC_SOURCES.ebsBaseline}`,
        ]
      : []),
    `${w.partitions} partitions, RF ${w.replicationFactor}, retention ${w.retentionHours} h, disks sized to ${w.diskFillTarget * 100} % fill (--disk-fill)`,
  ];
}

/**
 * Amazon MSK provisioned: the cheapest fleet over MSK Standard brokers (kafka.m5, kafka.m7g, EBS
 * storage RF × retention ÷ fill) and Express brokers (express.m7g: per-broker throughput limits,
 * storage used and data written billed, no provisioning). Replication traffic is free on MSK;
 * client traffic across AZs is not.
 */
export const mskProvisioned: Alternative = {
  id: "msk-provisioned",
  name: "MSK provisioned + Lambda",
  category: "messaging",
  hosting: "managed",
  lines: (w, prices) => {
    const fleet = mskFleet(w, prices);
    const brokerLine = charge(
      prices,
      fleet.type.priceKey,
      `MSK brokers: ${fleet.brokers} × ${fleet.type.name}`,
      fleet.brokers * HOURS_PER_MONTH,
      `${fleet.brokers} brokers × ${HOURS_PER_MONTH} h; binding constraint: ${fleet.binding.name}`,
    );
    const storage: LineItem[] =
      fleet.type.kind === "msk-express"
        ? [
            charge(
              prices,
              "msk.express.storage",
              "MSK Express storage",
              singleCopyStoredGb(w),
              `${w.retentionHours} h × ingest, one billed copy (storage used; no provisioning)`,
            ),
            charge(
              prices,
              "msk.express.dataWritten",
              "MSK Express data written",
              ingressGbPerMonth(w),
              "payload GB produced",
            ),
          ]
        : [
            charge(
              prices,
              "msk.storage",
              "MSK broker storage",
              Math.max(fleet.brokers, retainedStorageGb(w)),
              `RF ${w.replicationFactor} × ${w.retentionHours} h × ingest ÷ ${w.diskFillTarget} fill (≥ 1 GB per broker)`,
            ),
          ];
    return [
      brokerLine,
      ...storage,
      crossAz(
        prices,
        "client traffic across AZs",
        clientCrossAzGb(w),
        `${clientBasis(w)} (replication is free on MSK)`,
      ),
      ...groupConsumers(w, prices, { groups: consumerGroupsOf(w) }),
    ];
  },
  assumptions: (w, prices) => {
    const fleet = mskFleet(w, prices);
    return [
      ...fleetAssumptions(fleet, w),
      "MSK brokers assumed to have the baseline bandwidth of the EC2 instance of the same name; Standard storage at most 16 TiB per broker",
      ...(fleet.type.kind === "msk-express" ? [`Express: ${SPEC_SOURCES.express}`] : []),
      consumerAssumption(w),
    ];
  },
};

/** What the MSK Serverless cluster lines are counted from, and how each says so. */
export interface MskServerlessBasis {
  readonly partitions: number;
  readonly partitionsBasis: string;
  /** Consumer groups reading every byte (GB out = GB in × groups). */
  readonly groups: number;
  readonly groupsBasis: string;
  readonly retentionBasis: string;
}

/**
 * MSK Serverless's own charges: cluster-hours, partition-hours, GB in and out, and storage of one
 * billed copy (Serverless bills retained bytes once, whatever the replication). Shared by the
 * workload alternative and the `--stack` pricer, which only count partitions and groups differently.
 */
export function mskServerlessClusterLines(
  w: Workload,
  prices: PriceCatalogue,
  basis: MskServerlessBasis,
): LineItem[] {
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
      basis.partitions * HOURS_PER_MONTH,
      basis.partitionsBasis,
    ),
    charge(prices, "msk.serverless.ingress", "MSK Serverless data in", inGb, "payload bytes produced"),
    charge(
      prices,
      "msk.serverless.egress",
      "MSK Serverless data out",
      inGb * basis.groups,
      basis.groupsBasis,
    ),
    charge(
      prices,
      "msk.serverless.storage",
      "MSK Serverless storage",
      singleCopyStoredGb(w),
      basis.retentionBasis,
    ),
  ];
}

/** Amazon MSK Serverless: cluster-hours, partition-hours, GB in and out, storage (one billed copy). */
export const mskServerless: Alternative = {
  id: "msk-serverless",
  name: "MSK Serverless + Lambda",
  category: "messaging",
  hosting: "managed",
  lines: (w, prices) => {
    const groups = consumerGroupsOf(w);
    return [
      ...mskServerlessClusterLines(w, prices, {
        partitions: w.partitions,
        partitionsBasis: `${w.partitions} partitions`,
        groups,
        groupsBasis: `${groups} consumer groups`,
        retentionBasis: `${w.retentionHours} h × ingest, one billed copy (average retained GB-month)`,
      }),
      // Follower fetching needs a broker setting (replica.selector.class); assumed unavailable on MSK Serverless.
      crossAz(prices, "client traffic across AZs", clientCrossAzGb(w, false), clientBasis(w, false)),
      ...groupConsumers(w, prices, { groups }),
    ];
  },
  assumptions: (w) => [
    `${w.partitions} partitions; prices status S (secondary sources agree)`,
    ...(w.followerFetching
      ? [
          "--follower-fetching not applied: assumed unavailable on MSK Serverless (no broker configuration such as replica.selector.class)",
        ]
      : []),
    consumerAssumption(w),
  ],
  warnings: (w) =>
    (w.messagesPerSecond * w.payloadBytes) / 1_048_576 > CAPACITY.mskServerlessInMiBps.value
      ? [`ingress exceeds the ${CAPACITY.mskServerlessInMiBps.value} MiB/s MSK Serverless cluster quota`]
      : [],
};

/**
 * Self-hosted Kafka (KRaft, combined controller+broker nodes) on EC2 over 3 AZs: the cheapest fleet
 * over general-purpose, memory- and storage-optimized types (gp3 EBS for RF × retention ÷ fill, or
 * local NVMe), replication (RF − 1 copies) and client traffic across AZs, and ops labour as an
 * explicit input.
 */
export const kafkaEc2: Alternative = {
  id: "kafka-ec2",
  name: "Kafka on EC2 (self-hosted)",
  category: "messaging",
  hosting: "self-hosted",
  lines: (w, prices) => {
    const fleet = ec2KafkaFleet(w, prices);
    const inGb = ingressGbPerMonth(w);
    const discount = w.reservedDiscount > 0 ? `, ${w.reservedDiscount * 100} % reserved discount` : "";
    return [
      charge(
        prices,
        fleet.type.priceKey,
        `Kafka brokers: ${fleet.brokers} × EC2 ${fleet.type.name}`,
        fleet.brokers * HOURS_PER_MONTH,
        `${fleet.brokers} instances × ${HOURS_PER_MONTH} h${discount}; binding constraint: ${fleet.binding.name}`,
        1 - w.reservedDiscount,
      ),
      fleet.type.localNvmeGB !== undefined
        ? charge(
            prices,
            "ebs.gp3",
            "EBS gp3 for Kafka logs",
            0,
            `none: the log lives on ${fleet.type.name}'s ${fleet.type.localNvmeGB} GB local NVMe (${Math.round(retainedStorageGb(w)).toLocaleString("en-US")} GiB over ${fleet.brokers} brokers)`,
          )
        : charge(
            prices,
            "ebs.gp3",
            "EBS gp3 for Kafka logs",
            Math.max(fleet.brokers, retainedStorageGb(w)),
            `RF ${w.replicationFactor} × ${w.retentionHours} h × ingest ÷ ${w.diskFillTarget} fill`,
          ),
      crossAz(
        prices,
        "replication across AZs",
        inGb * (w.replicationFactor - 1),
        `${w.replicationFactor - 1} follower copies in other AZs`,
      ),
      crossAz(prices, "client traffic across AZs", clientCrossAzGb(w), clientBasis(w)),
      opsLabour(w),
      ...groupConsumers(w, prices, { groups: consumerGroupsOf(w) }),
    ];
  },
  assumptions: (w, prices) => [
    ...fleetAssumptions(ec2KafkaFleet(w, prices), w),
    "KRaft in combined mode (no separate controllers); root volumes, monitoring and backups not priced",
    ...selfHostedAssumptions(w),
  ],
};
