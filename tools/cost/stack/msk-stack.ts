import { crossAz } from "../alternatives/common.ts";
import { mskServerlessClusterLines } from "../alternatives/kafka.ts";
import type { Alternative } from "../alternatives/types.ts";
import { GIB, HOURS_PER_MONTH, SECONDS_PER_MONTH } from "../constants.ts";
import { lambdaConsumer } from "../consumers.ts";
import { MSK_STANDARD_TYPES } from "../instances.ts";
import { charge, type LineItem } from "../line-items.ts";
import type { PriceCatalogue } from "../prices/catalogue.ts";
import { fleetConstraints, ingressGbPerMonth, retainedStorageGb, roundUpTo } from "../sizing.ts";
import { InputError } from "../units.ts";
import type { Workload } from "../workload.ts";
import { BATCH_IDEMPOTENCY_WRITES, tableWrites } from "./stack-alternative.ts";
import type { KafkaClusterModel, KafkaMappingModel, StackModel } from "./template.ts";

/** One Kafka event poller handles up to 5 MB/s or 5 concurrent invocations (Lambda docs, kafka-scaling-modes). */
export const POLLER_MB_PER_SECOND = 5;
/** Event pollers per event poller unit (EPU), the billing unit of provisioned mode (UNVERIFIED). */
export const POLLERS_PER_EPU = 10;
/**
 * Bytes of each record in the event Lambda invokes the consumer with, besides the base64 value:
 * topic, partition, offset, timestamps, base64 key and headers as JSON (an assumption).
 */
export const MSK_EVENT_RECORD_OVERHEAD_BYTES = 250;
/** Requests per on-failure record on the failure queue: the event source's send, an operator's receive and delete. */
export const FAILURE_QUEUE_REQUESTS = 3;

/** True when the stack holds an MSK cluster with a Lambda event source mapping on it. */
export function isMskStream(model: StackModel): boolean {
  return (model.kafkaClusters ?? []).length > 0 && (model.kafkaMappings ?? []).length > 0;
}

/** Bytes per record of the event the pollers send to Lambda (through the Lambda endpoint or the NAT). */
function invokeBytesPerRecord(w: Workload): number {
  return Math.ceil((w.payloadBytes * 4) / 3) + MSK_EVENT_RECORD_OVERHEAD_BYTES;
}

/** Pollers provisioned: the minimum, or what the throughput needs (5 MB/s each), up to the maximum. */
export function provisionedPollers(w: Workload, pollers: { minimum: number; maximum: number }): number {
  const needed = Math.ceil((w.messagesPerSecond * w.payloadBytes) / 1e6 / POLLER_MB_PER_SECOND);
  return Math.min(pollers.maximum, Math.max(pollers.minimum, needed));
}

/** Brokers a provisioned cluster needs for the workload by the fleet sizer (multiples of 3), or undefined for an unknown type. */
function sizedBrokers(w: Workload, cluster: KafkaClusterModel): number | undefined {
  const type = MSK_STANDARD_TYPES.find((t) => t.name === cluster.instanceType);
  if (!type) return undefined;
  const needed = Math.max(...fleetConstraints(w, type).map((c) => c.brokersNeeded));
  return roundUpTo(Math.max(3, needed), 3);
}

function clusterLines(
  w: Workload,
  prices: PriceCatalogue,
  cluster: KafkaClusterModel,
  partitions: number,
  retentionHours: number,
): LineItem[] {
  const groups = w.consumerGroups ?? 1;
  const retained = { ...w, retentionHours };
  if (cluster.kind === "serverless") {
    return mskServerlessClusterLines(retained, prices, {
      partitions,
      partitionsBasis: `${partitions} partitions (the stack's topics)`,
      groups,
      groupsBasis: `${groups} consumer group(s) (the stack's event source mappings)`,
      retentionBasis: `${retentionHours} h retention (the topic's) × ingest, one billed copy`,
    });
  }
  const type = cluster.instanceType ?? "kafka.m7g.large";
  const synthesized = cluster.brokers ?? 3;
  const sized = sizedBrokers({ ...retained, partitions, consumerGroups: groups }, cluster);
  const brokers = Math.max(synthesized, sized ?? 0);
  const volume = cluster.volumeGiB ?? 1_000;
  return [
    charge(
      prices,
      `msk.broker.${type}`,
      `MSK brokers: ${brokers} × ${type}`,
      brokers * HOURS_PER_MONTH,
      `${synthesized} brokers as synthesized${sized !== undefined ? `; the fleet sizer needs ${sized} for this workload` : "; type unknown to the sizer"}`,
    ),
    charge(
      prices,
      "msk.storage",
      "MSK broker storage",
      brokers * Math.max(volume, retainedStorageGb(retained) / brokers),
      `${brokers} × ${volume} GiB EBS as synthesized (or more if RF × retention × ingest ÷ fill needs it)`,
    ),
  ];
}

function networkLines(prices: PriceCatalogue, model: StackModel, gb: number): LineItem[] {
  const network = model.network ?? { interfaceEndpoints: [], natGateways: 0 };
  const out: LineItem[] = [];
  const endpointAzHours = network.interfaceEndpoints.reduce((n, e) => n + e.azs, 0) * HOURS_PER_MONTH;
  if (network.interfaceEndpoints.length > 0) {
    out.push(
      charge(
        prices,
        "vpc.interfaceEndpoint.hour",
        "VPC interface endpoints: hours",
        endpointAzHours,
        network.interfaceEndpoints.map((e) => `${e.service} × ${e.azs} AZ`).join(", "),
      ),
      charge(
        prices,
        "vpc.interfaceEndpoint.data",
        "VPC interface endpoints: data processed",
        gb,
        "the event source's invoke payloads (Lambda endpoint) and on-failure records (SQS endpoint)",
      ),
    );
  }
  if (network.natGateways > 0) {
    out.push(
      charge(
        prices,
        "vpc.natGateway.hour",
        "NAT gateways: hours",
        network.natGateways * HOURS_PER_MONTH,
        `${network.natGateways} NAT gateway(s)`,
      ),
      charge(
        prices,
        "vpc.natGateway.data",
        "NAT gateways: data processed",
        network.interfaceEndpoints.length > 0 ? 0 : gb,
        network.interfaceEndpoints.length > 0
          ? "none: the service traffic uses the interface endpoints"
          : "the event source's invoke payloads and on-failure records",
      ),
    );
  }
  return out;
}

function pollerLines(prices: PriceCatalogue, w: Workload, mapping: KafkaMappingModel): LineItem[] {
  if (!mapping.pollers) return [];
  const pollers = provisionedPollers(w, mapping.pollers);
  const epus = Math.ceil(pollers / POLLERS_PER_EPU);
  return [
    charge(
      prices,
      "lambda.kafka.eventPollerUnit",
      "event source: provisioned pollers (EPU-hours)",
      epus * HOURS_PER_MONTH,
      `${pollers} poller(s) (minimum ${mapping.pollers.minimum}, maximum ${mapping.pollers.maximum}, ${POLLER_MB_PER_SECOND} MB/s each) in ${epus} EPU(s) of ${POLLERS_PER_EPU}`,
    ),
  ];
}

/**
 * Prices the `msk-lambda-stream` stack as synthesized: the MSK cluster (Serverless: cluster-hours,
 * partition-hours of the stack's topics, GB in and out, storage for the topic's retention; or
 * provisioned brokers, at least what the fleet sizer needs), the interface endpoints (per AZ-hour
 * and per GB) or NAT gateways the event source needs to reach Lambda, STS and SQS, the event
 * source's provisioned pollers (EPU-hours), the consumer and producer functions, idempotency
 * writes, the failure queue, and client traffic across AZs.
 */
export function mskStackAlternative(model: StackModel): Alternative {
  const cluster = model.kafkaClusters?.[0];
  const mapping = model.kafkaMappings?.find((m) => m.clusterId === cluster?.id) ?? model.kafkaMappings?.[0];
  if (!cluster || !mapping) {
    throw new InputError(
      `--stack: ${model.stackName} has no MSK cluster with an event source mapping to price`,
    );
  }
  const topics = model.kafkaTopics ?? [];
  const tableIds = new Set(model.tables.map((t) => t.id));
  const consumer = model.functions.find((f) => f.id === mapping.functionId);
  const producer = model.functions.find(
    (f) => f.id !== consumer?.id && f.env.TOPIC_NAME !== undefined && f.envRefs.CLUSTER_ARN !== undefined,
  );
  const partitions = (w: Workload) =>
    topics.length > 0 ? topics.reduce((n, t) => n + t.partitions, 0) : w.partitions;
  const retentionHours = (w: Workload) => topics[0]?.retentionHours ?? w.retentionHours;
  const groupsOf = (w: Workload): Workload => ({
    ...w,
    consumerGroups: w.consumerGroups ?? Math.max(1, (model.kafkaMappings ?? []).length),
  });
  const lines = (given: Workload, prices: PriceCatalogue): LineItem[] => {
    const w = groupsOf(given);
    const n = w.messagesPerSecond * SECONDS_PER_MONTH;
    const failures = n * w.dlqFraction;
    const serviceGb = (n * (1 + w.retryFraction) * invokeBytesPerRecord(w) + failures * 1_024) / GIB;
    const groups = w.consumerGroups ?? 1;
    return [
      ...clusterLines(w, prices, cluster, partitions(w), retentionHours(w)),
      crossAz(
        prices,
        "client traffic across AZs",
        ingressGbPerMonth(w) * (1 + groups) * w.crossAzClientFraction,
        `${(w.crossAzClientFraction * 100).toFixed(0)} % of produce + ${groups} × consume GB (one group per event source mapping) reach a broker in another AZ`,
      ),
      ...networkLines(prices, model, serviceGb),
      ...pollerLines(prices, w, mapping),
      ...lambdaConsumer(w, prices, {
        label: "consumer",
        messagesPerSecond: w.messagesPerSecond,
        batchSize: mapping.batchSize,
        batchWindowSeconds: mapping.batchWindowSeconds,
        lambdaMemoryMb: consumer?.memoryMb ?? w.lambdaMemoryMb,
        lambdaArch: consumer?.arch ?? w.lambdaArch,
        idempotencyWritesPerMessage: consumer
          ? tableWrites(consumer, tableIds, { idempotencyWrites: BATCH_IDEMPOTENCY_WRITES }).writes
          : w.idempotencyWritesPerMessage,
      }),
      ...(consumer && tableIds.has(consumer.envRefs.IDEMPOTENCY_TABLE_NAME ?? "")
        ? [
            charge(
              prices,
              "dynamodb.onDemand.read",
              "consumer: idempotency reads (DynamoDB)",
              n * (1 + w.retryFraction),
              "1 strongly consistent read unit per delivered record (one BatchGetItem of the batch's event ids)",
            ),
          ]
        : []),
      ...(producer
        ? lambdaConsumer({ ...w, retryFraction: 0 }, prices, {
            label: "producer",
            messagesPerSecond: w.messagesPerSecond,
            batchSize: w.publishBatchSize,
            batchWindowSeconds: 1,
            lambdaMemoryMb: producer.memoryMb,
            lambdaArch: producer.arch,
            idempotencyWritesPerMessage: 0,
          })
        : []),
      ...(mapping.onFailureId
        ? [
            charge(
              prices,
              "sqs.standard.request",
              "failure queue: SQS requests",
              failures * FAILURE_QUEUE_REQUESTS,
              `${w.dlqFraction * 100} % of records (--dlq) as on-failure records (send, receive, delete; ≤ 64 KiB each)`,
            ),
          ]
        : []),
    ];
  };
  return {
    id: `stack:${model.stackName}`,
    name: `${model.stackName} (as synthesized, MSK ${cluster.kind} → Lambda)`,
    category: "messaging",
    hosting: cluster.kind === "serverless" ? "serverless" : "managed",
    lines,
    assumptions: (w) => [
      `${w.messagesPerSecond}/s produced by the producer function (${w.publishBatchSize} record(s) per invocation, --publish-batch) and consumed by one event source mapping (batch ${mapping.batchSize}, window ${mapping.batchWindowSeconds} s)`,
      `topics: ${topics.length > 0 ? topics.map((t) => `${t.name} (${t.partitions} partitions, ${t.retentionHours ?? w.retentionHours} h retention)`).join(", ") : `none in the template; --partitions ${w.partitions}, --retention ${w.retentionHours} h`}`,
      `ASSUMED: ${MSK_EVENT_RECORD_OVERHEAD_BYTES} B of JSON per record in the invoke event besides the base64 value; the producer's Kafka traffic stays in the VPC (no endpoint); the consumer's DynamoDB writes do not cross an endpoint`,
      ...(mapping.pollers
        ? [
            `provisioned pollers billed as event poller units (UNVERIFIED), ${POLLERS_PER_EPU} pollers per EPU at the catalogue's EPU-hour price; one poller handles ${POLLER_MB_PER_SECOND} MB/s (Lambda docs)`,
          ]
        : ["the event source is in on-demand mode: no poller charge"]),
      "not priced: CloudWatch alarms and logs, VPC flow logs, the KMS key of the failure queue, the topic administrator custom resource (runs on deploy only)",
    ],
    warnings: (w) => {
      if (cluster.kind !== "provisioned") return [];
      const sized = sizedBrokers(
        {
          ...w,
          retentionHours: retentionHours(w),
          partitions: partitions(w),
          consumerGroups: w.consumerGroups ?? 1,
        },
        cluster,
      );
      return sized !== undefined && sized > (cluster.brokers ?? 3)
        ? [
            `the synthesized ${cluster.brokers ?? 3} brokers are too few for this workload: the fleet sizer needs ${sized} ${cluster.instanceType}; priced with ${sized}`,
          ]
        : [];
    },
  };
}
