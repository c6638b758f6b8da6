import { HOURS_PER_MONTH } from "../constants.ts";
import { charge, inputCharge, type LineItem } from "../line-items.ts";
import { type PriceCatalogue, type PriceKey, priceOf } from "../prices/catalogue.ts";
import type { NodeType } from "../sizing.ts";
import type { Workload } from "../workload.ts";

/** A node type priced from the catalogue. */
export function nodeType(
  prices: PriceCatalogue,
  key: PriceKey,
  spec: { name: string; sustainedVcpu: number; partitionReplicasPerBroker: number; memoryGiB: number },
): NodeType {
  return { ...spec, priceKey: key, hourlyUsd: priceOf(prices, key).usdPerUnit };
}

/**
 * EC2 instance types for the self-hosted RabbitMQ, Redis and NATS options. Burstable types (t3) are
 * left out: their 20 % CPU baseline and network credits are not a production size for a broker.
 */
export function ec2Candidates(prices: PriceCatalogue): NodeType[] {
  return [
    nodeType(prices, "ec2.m5.large", {
      name: "m5.large",
      sustainedVcpu: 2,
      partitionReplicasPerBroker: 1_000,
      memoryGiB: 8,
    }),
    nodeType(prices, "ec2.m6g.large", {
      name: "m6g.large",
      sustainedVcpu: 2,
      partitionReplicasPerBroker: 1_000,
      memoryGiB: 8,
    }),
    nodeType(prices, "ec2.m7g.large", {
      name: "m7g.large",
      sustainedVcpu: 2,
      partitionReplicasPerBroker: 1_000,
      memoryGiB: 8,
    }),
  ];
}

/** Instance-hours for `count` EC2 nodes, with the reserved discount as a visible price factor. */
export function ec2Hours(
  w: Workload,
  prices: PriceCatalogue,
  node: NodeType,
  count: number,
  role: string,
): LineItem {
  const discount = w.reservedDiscount > 0 ? `, ${w.reservedDiscount * 100} % reserved discount` : "";
  return charge(
    prices,
    node.priceKey,
    `${role}: ${count} × EC2 ${node.name}`,
    count * HOURS_PER_MONTH,
    `${count} instances × ${HOURS_PER_MONTH} h${discount}`,
    1 - w.reservedDiscount,
  );
}

/**
 * Cross-AZ bytes, billed $0.01/GB out of one AZ and $0.01/GB into the other: the unit price is
 * twice the catalogue's per-direction price.
 */
export function crossAz(prices: PriceCatalogue, component: string, gb: number, basis: string): LineItem {
  return charge(
    prices,
    "transfer.crossAz",
    component,
    gb,
    `${basis}; billed in both directions (2 × per-GB price)`,
    2,
  );
}

/** Ops labour as an explicit line (zero unless set). */
export function opsLabour(w: Workload): LineItem {
  return inputCharge(
    "ops labour",
    "hour",
    w.opsHoursPerMonth,
    w.opsHourlyRateUsd,
    `${w.opsHoursPerMonth} h/month × $${w.opsHourlyRateUsd}/h (explicit input; 0 unless --ops-hours and --ops-rate are set)`,
  );
}

/** Assumption line shared by self-hosted options. */
export function selfHostedAssumptions(w: Workload): string[] {
  return [
    `3 AZs, replication factor ${w.replicationFactor}; disks sized to ${w.diskFillTarget * 100} % fill`,
    `${(w.crossAzClientFraction * 100).toFixed(0)} % of client traffic crosses AZs; replication copies each cross an AZ`,
    `ops labour: ${w.opsHoursPerMonth} h/month × $${w.opsHourlyRateUsd}/h (explicit input)`,
    w.reservedDiscount > 0 ? `EC2 reserved discount ${w.reservedDiscount * 100} %` : "EC2 on-demand prices",
    "consumers priced as the same Lambda consumer as the serverless options (a stand-in for your own consumer fleet)",
  ];
}

/** The consumer assumption every option shares. */
export function consumerAssumption(w: Workload): string {
  return `consumers: Lambda ${w.lambdaArch} ${w.lambdaMemoryMb} MB, ${w.lambdaMsPerMessage} ms/message, batch ${w.batchSize}, ${w.idempotencyWritesPerMessage} idempotency writes/message`;
}
