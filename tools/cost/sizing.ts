import { CAPACITY } from "./capacity.ts";
import { GIB, SECONDS_PER_MONTH } from "./constants.ts";
import type { PriceKey } from "./prices/catalogue.ts";
import type { Workload } from "./workload.ts";

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

export interface KafkaSizing {
  readonly node: NodeType;
  readonly brokers: number;
  /** Broker CPU at the workload's ingress, with one AZ lost. */
  readonly cpuWithAzLost: number;
  readonly reason: string;
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

/**
 * Sizes a Kafka cluster over 3 AZs: brokers in multiples of 3 (at least 3), cheapest node type and
 * count such that, with one AZ lost, broker CPU stays under the 60 % target
 * (produce+replica writes at 5 MiB/s per vCPU, consumer and follower reads at 15 MiB/s per vCPU),
 * and partition replicas fit the per-broker limit.
 */
export function sizeKafkaCluster(w: Workload, candidates: readonly NodeType[]): KafkaSizing {
  const ingressMiBps = ingressBytesPerSecond(w) / 1_048_576;
  const groups = w.consumerGroups ?? w.fanOut;
  const rf = w.replicationFactor;
  let best: KafkaSizing | undefined;
  for (const node of candidates) {
    for (let brokers = 3; brokers <= 3_000; brokers += 3) {
      const survivors = brokers - brokers / 3;
      const writes = (ingressMiBps * rf) / survivors;
      const reads = (ingressMiBps * (groups + rf - 1)) / survivors;
      const cpu =
        writes / (CAPACITY.kafkaProduceMiBpsPerVcpu.value * node.sustainedVcpu) +
        reads / (CAPACITY.kafkaConsumeMiBpsPerVcpu.value * node.sustainedVcpu);
      const partitionsFit = w.partitions * rf <= brokers * node.partitionReplicasPerBroker;
      if (cpu <= CAPACITY.brokerCpuTarget.value && partitionsFit) {
        const cost = brokers * node.hourlyUsd;
        if (!best || cost < best.brokers * best.node.hourlyUsd) {
          best = {
            node,
            brokers,
            cpuWithAzLost: cpu,
            reason: `${brokers} × ${node.name}: CPU ${(cpu * 100).toFixed(0)} % with an AZ lost (target ≤ 60 %), ${w.partitions * rf} partition replicas ≤ ${brokers * node.partitionReplicasPerBroker}`,
          };
        }
        break;
      }
    }
  }
  if (!best) throw new Error("workload too large for the Kafka sizer (more than 3,000 brokers)");
  return best;
}

/** Smallest multiple of `step` (at least `step`) that is ≥ `needed`. */
export function roundUpTo(needed: number, step: number): number {
  return Math.max(step, Math.ceil(needed / step) * step);
}
