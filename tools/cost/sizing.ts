import { GIB, HOURS_PER_MONTH, SECONDS_PER_MONTH } from "./constants.ts";
import { WorkloadError } from "./errors.ts";
import type { BrokerType, SpecStatus } from "./instances.ts";
import type { PriceKey } from "./prices/catalogue.ts";
import { consumerGroupsOf, type Workload } from "./workload.ts";

/** A broker/node type the sizer may choose. */
export interface NodeType {
  readonly name: string;
  /** Catalogue key of its hourly price. */
  readonly priceKey: PriceKey;
  readonly hourlyUsd: number;
  /** vCPUs usable for sustained load (burstable types: their baseline share). */
  readonly sustainedVcpu: number;
  readonly partitionReplicasPerBroker: number;
  readonly memoryGiB: number;
}

/** Ingest in bytes per second (payload only; record overhead is ignored). */
export function ingressBytesPerSecond(w: Workload): number {
  return w.messagesPerSecond * w.payloadBytes;
}

/** GB (2^30) ingested per month. */
export function ingressGbPerMonth(w: Workload): number {
  return (ingressBytesPerSecond(w) * SECONDS_PER_MONTH) / GIB;
}

/** Storage to provision in GB: RF × retention × ingest ÷ target disk fill. */
export function retainedStorageGb(w: Workload, copies = w.replicationFactor): number {
  return (copies * w.retentionHours * 3_600 * ingressBytesPerSecond(w)) / GIB / w.diskFillTarget;
}

/** Share of a broker's baseline bandwidth the sizer lets it use with one AZ lost (headroom for peaks). */
export const BROKER_UTILISATION_TARGET = 0.8;
/** Largest volume of storage one EBS-backed broker holds (gp3 volume and MSK per-broker maximum). */
export const MAX_EBS_GIB_PER_BROKER = 16_384;

/** One sizing constraint: how many brokers it needs, and why. */
export interface FleetConstraint {
  readonly name:
    | "minimum 3 brokers (one per AZ)"
    | "network bandwidth"
    | "EBS throughput"
    | "storage per broker"
    | "partitions per broker"
    | "Express broker ingress"
    | "Express broker egress";
  /** Brokers this constraint alone needs, before rounding to a multiple of 3. */
  readonly brokersNeeded: number;
  /** The arithmetic, in words. */
  readonly detail: string;
  /** Status of the capacity figure the constraint rests on. */
  readonly status: SpecStatus;
}

/** A sized Kafka fleet: broker type and count, its binding constraint, and what it costs. */
export interface KafkaFleet {
  readonly type: BrokerType;
  readonly brokers: number;
  readonly binding: FleetConstraint;
  readonly constraints: readonly FleetConstraint[];
  /** GiB of log each broker holds (provisioned storage ÷ brokers; 0 for Express). */
  readonly storageGibPerBroker: number;
  /** Monthly USD of broker-hours plus storage the sizer compared types on. */
  readonly comparedMonthlyUsd: number;
  /** One line: fleet, binding constraint, the other constraints' needs. */
  readonly reason: string;
  /** True when the binding constraint or the chosen price is unverified (status U). */
  readonly unverified: boolean;
}

/** What a fleet's storage costs per GiB-month, by where the log lives. */
export interface FleetPricing {
  /** USD per broker-hour, by price key. */
  readonly hourlyUsd: (type: BrokerType) => number;
  /** Whether the broker price is unverified (status U). */
  readonly priceUnverified: (type: BrokerType) => boolean;
  /** USD per month of the storage a fleet of `brokers` of `type` needs besides broker-hours. */
  readonly storageUsd: (type: BrokerType, brokers: number) => number;
  /** Factor on broker-hours (1 − reserved discount for EC2). @default 1 */
  readonly hourFactor?: number;
}

function mbps(megabits: number): number {
  return megabits / 8;
}

/**
 * The constraints one broker type must meet for a workload, each as a broker count. Brokers are
 * spread over 3 AZs, so with one AZ lost 2/3 of them carry all traffic (`÷ 2/3` below); throughput
 * constraints use baseline (not burst) bandwidth at `BROKER_UTILISATION_TARGET`.
 *
 * - network: every broker's inbound (produce + replica fetches = ingest × RF) and outbound (consumer
 *   fetches + replica fetches = ingest × (groups + RF − 1)) each fit its baseline, full duplex
 *   (the AWS Big Data Blog right-sizing formula: EC2 network × brokers ÷ (groups + RF − 1));
 * - EBS throughput (EBS-backed): ingest × RF written to EBS fits the EBS-optimized baseline (reads
 *   of the tail come from the page cache);
 * - storage per broker: RF × retention × ingest ÷ fill spread over all brokers fits the local NVMe,
 *   or for EBS at most 16 TiB and no more than a replaced broker can re-replicate within
 *   `brokerRecoveryHours` at the target share of min(network, EBS) baseline;
 * - partitions per broker: partitions × RF over all brokers fits the MSK best-practice limit;
 * - Express: ingest and ingest × groups fit the per-broker recommended in/out maxima (storage and
 *   replication are the service's).
 */
export function fleetConstraints(w: Workload, type: BrokerType): FleetConstraint[] {
  const ingestMBps = ingressBytesPerSecond(w) / 1e6;
  const groups = consumerGroupsOf(w);
  const rf = w.replicationFactor;
  const u = BROKER_UTILISATION_TARGET;
  const survivors = 2 / 3;
  const pct = `${u * 100} %`;
  const out: FleetConstraint[] = [
    { name: "minimum 3 brokers (one per AZ)", brokersNeeded: 3, detail: "3 AZs", status: "V" },
  ];
  out.push({
    name: "partitions per broker",
    brokersNeeded: (w.partitions * rf) / type.partitionReplicas,
    detail: `${w.partitions} partitions × RF ${rf} ÷ ${type.partitionReplicas.toLocaleString("en-US")} replicas per broker`,
    status: type.status.partitions,
  });
  if (type.kind === "msk-express") {
    const inMax = type.expressInMBps ?? 0;
    const outMax = type.expressOutMBps ?? 0;
    out.push({
      name: "Express broker ingress",
      brokersNeeded: ingestMBps / (u * inMax) / survivors,
      detail: `${ingestMBps.toFixed(2)} MB/s in ÷ (${pct} × ${inMax.toFixed(1)} MB/s) ÷ 2/3 (an AZ lost)`,
      status: type.status.express,
    });
    out.push({
      name: "Express broker egress",
      brokersNeeded: (ingestMBps * groups) / (u * outMax) / survivors,
      detail: `${(ingestMBps * groups).toFixed(2)} MB/s out (${groups} groups) ÷ (${pct} × ${outMax.toFixed(1)} MB/s) ÷ 2/3`,
      status: type.status.express,
    });
    return out;
  }
  const netMBps = mbps(type.networkMbps);
  const inMBps = ingestMBps * rf;
  const outMBps = ingestMBps * (groups + rf - 1);
  out.push({
    name: "network bandwidth",
    brokersNeeded: Math.max(inMBps, outMBps) / (u * netMBps) / survivors,
    detail: `max(in ${inMBps.toFixed(1)}, out ${outMBps.toFixed(1)} MB/s) ÷ (${pct} × ${netMBps.toFixed(1)} MB/s baseline) ÷ 2/3 (an AZ lost)`,
    status: type.status.network,
  });
  const storageGib = retainedStorageGb(w);
  if (type.localNvmeGB !== undefined) {
    const localGib = (type.localNvmeGB * 1e9) / GIB;
    out.push({
      name: "storage per broker",
      brokersNeeded: storageGib / localGib,
      detail: `${Math.round(storageGib).toLocaleString("en-US")} GiB (RF × retention × ingest ÷ ${w.diskFillTarget} fill) ÷ ${Math.round(localGib).toLocaleString("en-US")} GiB local NVMe`,
      status: "V",
    });
    return out;
  }
  const ebsMBps = mbps(type.ebsBaselineMbps ?? 0);
  out.push({
    name: "EBS throughput",
    brokersNeeded: inMBps / (u * ebsMBps) / survivors,
    detail: `${inMBps.toFixed(1)} MB/s written (ingest × RF) ÷ (${pct} × ${ebsMBps.toFixed(1)} MB/s EBS baseline) ÷ 2/3`,
    status: type.status.ebs,
  });
  const recoveryMBps = u * Math.min(netMBps, ebsMBps);
  const recoveryGib = (recoveryMBps * 1e6 * w.brokerRecoveryHours * 3_600) / GIB;
  const perBrokerGib = Math.min(MAX_EBS_GIB_PER_BROKER, recoveryGib);
  out.push({
    name: "storage per broker",
    brokersNeeded: storageGib / perBrokerGib,
    detail: `${Math.round(storageGib).toLocaleString("en-US")} GiB ÷ ${Math.round(perBrokerGib).toLocaleString("en-US")} GiB per broker (${
      perBrokerGib < MAX_EBS_GIB_PER_BROKER
        ? `what one broker re-replicates in ${w.brokerRecoveryHours} h at ${recoveryMBps.toFixed(1)} MB/s`
        : "16 TiB EBS maximum"
    })`,
    status: perBrokerGib < MAX_EBS_GIB_PER_BROKER && ebsMBps < netMBps ? type.status.ebs : "V",
  });
  return out;
}

/**
 * Sizes a Kafka fleet like an engineer would: for every broker type, the broker count (a multiple
 * of 3, at least 3) that meets every constraint of `fleetConstraints`; then the type whose
 * broker-hours plus storage cost least. Throws a `WorkloadError` (naming `--rate`) beyond 3,000 brokers.
 */
export function sizeKafkaFleet(w: Workload, types: readonly BrokerType[], pricing: FleetPricing): KafkaFleet {
  let best: KafkaFleet | undefined;
  for (const type of types) {
    const constraints = fleetConstraints(w, type);
    const binding = constraints.reduce((a, b) => (b.brokersNeeded > a.brokersNeeded ? b : a));
    const brokers = roundUpTo(binding.brokersNeeded - 1e-9, 3);
    if (brokers > 3_000) continue;
    const compute = brokers * pricing.hourlyUsd(type) * HOURS_PER_MONTH * (pricing.hourFactor ?? 1);
    const comparedMonthlyUsd = compute + pricing.storageUsd(type, brokers);
    if (best && comparedMonthlyUsd >= best.comparedMonthlyUsd) continue;
    const storageGibPerBroker = type.kind === "msk-express" ? 0 : retainedStorageGb(w) / brokers;
    const others = constraints
      .filter((c) => c !== binding && c.name !== "minimum 3 brokers (one per AZ)")
      .map((c) => `${c.name} ${c.brokersNeeded.toFixed(c.brokersNeeded < 1 ? 2 : 1)}`)
      .join(", ");
    best = {
      type,
      brokers,
      binding,
      constraints,
      storageGibPerBroker,
      comparedMonthlyUsd,
      reason: `${brokers} × ${type.name} (${type.vcpu} vCPU, ${type.memoryGiB} GiB, ${type.family}, ${type.arch}); binding constraint: ${binding.name}: ${binding.detail} = ${binding.brokersNeeded.toFixed(1)} brokers${others ? `; others need ${others}` : ""}`,
      unverified: binding.status === "U" || pricing.priceUnverified(type),
    };
  }
  if (!best) {
    throw new WorkloadError([
      {
        field: "messagesPerSecond",
        flag: "--rate",
        message: "too big for the Kafka sizer (more than 3,000 brokers)",
      },
    ]);
  }
  return best;
}

/** Smallest multiple of `step` (at least `step`) that is ≥ `needed`. */
export function roundUpTo(needed: number, step: number): number {
  return Math.max(step, Math.ceil(needed / step) * step);
}
