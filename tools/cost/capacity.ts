/**
 * Capacity facts used to size provisioned and self-hosted options. Each carries its source and a
 * status like the prices (`U` ones flag every estimate that depends on them).
 */
export interface CapacityFact {
  readonly value: number;
  readonly unit: string;
  readonly status: "V" | "S" | "U";
  readonly source: string;
}

export const CAPACITY = {
  /** A Kinesis shard takes 1 MB/s or 1,000 records/s in and serves 2 MB/s out (shared). */
  kinesisShardInBytesPerSecond: {
    value: 1_048_576,
    unit: "B/s",
    status: "V",
    source: "Kinesis Data Streams quotas",
  },
  kinesisShardInRecordsPerSecond: {
    value: 1_000,
    unit: "records/s",
    status: "V",
    source: "Kinesis Data Streams quotas",
  },
  kinesisShardOutBytesPerSecond: {
    value: 2_097_152,
    unit: "B/s",
    status: "V",
    source: "Kinesis Data Streams quotas",
  },
  /** MSK Serverless per-cluster throughput quota. */
  mskServerlessInMiBps: {
    value: 200,
    unit: "MiB/s",
    status: "S",
    source: "MSK Serverless quotas (public docs)",
  },
  /** SQS FIFO: 300 msg/s per API action, 3,000 with batching (more in high-throughput mode). */
  sqsFifoBatchedMessagesPerSecond: { value: 3_000, unit: "msg/s", status: "V", source: "SQS FIFO quotas" },
  /** RabbitMQ quorum queues: 3 nodes × 8 vCPU sustained 10,000 msg/s → ≈ 417 queue msg/s per vCPU. */
  rabbitQueueMessagesPerVcpu: {
    value: 10_000 / 24,
    unit: "queue msg/s per vCPU",
    status: "S",
    source: "RabbitMQ 3.10 performance blog (2022): one quorum queue, 3 × 8 vCPU, 10,000 msg/s",
  },
  /** Redis Streams: no trustworthy figure; one stream ≈ one core. Assumed 50,000 stream ops/s per primary. */
  redisStreamOpsPerPrimary: {
    value: 50_000,
    unit: "stream ops/s per primary",
    status: "U",
    source: "UNVERIFIED assumption (no trustworthy published figure; one stream is bound to one core)",
  },
  /** NATS JetStream R3: no trustworthy cloud figure. Assumed 30,000 msg/s per 3 × 2-vCPU cluster. */
  natsR3MessagesPerCluster: {
    value: 30_000,
    unit: "published msg/s per 3-node cluster (R3, file storage)",
    status: "U",
    source:
      "UNVERIFIED assumption (nats bench shows ~272k msg/s R1 in memory on a laptop; no R3 cloud figure)",
  },
  /** SQS event source mappings start with five long-polling pollers (20 s long polls). */
  sqsPollers: {
    value: 5,
    unit: "pollers per queue",
    status: "S",
    source: "Lambda SQS event source mapping docs (five initial pollers, 20 s long polling)",
  },
} as const satisfies Record<string, CapacityFact>;
