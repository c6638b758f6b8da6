import { z } from "zod";
import { WorkloadError, type WorkloadIssue } from "./errors.ts";

/**
 * One subscriber of a fan-out (an SQS queue with its Lambda consumer). The generic workload
 * builds `fanOut` identical subscribers; `--stack` builds them from the synthesized template.
 */
export const subscriberSchema = z
  .object({
    name: z.string().min(1),
    /**
     * Fraction of published messages this subscriber receives (its SNS filter policy). An explicit
     * assumption: the model cannot know your traffic mix. @default 1
     */
    matchFraction: z.number().min(0).max(1).default(1),
    /** Whether the filter policy scans the message body (`FilterPolicyScope: MessageBody`). @default false */
    bodyFilter: z.boolean().default(false),
    /** Raw message delivery: without it SQS receives the SNS JSON envelope (≈ 1 KiB more). @default true */
    rawDelivery: z.boolean().default(true),
    batchSize: z.number().int().min(1).max(10_000).optional(),
    batchWindowSeconds: z.number().min(0).max(300).optional(),
    lambdaMemoryMb: z.number().int().min(128).max(10_240).optional(),
    lambdaArch: z.enum(["arm64", "x86_64"]).optional(),
    idempotencyWritesPerMessage: z.number().min(0).max(100).optional(),
  })
  .strict();
export type SubscriberInput = z.input<typeof subscriberSchema>;
export type Subscriber = z.output<typeof subscriberSchema>;

/**
 * A messaging workload. Field names carry their units. Every field but `messagesPerSecond` has a
 * default chosen for the reference workload (1 KB messages, fan-out 3, 24 h retention).
 */
export const workloadSchema = z
  .object({
    /** Average published messages per second (before fan-out). */
    messagesPerSecond: z.number().nonnegative(),
    /**
     * Payload size of one message in bytes, at most SQS's 1 MiB. SNS, EventBridge and Step Functions
     * take at most 256 KiB: their options warn above that (a claim check in S3 is then needed).
     * @default 1000
     */
    payloadBytes: z.number().int().min(1).max(1_048_576).default(1_000),
    /** Number of independent subscribers / consumer groups that each get every message. @default 3 */
    fanOut: z.number().int().min(1).max(1_000).default(3),
    /** How long the transport must keep messages (streams: retention; queues: backlog capacity). @default 24 */
    retentionHours: z
      .number()
      .positive()
      .max(24 * 365)
      .default(24),
    /** Kafka/Kinesis consumer groups; defaults to `fanOut`. */
    consumerGroups: z.number().int().min(1).max(1_000).optional(),
    /** Topic partitions for Kafka options (MSK partition-hours, broker partition limits). @default 12 */
    partitions: z.number().int().min(1).max(100_000).default(12),
    /** Consumer Lambda memory. @default 256 */
    lambdaMemoryMb: z.number().int().min(128).max(10_240).default(256),
    /** Consumer Lambda billed milliseconds per message (the handler's own work). @default 5 */
    lambdaMsPerMessage: z.number().min(0).max(900_000).default(5),
    /** Consumer Lambda architecture. @default "arm64" */
    lambdaArch: z.enum(["arm64", "x86_64"]).default("arm64"),
    /** Event source mapping batch size. @default 10 */
    batchSize: z.number().int().min(1).max(10_000).default(10),
    /**
     * Seconds a batch fills before the function is invoked (ESM `MaximumBatchingWindowInSeconds`;
     * 0 is modelled as 1 s: a poller's next receive returns what arrived meanwhile). @default 1
     */
    batchWindowSeconds: z.number().min(0).max(300).default(1),
    /**
     * DynamoDB writes per processed message, for every option alike (Powertools idempotency writes an
     * in-progress then a completed record: 2). Off by default so that options compare on the
     * transport; `--stack` turns it on for functions wired to an idempotency table. @default 0
     */
    idempotencyWritesPerMessage: z.number().min(0).max(100).default(0),
    /**
     * Messages per publish call: a Pub/Sub publish request takes up to 1,000; SNS PublishBatch at
     * most 10, so the SNS options send larger batches as several calls of 10. @default 1
     */
    publishBatchSize: z.number().int().min(1).max(1_000).default(1),
    /** Fraction of deliveries that fail once and are received and processed again. @default 0 */
    retryFraction: z.number().min(0).max(10).default(0),
    /** Fraction of deliveries that end in a dead-letter queue (one more send each). @default 0 */
    dlqFraction: z.number().min(0).max(1).default(0),
    /** Task states in a saga (Step Functions alternatives). @default 4 */
    sagaSteps: z.number().int().min(1).max(1_000).default(4),
    /** Retries per saga step (each a billed transition and invocation). @default 0.05 */
    sagaRetriesPerStep: z.number().min(0).max(10).default(0.05),
    /**
     * Share of sagas that fail at a business step and run their compensations (`--stack` on a state
     * machine or a choreography): an explicit assumption, the template cannot tell. @default 0.05
     */
    sagaCompensatedFraction: z.number().min(0).max(1).default(0.05),
    /**
     * Bridges (`--stack` on the SNS ↔ Pub/Sub bridge): Google → AWS messages per AWS → Google
     * message (`--rate` counts the AWS → Google direction). @default 1
     */
    bridgeInboundRatio: z.number().min(0).max(1_000).default(1),
    /** Apply AWS always-free tiers (they are per account, shared with everything else). @default false */
    freeTier: z.boolean().default(false),
    /** Operations labour for self-hosted options, hours per month (explicit, never hidden). @default 0 */
    opsHoursPerMonth: z.number().min(0).max(10_000).default(0),
    /** Hourly rate of that labour in USD. @default 0 */
    opsHourlyRateUsd: z.number().min(0).max(10_000).default(0),
    /** Reserved-instance / savings-plan discount on EC2 instance-hours (0 to 0.75). @default 0 */
    reservedDiscount: z.number().min(0).max(0.75).default(0),
    /** Replication factor for self-hosted and provisioned brokers. @default 3 */
    replicationFactor: z.number().int().min(1).max(5).default(3),
    /**
     * Target disk fill of broker storage: provisioned storage = RF × retention × ingest ÷ fill. 0.5
     * leaves half of every disk free for traffic growth, partition reassignment and the replicas of
     * a lost broker; published teardowns often size at 1 (no headroom). @default 0.5
     */
    diskFillTarget: z.number().min(0.05).max(1).default(0.5),
    /**
     * Share of client traffic (produce and consume) that crosses AZs. Clients spread evenly over 3
     * AZs reach a leader in another AZ 2/3 of the time; 0 when clients sit in their partition
     * leader's AZ. @default 2/3
     */
    crossAzClientFraction: z
      .number()
      .min(0)
      .max(1)
      .default(2 / 3),
    /**
     * Kafka follower fetching (KIP-392: `client.rack` on consumers, `replica.selector.class` =
     * RackAwareReplicaSelector on brokers; MSK supports it): consumers read from a replica in their
     * own AZ, so consumer traffic does not cross AZs; produce traffic still goes to the leader.
     * @default false
     */
    followerFetching: z.boolean().default(false),
    /**
     * Hours in which a replaced broker must re-replicate its share of the log from its peers, at 80 %
     * of its baseline network / EBS bandwidth: caps the storage one broker may hold, so a fleet of few
     * huge-disk brokers is not chosen. @default 24
     */
    brokerRecoveryHours: z
      .number()
      .positive()
      .max(24 * 14)
      .default(24),
    /** Explicit subscribers (from `--stack`); otherwise `fanOut` identical ones that get everything. */
    subscribers: z.array(subscriberSchema).min(1).optional(),
  })
  .strict();
export type WorkloadInput = z.input<typeof workloadSchema>;
export type Workload = z.output<typeof workloadSchema>;

/** The CLI flag that sets each workload field (error messages name the flag, not the field). */
export const WORKLOAD_FLAGS = {
  messagesPerSecond: "--rate",
  payloadBytes: "--size",
  fanOut: "--fan-out",
  retentionHours: "--retention",
  consumerGroups: "--consumer-groups",
  partitions: "--partitions",
  lambdaMemoryMb: "--memory",
  lambdaMsPerMessage: "--ms-per-message",
  lambdaArch: "--arch",
  batchSize: "--batch-size",
  batchWindowSeconds: "--batch-window",
  idempotencyWritesPerMessage: "--idempotency-writes",
  publishBatchSize: "--publish-batch",
  retryFraction: "--retry",
  dlqFraction: "--dlq",
  sagaSteps: "--saga-steps",
  sagaRetriesPerStep: "--saga-retries",
  sagaCompensatedFraction: "--saga-compensated",
  bridgeInboundRatio: "--inbound-ratio",
  freeTier: "--free-tier",
  opsHoursPerMonth: "--ops-hours",
  opsHourlyRateUsd: "--ops-rate",
  reservedDiscount: "--reserved-discount",
  replicationFactor: "--replication-factor",
  diskFillTarget: "--disk-fill",
  crossAzClientFraction: "--cross-az-clients",
  followerFetching: "--follower-fetching",
  brokerRecoveryHours: "--broker-recovery",
  subscribers: "--stack",
} as const satisfies Record<keyof WorkloadInput, string>;

/** How a bound reads for a field whose raw unit is not obvious from its flag. */
const BOUND_WORDS: Partial<Record<keyof WorkloadInput, (n: number) => string>> = {
  payloadBytes: (n) =>
    n === 1_048_576
      ? "1 MiB (1,048,576 B, the SQS maximum; SNS, EventBridge and Step Functions take at most 256 KiB, 262,144 B)"
      : `${n} B`,
  retentionHours: (n) => `${n} h`,
  brokerRecoveryHours: (n) => `${n} h`,
  lambdaMemoryMb: (n) => `${n} MB`,
};

function issueOf(issue: z.core.$ZodIssue): WorkloadIssue {
  const field = String(issue.path[0] ?? "(workload)");
  const flag = (WORKLOAD_FLAGS as Record<string, string>)[field] ?? field;
  const words = BOUND_WORDS[field as keyof WorkloadInput] ?? ((n: number) => n.toLocaleString("en-US"));
  let message = issue.message;
  if (issue.code === "too_big" && typeof issue.maximum === "number") {
    message = `too big: at most ${words(issue.maximum)}`;
  } else if (issue.code === "too_small" && typeof issue.minimum === "number") {
    message = `too small: at least ${words(issue.minimum)}`;
  } else if (issue.code === "invalid_type" && issue.expected === "int") {
    message = "must be a whole number";
  } else if (issue.code === "unrecognized_keys") {
    message = `unknown workload fields ${issue.keys.join(", ")}`;
  }
  return { field, flag, message };
}

/**
 * Validates a workload and fills its defaults. Throws a `WorkloadError` listing every bad field,
 * each named by its CLI flag (`--size: too big: at most 1 MiB …`).
 */
export function resolveWorkload(input: WorkloadInput): Workload {
  const parsed = workloadSchema.safeParse(input);
  if (!parsed.success) throw new WorkloadError(parsed.error.issues.map(issueOf));
  return parsed.data;
}

/** A subscriber with every consumer setting resolved from the workload defaults. */
export interface ResolvedSubscriber {
  readonly name: string;
  readonly matchFraction: number;
  readonly bodyFilter: boolean;
  readonly rawDelivery: boolean;
  readonly batchSize: number;
  readonly batchWindowSeconds: number;
  readonly lambdaMemoryMb: number;
  readonly lambdaArch: "arm64" | "x86_64";
  readonly idempotencyWritesPerMessage: number;
}

/** The subscribers of a workload: explicit ones, or `fanOut` identical ones receiving everything. */
export function subscribersOf(w: Workload): ResolvedSubscriber[] {
  const explicit: Subscriber[] =
    w.subscribers ??
    Array.from({ length: w.fanOut }, (_, i) => ({
      name: `subscriber-${i + 1}`,
      matchFraction: 1,
      bodyFilter: false,
      rawDelivery: true,
    }));
  return explicit.map((s) => ({
    name: s.name,
    matchFraction: s.matchFraction,
    bodyFilter: s.bodyFilter,
    rawDelivery: s.rawDelivery,
    batchSize: s.batchSize ?? w.batchSize,
    batchWindowSeconds: s.batchWindowSeconds ?? w.batchWindowSeconds,
    lambdaMemoryMb: s.lambdaMemoryMb ?? w.lambdaMemoryMb,
    lambdaArch: s.lambdaArch ?? w.lambdaArch,
    idempotencyWritesPerMessage: s.idempotencyWritesPerMessage ?? w.idempotencyWritesPerMessage,
  }));
}

/**
 * Consumer groups reading a log (Kafka, Redis Streams, NATS) or subscriptions of a Pub/Sub topic:
 * `--consumer-groups` when given, else one per subscriber of the fan-out.
 */
export function consumerGroupsOf(w: Workload): number {
  return w.consumerGroups ?? w.fanOut;
}
