import { describe, expect, it } from "vitest";
import { ec2KafkaFleet, mskFleet } from "../../../tools/cost/alternatives/kafka.ts";
import { WorkloadError } from "../../../tools/cost/errors.ts";
import { INSTANCE_PRICE_KEYS, KAFKA_EC2_TYPES } from "../../../tools/cost/instances.ts";
import { fleetConstraints } from "../../../tools/cost/sizing.ts";
import { resolveWorkload } from "../../../tools/cost/workload.ts";
import { prices } from "./prices.ts";

const w = (input: Parameters<typeof resolveWorkload>[0]) => resolveWorkload(input);
const type = (name: string) => {
  const t = KAFKA_EC2_TYPES.find((x) => x.name === name);
  if (!t) throw new Error(name);
  return t;
};

describe("Kafka fleet sizing (binding constraint over a sourced instance table)", () => {
  it("the instance table covers general purpose, memory and storage optimized, Graviton and x86, and every type has a dated price", () => {
    const families = new Set(KAFKA_EC2_TYPES.map((t) => t.family));
    expect(families).toEqual(new Set(["general purpose", "memory optimized", "storage optimized"]));
    expect(new Set(KAFKA_EC2_TYPES.map((t) => t.arch))).toEqual(new Set(["arm64", "x86_64"]));
    for (const key of INSTANCE_PRICE_KEYS) {
      const item = prices.items[key];
      expect(item, key).toBeDefined();
      expect(item?.retrieved, key).toMatch(/^\d{4}|^unverified$/);
      expect(item?.source.length, key).toBeGreaterThan(20);
    }
  });

  it("computes each constraint from the workload: network = max(ingest × RF, ingest × (groups + RF − 1)) over 2/3 of the brokers", () => {
    // 50 MB/s ingest, RF 3, 3 groups: in 150 MB/s, out 250 MB/s; m7g.xlarge baseline 1,876 Mbps = 234.5 MB/s.
    const c = fleetConstraints(w({ messagesPerSecond: 50_000, payloadBytes: 1_000 }), type("m7g.xlarge"));
    const net = c.find((x) => x.name === "network bandwidth");
    expect(net?.brokersNeeded).toBeCloseTo(250 / (0.8 * 234.5) / (2 / 3), 6);
    const ebs = c.find((x) => x.name === "EBS throughput");
    expect(ebs?.brokersNeeded).toBeCloseTo(150 / (0.8 * 156.25) / (2 / 3), 6);
    expect(ebs?.status).toBe("S"); // m7g EBS baseline: memory of the EC2 guide + AWS's MSK sizing script agree
    expect(net?.status).toBe("V");
  });

  it("a small workload sits on the 3-broker floor of the cheapest type", () => {
    const fleet = ec2KafkaFleet(w({ messagesPerSecond: 100 }), prices);
    expect(fleet.brokers).toBe(3);
    expect(fleet.type.name).toBe("m7g.large");
    expect(fleet.binding.name).toBe("minimum 3 brokers (one per AZ)");
  });

  it("high fan-out makes network bandwidth bind and favours the high-bandwidth im4gn", () => {
    const fleet = ec2KafkaFleet(w({ messagesPerSecond: 200_000, fanOut: 10, retentionHours: 1 }), prices);
    expect(fleet.binding.name).toBe("network bandwidth");
    expect(fleet.type.name).toMatch(/^im4gn\./);
    expect(fleet.unverified).toBe(false);
  });

  it("long retention makes storage per broker bind; the disk fill target and recovery time move it", () => {
    const base = { messagesPerSecond: 100_000, payloadBytes: 1_000, retentionHours: 168 };
    const lean = ec2KafkaFleet(w({ ...base, diskFillTarget: 1 }), prices);
    const roomy = ec2KafkaFleet(w({ ...base, diskFillTarget: 0.5 }), prices);
    expect(lean.binding.name).toBe("storage per broker");
    expect(roomy.brokers).toBeGreaterThan(lean.brokers);
    const slowRecovery = ec2KafkaFleet(w({ ...base, diskFillTarget: 1, brokerRecoveryHours: 72 }), prices);
    expect(slowRecovery.brokers).toBeLessThan(lean.brokers);
  });

  it("many partitions make partitions per broker bind", () => {
    const fleet = ec2KafkaFleet(w({ messagesPerSecond: 100, partitions: 5_000 }), prices);
    expect(fleet.binding.name).toBe("partitions per broker");
    expect(fleet.brokers).toBe(15); // 5,000 × RF 3 ÷ 1,000 per large broker
  });

  it("MSK provisioned chooses among Standard (kafka.m5, kafka.m7g) and Express brokers", () => {
    expect(mskFleet(w({ messagesPerSecond: 100 }), prices).type.name).toBe("kafka.m7g.large");
    const busy = mskFleet(w({ messagesPerSecond: 100_000, retentionHours: 168, diskFillTarget: 1 }), prices);
    expect(busy.type.kind).toBe("msk-express");
    expect(busy.binding.name).toBe("Express broker egress");
    expect(busy.unverified).toBe(false);
  });

  it("beyond 3,000 brokers the sizer throws a WorkloadError naming --rate", () => {
    expect(() => ec2KafkaFleet(w({ messagesPerSecond: 1e9, payloadBytes: 1_000_000 }), prices)).toThrow(
      WorkloadError,
    );
    expect(() => ec2KafkaFleet(w({ messagesPerSecond: 1e9, payloadBytes: 1_000_000 }), prices)).toThrow(
      /--rate: too big/,
    );
  });
});
