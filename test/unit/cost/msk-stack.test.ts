import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GIB } from "../../../tools/cost/constants.ts";
import { estimateOne } from "../../../tools/cost/estimate.ts";
import { stackAlternatives } from "../../../tools/cost/stack/stack-kind.ts";
import { readTemplate } from "../../../tools/cost/stack/template.ts";
import { resolveWorkload } from "../../../tools/cost/workload.ts";
import { cost, FIXTURES, MONTH_S, prices } from "./prices.ts";

interface Template {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/** A copy of `cdk.out/MskLambdaStreamStack.template.json` as synthesized on 2026-12-01 (MSK Serverless, 4 endpoints × 3 AZs). */
const synthesized = (): Template =>
  JSON.parse(readFileSync(join(FIXTURES, "msk-lambda-stream.template.json"), "utf8")) as Template;

const estimate = (template: Template, rate = 100, extra: Record<string, unknown> = {}) => {
  const [alt] = stackAlternatives(readTemplate("MskLambdaStreamStack", template));
  return estimateOne(alt as never, resolveWorkload({ messagesPerSecond: rate, ...extra }), prices);
};

const n = 100 * MONTH_S; // 262,800,000 records a month at 100/s
const inGb = (n * 1_000) / GIB; // 244.75 GB of 1,000 B payloads
/** Each record in the invoke event: ⌈1,000 × 4/3⌉ = 1,334 B of base64 value + 250 B of JSON fields. */
const invokeGb = (n * 1_584) / GIB; // 387.69 GB

describe("pricing MskLambdaStreamStack (MSK Serverless, interface endpoints)", () => {
  const e = estimate(synthesized());

  it("is recognised as the MSK stream by its cluster and Kafka event source mapping", () => {
    expect(e.id).toBe("stack:MskLambdaStreamStack");
    expect(e.name).toContain("MSK serverless");
  });

  it("prices the cluster from the template's topic: 6 partitions, 7 days of retention", () => {
    expect(cost(e, "MSK Serverless cluster-hours")).toBeCloseTo(730 * 0.75, 6); // $547.50
    expect(cost(e, "MSK Serverless partition-hours")).toBeCloseTo(6 * 730 * 0.0015, 6); // $6.57
    expect(cost(e, "MSK Serverless data in")).toBeCloseTo(inGb * 0.1, 6); // $24.48
    // one consumer group: the stack's one event source mapping (not --fan-out's 3)
    expect(cost(e, "MSK Serverless data out")).toBeCloseTo(inGb * 0.05, 6); // $12.24
    // 168 h × 100,000 B/s, one billed copy = 56.33 GB-month
    expect(cost(e, "MSK Serverless storage")).toBeCloseTo(((168 * 3_600 * 100_000) / GIB) * 0.1, 6); // $5.63
    // 2/3 of produce + 1 × consume GB cross AZs, $0.01 each way
    expect(cost(e, "client traffic across AZs")).toBeCloseTo(inGb * 2 * (2 / 3) * 0.01 * 2, 6); // $6.53
  });

  it("prices 4 interface endpoints × 3 AZs and the invoke payloads through them", () => {
    expect(cost(e, "VPC interface endpoints: hours")).toBeCloseTo(4 * 3 * 730 * 0.01, 6); // $87.60
    expect(cost(e, "VPC interface endpoints: data processed")).toBeCloseTo(invokeGb * 0.01, 6); // $3.88
    expect(e.lineItems.some((l) => l.component.startsWith("NAT"))).toBe(false);
  });

  it("prices the provisioned pollers (1 poller = 1 EPU at 100 KB/s) and flags the EPU price UNVERIFIED", () => {
    expect(cost(e, "provisioned pollers")).toBeCloseTo(730 * 0.185, 6); // $135.05
    expect(e.unverified.join(" ")).toMatch(/eventPollerUnit/);
    // 40 MB/s needs 8 pollers, capped at the stack's maximum of 3: still 1 EPU of 10
    expect(cost(estimate(synthesized(), 40_000), "provisioned pollers")).toBeCloseTo(730 * 0.185, 6);
  });

  it("prices the consumer (batches of 100 in a 1 s window, 2 table writes and 1 read per record) and the producer", () => {
    expect(cost(e, "consumer: Lambda invocations")).toBeCloseTo(MONTH_S * 0.2e-6, 6); // $0.53
    expect(cost(e, "consumer: Lambda duration")).toBeCloseTo(n * 0.005 * 0.25 * 1.33334e-5, 6); // $4.38
    // IDEMPOTENCY_TABLE_NAME → 1 completion mark (batch idempotency), EFFECTS_TABLE_NAME → 1
    expect(cost(e, "consumer: idempotency writes")).toBeCloseTo(n * 2 * 0.625e-6, 6); // $328.50
    expect(cost(e, "consumer: idempotency reads")).toBeCloseTo(n * 0.125e-6, 6); // $32.85
    expect(cost(e, "producer: Lambda invocations")).toBeCloseTo(n * 0.2e-6, 6); // $52.56
  });

  it("prices the failure queue by --dlq", () => {
    expect(cost(e, "failure queue")).toBe(0);
    const failing = estimate(synthesized(), 100, { dlqFraction: 0.01 });
    expect(cost(failing, "failure queue")).toBeCloseTo(n * 0.01 * 3 * 0.4e-6, 6); // $3.15
  });
});

describe("MskLambdaStreamStack variants", () => {
  it("prices a NAT gateway (hours and GB) when the stack has one instead of endpoints", () => {
    const t = synthesized();
    for (const [id, r] of Object.entries(t.Resources)) {
      if (r.Type === "AWS::EC2::VPCEndpoint") delete t.Resources[id];
    }
    t.Resources.Nat = { Type: "AWS::EC2::NatGateway", Properties: {} };
    const e = estimate(t);
    expect(cost(e, "NAT gateways: hours")).toBeCloseTo(730 * 0.045, 6); // $32.85
    expect(cost(e, "NAT gateways: data processed")).toBeCloseTo(invokeGb * 0.045, 6); // $17.45
    expect(e.lineItems.some((l) => l.component.startsWith("VPC interface"))).toBe(false);
  });

  it("prices provisioned brokers as synthesized, or as many as the fleet sizer needs", () => {
    const t = synthesized();
    const serverless = Object.keys(t.Resources).find(
      (id) => t.Resources[id]?.Type === "AWS::MSK::ServerlessCluster",
    ) as string;
    const esm = Object.values(t.Resources).find((r) => r.Type === "AWS::Lambda::EventSourceMapping");
    t.Resources[serverless] = {
      Type: "AWS::MSK::Cluster",
      Properties: {
        NumberOfBrokerNodes: 3,
        BrokerNodeGroupInfo: {
          InstanceType: "kafka.m7g.large",
          ClientSubnets: ["a", "b", "c"],
          StorageInfo: { EBSStorageInfo: { VolumeSize: 100 } },
        },
      },
    };
    delete esm?.Properties?.ProvisionedPollerConfig;
    const e = estimate(t);
    expect(cost(e, "MSK brokers: 3 × kafka.m7g.large")).toBeCloseTo(3 * 730 * 0.204, 6); // $446.76
    // RF 3 × 168 h × 100 KB/s ÷ 0.5 fill = 337.96 GB > 3 × 100 GiB as synthesized
    expect(cost(e, "MSK broker storage")).toBeCloseTo(((3 * 168 * 3_600 * 100_000) / GIB / 0.5) * 0.1, 6);
    expect(e.lineItems.some((l) => l.component.includes("MSK Serverless"))).toBe(false);
    expect(e.lineItems.some((l) => l.component.includes("provisioned pollers"))).toBe(false);
    expect(e.warnings).toEqual([]);

    const big = estimate(t, 100_000); // 100 MB/s
    const brokers = big.lineItems.find((l) => l.component.startsWith("MSK brokers:"));
    expect(brokers?.component).not.toBe("MSK brokers: 3 × kafka.m7g.large");
    expect(big.warnings.join(" ")).toMatch(/too few for this workload/);
  });
});
