import { describe, expect, it } from "vitest";
import { ALTERNATIVES } from "../../../tools/cost/alternatives/index.ts";
import { estimate } from "../../../tools/cost/estimate.ts";
import { cost, GIB, MONTH_S, prices } from "./prices.ts";

/**
 * Hand computations at 10 msg/s of 1,000 B, fan-out 3, 24 h retention, consumers on Lambda arm64
 * 256 MB, 5 ms per message, batch 10, 1 s window, no idempotency writes, free tier off.
 * 10 msg/s × 2,628,000 s = 26,280,000 messages a month.
 */
const N = 10 * MONTH_S; // 26,280,000
const ingressGb = (10 * 1_000 * MONTH_S) / GIB; // 24.4752 GB a month
const run = (id: string, extra: Record<string, unknown> = {}) =>
  estimate({ messagesPerSecond: 10, ...extra }, prices, { alternatives: [id] })[0];

/** One Lambda consumer group at 10 msg/s: 1 invocation per 1 s window, 26.28 M × 5 ms × 0.25 GB. */
const lambdaGroup = 2_628_000 * 0.2e-6 + N * 0.005 * 0.25 * 0.0000133334; // 0.5256 + 0.438002
const consumers3 = 3 * lambdaGroup; // 2.890806

describe("hand-computed alternatives at 10 msg/s × 1 KB, fan-out 3", () => {
  it("SNS + SQS + Lambda", () => {
    const e = run("sns-sqs-lambda");
    expect(cost(e, "SNS publish")).toBeCloseTo(N * 0.5e-6, 6); // 26.28 M × $0.50/M = $13.14
    expect(cost(e, "SQS sends")).toBeCloseTo(3 * N * 0.4e-6, 6); // 78.84 M × $0.40/M = $31.536
    // 10 messages per 1 s window → 1 ReceiveMessage and 1 DeleteMessageBatch per window per queue.
    expect(cost(e, "SQS receives")).toBeCloseTo(3 * MONTH_S * 0.4e-6, 6); // $3.1536
    expect(cost(e, "SQS deletes")).toBeCloseTo(3 * MONTH_S * 0.4e-6, 6); // $3.1536
    // Empty receives: 5 pollers × 131,400 polls × e^(−20 × 10 / 5) ≈ 0.
    expect(cost(e, "empty receives")).toBeLessThan(1e-9);
    expect(cost(e, "Lambda invocations")).toBeCloseTo(3 * MONTH_S * 0.2e-6, 6); // $1.5768
    expect(cost(e, "Lambda duration")).toBeCloseTo(3 * N * 0.005 * 0.25 * 0.0000133334, 6); // $1.31401
    expect(e?.monthlyUsd).toBeCloseTo(13.14 + 31.536 + 2 * 3.1536 + 1.5768 + 1.31401, 4); // $53.874
    expect(e?.perMillionMessagesUsd).toBeCloseTo(53.87401 / 26.28, 4);
  });

  it("SNS FIFO + SQS FIFO + Lambda", () => {
    const e = run("sns-sqs-lambda-fifo");
    expect(cost(e, "SNS FIFO publish requests")).toBeCloseTo(N * 0.3e-6, 6); // $7.884
    expect(cost(e, "SNS FIFO published payload")).toBeCloseTo(ingressGb * 0.017, 6); // $0.41608
    expect(cost(e, "SNS FIFO deliveries")).toBeCloseTo(3 * N * 0.01e-6, 6); // $0.7884
    expect(cost(e, "SNS FIFO delivered payload")).toBeCloseTo(3 * ingressGb * 0.001, 6);
    expect(cost(e, "SQS sends")).toBeCloseTo(3 * N * 0.5e-6, 6); // $39.42
  });

  it("EventBridge + SQS + Lambda", () => {
    const e = run("eventbridge-sqs-lambda");
    expect(cost(e, "EventBridge custom events")).toBeCloseTo(N * 1e-6, 6); // $26.28
    expect(e?.monthlyUsd).toBeCloseTo(26.28 + 31.536 + 2 * 3.1536 + 1.5768 + 1.31401, 4);
  });

  it("Kinesis provisioned: 1 shard", () => {
    const e = run("kinesis-provisioned");
    expect(cost(e, "shard-hours")).toBeCloseTo(730 * 0.015, 6); // $10.95
    expect(cost(e, "PUT payload units")).toBeCloseTo(N * 0.014e-6, 6); // $0.36792
    expect(e?.monthlyUsd).toBeCloseTo(10.95 + 0.36792 + consumers3, 4); // $14.2087
  });

  it("Kinesis on-demand: records rounded up to 1 KiB", () => {
    const e = run("kinesis-on-demand");
    const inGb = (N * 1_024) / GIB; // 25.0626 GB
    expect(cost(e, "stream-hours")).toBeCloseTo(730 * 0.04, 6); // $29.20
    expect(cost(e, "data in")).toBeCloseTo(inGb * 0.08, 6); // $2.005
    expect(cost(e, "data read")).toBeCloseTo(3 * inGb * 0.04, 6); // $3.0075
    expect(e?.monthlyUsd).toBeCloseTo(29.2 + inGb * 0.2 + consumers3, 4);
  });

  it("MSK provisioned: the 3-broker floor on the cheapest production broker (kafka.m7g.large)", () => {
    const e = run("msk-provisioned");
    expect(cost(e, "MSK brokers: 3 × kafka.m7g.large")).toBeCloseTo(3 * 730 * 0.204, 6); // $446.76
    expect(e?.unverified).toEqual([]);
    expect(e?.assumptions.join("\n")).toMatch(/binding constraint: minimum 3 brokers \(one per AZ\)/);
    // Storage: RF 3 × 86,400 s × 10,000 B/s ÷ 2^30 ÷ 0.5 fill = 4.828 GB × $0.10.
    const storageGb = (3 * 86_400 * 10_000) / GIB / 0.5;
    expect(cost(e, "MSK broker storage")).toBeCloseTo(storageGb * 0.1, 6);
    // Clients: (produce + 3 consumer groups) × 2/3 across AZs × $0.02 per GB crossing.
    expect(cost(e, "client traffic across AZs")).toBeCloseTo(ingressGb * 4 * (2 / 3) * 0.02, 6);
    expect(e?.fixedMonthlyUsd).toBeCloseTo(446.76 + 3 * 0.1, 6); // at zero traffic: brokers + 1 GB per broker
  });

  it("MSK Serverless", () => {
    const e = run("msk-serverless");
    expect(cost(e, "cluster-hours")).toBeCloseTo(730 * 0.75, 6); // $547.50
    expect(cost(e, "partition-hours")).toBeCloseTo(12 * 730 * 0.0015, 6); // $13.14
    expect(cost(e, "data in")).toBeCloseTo(ingressGb * 0.1, 6);
    expect(cost(e, "data out")).toBeCloseTo(3 * ingressGb * 0.05, 6);
    expect(cost(e, "MSK Serverless storage")).toBeCloseTo(((86_400 * 10_000) / GIB) * 0.1, 6);
  });

  it("Kafka on EC2: 3 m7g.large (no burstable types), replication and client traffic across AZs", () => {
    const e = run("kafka-ec2");
    expect(cost(e, "3 × EC2 m7g.large")).toBeCloseTo(3 * 730 * 0.0816, 6); // $178.70
    expect(e?.unverified).toEqual([]);
    expect(cost(e, "EBS gp3")).toBeCloseTo(((3 * 86_400 * 10_000) / GIB / 0.5) * 0.08, 6);
    // Replication: RF − 1 = 2 follower copies, each crossing an AZ, $0.01 out + $0.01 in.
    expect(cost(e, "replication across AZs")).toBeCloseTo(ingressGb * 2 * 0.02, 6);
    expect(cost(e, "ops labour")).toBe(0);
    const withOps = run("kafka-ec2", { opsHoursPerMonth: 10, opsHourlyRateUsd: 100 });
    expect(cost(withOps, "ops labour")).toBe(1_000);
    const reserved = run("kafka-ec2", { reservedDiscount: 0.4 });
    expect(cost(reserved, "3 × EC2 m7g.large")).toBeCloseTo(3 * 730 * 0.0816 * 0.6, 6);
    // Follower fetching (KIP-392): only produce traffic crosses AZs.
    const rackAware = run("kafka-ec2", { followerFetching: true });
    expect(cost(rackAware, "client traffic across AZs")).toBeCloseTo(ingressGb * 1 * (2 / 3) * 0.02, 6);
    const colocated = run("kafka-ec2", { crossAzClientFraction: 0 });
    expect(cost(colocated, "client traffic across AZs")).toBe(0);
  });

  it("Amazon MQ for RabbitMQ: one 3-node mq.m5.large cluster", () => {
    const e = run("amazon-mq-rabbitmq");
    expect(cost(e, "Amazon MQ: 1 cluster(s)")).toBeCloseTo(3 * 730 * 0.288, 6); // $630.72
    // Backlog: 3 queues × RF 3 × 24 h of ingest ÷ 0.5 fill.
    expect(cost(e, "Amazon MQ storage")).toBeCloseTo(3 * ((3 * 86_400 * 10_000) / GIB / 0.5) * 0.1, 6);
    // 30 queue msg/s per 1 published × fan-out 3; a cluster carries 6 vCPU × 416.7 = 2,500/s → 1,000 msg/s needs 12 clusters.
    const busy = estimate({ messagesPerSecond: 1_000 }, prices, { alternatives: ["amazon-mq-rabbitmq"] })[0];
    expect(cost(busy, "Amazon MQ: 2 cluster(s)")).toBeCloseTo(2 * 3 * 730 * 0.288, 6);
  });

  it("RabbitMQ on EC2, Redis Streams on EC2, NATS on EC2, Pub/Sub", () => {
    expect(cost(run("rabbitmq-ec2"), "quorum replication")).toBeCloseTo(ingressGb * 3 * 2 * 0.02, 6);
    // No burstable nodes: the 3-node floor is the cheapest production type, m6g.large ($0.077/h).
    expect(cost(run("rabbitmq-ec2"), "RabbitMQ nodes: 3 × EC2 m6g.large")).toBeCloseTo(3 * 730 * 0.077, 6);
    expect(cost(run("redis-streams-ec2"), "EC2 m7g.large")).toBeCloseTo(3 * 730 * 0.0816, 6); // $178.704
    expect(cost(run("nats-jetstream-ec2"), "EC2 m7g.large")).toBeCloseTo(3 * 730 * 0.0816, 6);
    const pubsub = run("gcp-pubsub");
    // $40 per TiB: 26.28 M × 1,000 B published; 3 subscriptions deliver it again.
    expect(cost(pubsub, "publish throughput")).toBeCloseTo(((N * 1_000) / 2 ** 40) * 40, 6); // $0.956
    expect(cost(pubsub, "delivery throughput")).toBeCloseTo(((3 * N * 1_000) / 2 ** 40) * 40, 6);
  });

  it("Step Functions Standard vs Express for a 4-step saga with 5 % retries", () => {
    const std = run("sfn-standard");
    // 4 × 1.05 + 2 = 6.2 transitions × 26.28 M executions × $0.025 per 1,000.
    expect(cost(std, "state transitions")).toBeCloseTo(N * 6.2 * 0.000025, 4); // $4,073.40
    const exp = run("sfn-express");
    expect(cost(exp, "Express executions")).toBeCloseTo(N * 1e-6, 6); // $26.28
    // 4.2 × 5 ms + 6.2 × 20 ms = 145 ms → 200 ms billed × 64 MB: 26.28 M × 0.2 s × 0.0625 GB ÷ 3,600.
    expect(cost(exp, "Express duration")).toBeCloseTo(((N * 0.2 * 0.0625) / 3_600) * 0.060012, 6); // $5.476
    // Step invocations: 40 steps/s × 1.05 attempts, one per invocation.
    expect(cost(std, "Lambda invocations")).toBeCloseTo(42 * MONTH_S * 0.2e-6, 6);
  });

  it("prices every registered alternative with traceable lines", () => {
    const all = estimate({ messagesPerSecond: 100 }, prices, { alternatives: ALTERNATIVES.map((a) => a.id) });
    expect(all.map((e) => e.id)).toEqual(ALTERNATIVES.map((a) => a.id));
    for (const e of all) {
      expect(e.monthlyUsd).toBeGreaterThan(0);
      expect(e.topItems.length).toBeGreaterThan(0);
      expect(e.topItems.length).toBeLessThanOrEqual(3);
      expect(e.assumptions.length).toBeGreaterThan(0);
      for (const l of e.lineItems) {
        expect(l.costUsd).toBeCloseTo(l.quantity * l.unitPriceUsd, 9);
        expect(l.source.length).toBeGreaterThan(5);
        expect(l.retrieved).toMatch(/^\d{4}|unverified|n\/a/);
      }
    }
  });
});

describe("edge cases", () => {
  it("bills 64 KiB as one chunk and one byte more as two", () => {
    const at = (payloadBytes: number) =>
      estimate({ messagesPerSecond: 10, payloadBytes }, prices, { alternatives: ["sns-sqs-lambda"] })[0];
    expect(cost(at(65_536), "SNS publish")).toBeCloseTo(N * 0.5e-6, 6);
    expect(cost(at(65_537), "SNS publish")).toBeCloseTo(2 * N * 0.5e-6, 6);
    expect(cost(at(65_537), "SQS sends")).toBeCloseTo(2 * 3 * N * 0.4e-6, 6);
    // A receive of 10 × 65,537 B = 655,370 B is ceil(655,370 / 65,536) = 11 requests.
    expect(cost(at(65_537), "SQS receives")).toBeCloseTo(11 * 3 * MONTH_S * 0.4e-6, 6);
  });

  it("sends SNS batches larger than PublishBatch's 10 entries as several calls", () => {
    // 26.28 M messages of 1 KB: batches of 10 → 2.628 M calls, each one 64 KiB chunk → $1.314.
    // A workload batch of 100 still needs ten PublishBatch calls per 100 messages: the same $1.314.
    expect(cost(run("sns-sqs-lambda", { publishBatchSize: 10 }), "SNS publish")).toBeCloseTo(
      (N / 10) * 0.5e-6,
      6,
    );
    expect(cost(run("sns-sqs-lambda", { publishBatchSize: 100 }), "SNS publish")).toBeCloseTo(
      (N / 10) * 0.5e-6,
      6,
    );
  });

  it("counts a batch remainder as a whole invocation: 25 msg/s in batches of 10 is 3 a second", () => {
    const e = estimate({ messagesPerSecond: 25, fanOut: 1 }, prices, { alternatives: ["sns-sqs-lambda"] })[0];
    expect(cost(e, "Lambda invocations")).toBeCloseTo(3 * MONTH_S * 0.2e-6, 6);
  });

  it("subtracts the always-free tiers only when asked, as visible lines", () => {
    const off = estimate({ messagesPerSecond: 100 }, prices, { alternatives: ["sns-sqs-lambda"] })[0];
    const on = estimate({ messagesPerSecond: 100, freeTier: true }, prices, {
      alternatives: ["sns-sqs-lambda"],
    })[0];
    // 1 M SNS × $0.50/M + 1 M SQS × $0.40/M + 1 M Lambda × $0.20/M + 400,000 GB-s × $0.0000133334.
    const free = 0.5 + 0.4 + 0.2 + 400_000 * 0.0000133334;
    expect((off?.monthlyUsd ?? 0) - (on?.monthlyUsd ?? 0)).toBeCloseTo(free, 6);
    const freeLines = on?.lineItems.filter((l) => l.component.startsWith("free tier:")) ?? [];
    // 328,500 GB-s per subscriber: the 400,000 free GB-s span subscriber-1 and part of subscriber-2.
    const freeGbSeconds = freeLines
      .filter((l) => l.billableUnit === "GB-second")
      .reduce((s, l) => s + l.quantity, 0);
    expect(freeGbSeconds).toBeCloseTo(-400_000, 6);
    expect(freeLines.length).toBe(5);
    expect(off?.lineItems.some((l) => l.component.startsWith("free tier:"))).toBe(false);
  });

  it("adds idempotency writes, retries and DLQ sends when asked", () => {
    const e = estimate({ messagesPerSecond: 10, idempotencyWritesPerMessage: 2, dlqFraction: 0.01 }, prices, {
      alternatives: ["sns-sqs-lambda"],
    })[0];
    expect(cost(e, "idempotency writes")).toBeCloseTo(3 * N * 2 * 0.625e-6, 6); // $98.55
    expect(cost(e, "DLQ sends")).toBeCloseTo(3 * N * 0.01 * 0.4e-6, 6);
  });

  it("flags unverified figures and throughput caveats", () => {
    const [redis, fifo] = estimate({ messagesPerSecond: 5_000 }, prices, {
      alternatives: ["redis-streams-ec2", "sns-sqs-lambda-fifo"],
    });
    expect(redis?.unverified.join(" ")).toMatch(/UNVERIFIED/);
    expect(fifo?.warnings.join(" ")).toMatch(/3000 msg\/s per FIFO queue/);
  });

  it("warns where a payload above 256 KiB exceeds what a service takes, and only there", () => {
    const big = estimate({ messagesPerSecond: 1, payloadBytes: 300_000 }, prices, {
      alternatives: [
        "sns-sqs-lambda",
        "eventbridge-sqs-lambda",
        "sfn-standard",
        "sfn-express",
        "kinesis-on-demand",
      ],
    });
    const warned = big.filter((e) => e.warnings.some((w) => /256 KiB/.test(w))).map((e) => e.id);
    expect(warned).toEqual(["sns-sqs-lambda", "eventbridge-sqs-lambda", "sfn-standard", "sfn-express"]);
    const small = estimate({ messagesPerSecond: 1, payloadBytes: 262_144 }, prices, {
      alternatives: ["sns-sqs-lambda", "sfn-standard"],
    });
    expect(small.flatMap((e) => e.warnings)).toEqual([]);
  });

  it("rejects an unknown alternative, listing the allowed ones", () => {
    expect(() => estimate({ messagesPerSecond: 1 }, prices, { alternatives: ["carrier-pigeon"] })).toThrow(
      /--alternatives: unknown "carrier-pigeon" \(allowed: sns-sqs-lambda, /,
    );
  });
});
