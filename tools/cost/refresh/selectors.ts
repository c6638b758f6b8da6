import { KAFKA_EC2_TYPES, MSK_EXPRESS_TYPES, MSK_STANDARD_TYPES } from "../instances.ts";
import type { PriceSelector } from "./offer-file.ts";

/** `~` regular expression for a usage type with an optional region prefix (`USE2-Requests-Tier1`). */
const usage = (name: string) => `~(^|-)${name.replace(/\./g, "\\.")}$`;

const ec2 = (instanceType: string): Record<string, string> => ({
  instanceType,
  operatingSystem: "Linux",
  tenancy: "Shared",
  preInstalledSw: "NA",
  capacitystatus: "Used",
  licenseModel: "No License required",
});

/**
 * Where each catalogue price lives in the AWS Price List offer files. Prices with no selector
 * (Google Cloud Pub/Sub) or whose selector finds nothing keep their current value and are reported.
 */
export const SELECTORS: readonly PriceSelector[] = [
  {
    key: "sqs.standard.request",
    serviceCode: "AWSQueueService",
    attributes: { queueType: "Standard", usagetype: usage("Requests-Tier1") },
  },
  {
    key: "sqs.fifo.request",
    serviceCode: "AWSQueueService",
    attributes: { queueType: "~^FIFO", usagetype: usage("Requests-FIFO-Tier1") },
  },
  {
    key: "sns.standard.publish",
    serviceCode: "AmazonSNS",
    attributes: { usagetype: usage("Requests-Tier1") },
  },
  {
    key: "sns.delivery.http",
    serviceCode: "AmazonSNS",
    attributes: { usagetype: usage("DeliveryAttempts-HTTP") },
  },
  { key: "lambda.request", serviceCode: "AWSLambda", attributes: { usagetype: usage("Request") } },
  {
    key: "lambda.duration.x86_64",
    serviceCode: "AWSLambda",
    attributes: { usagetype: usage("Lambda-GB-Second") },
  },
  {
    key: "lambda.duration.arm64",
    serviceCode: "AWSLambda",
    attributes: { usagetype: usage("Lambda-GB-Second-ARM") },
  },
  {
    key: "sfn.standard.transition",
    serviceCode: "AmazonStates",
    attributes: { usagetype: usage("StateTransition") },
  },
  {
    key: "sfn.express.request",
    serviceCode: "AmazonStates",
    attributes: { usagetype: usage("StepFunctions-Request") },
  },
  {
    key: "sfn.express.duration",
    serviceCode: "AmazonStates",
    attributes: { usagetype: usage("StepFunctions-GB-Second") },
    factor: 3_600,
  },
  {
    key: "events.customEvent",
    serviceCode: "AWSEvents",
    attributes: { usagetype: usage("Event-64K-Chunks") },
  },
  {
    key: "dynamodb.onDemand.write",
    serviceCode: "AmazonDynamoDB",
    attributes: { usagetype: usage("WriteRequestUnits") },
  },
  {
    key: "dynamodb.onDemand.read",
    serviceCode: "AmazonDynamoDB",
    attributes: { usagetype: usage("ReadRequestUnits") },
  },
  {
    key: "dynamodb.storage",
    serviceCode: "AmazonDynamoDB",
    attributes: { usagetype: usage("TimedStorage-ByteHrs") },
  },
  {
    key: "kinesis.provisioned.shardHour",
    serviceCode: "AmazonKinesis",
    attributes: { usagetype: usage("Storage-ShardHour") },
  },
  {
    key: "kinesis.provisioned.putUnit",
    serviceCode: "AmazonKinesis",
    attributes: { usagetype: usage("PutRequestPayloadUnits") },
  },
  {
    key: "kinesis.onDemand.streamHour",
    serviceCode: "AmazonKinesis",
    attributes: { usagetype: usage("OnDemand-StreamHour") },
  },
  {
    key: "kinesis.onDemand.ingress",
    serviceCode: "AmazonKinesis",
    attributes: { usagetype: usage("OnDemand-BilledIncomingBytes") },
  },
  {
    key: "kinesis.onDemand.retrieval",
    serviceCode: "AmazonKinesis",
    attributes: { usagetype: usage("OnDemand-BilledOutgoingBytes") },
  },
  {
    key: "msk.broker.kafka.t3.small",
    serviceCode: "AmazonMSK",
    attributes: { usagetype: usage("Kafka.t3.small") },
  },
  // MSK Standard and Express broker sizes of the instance table (usage types Kafka.<type>; the
  // Express usage type is written from the documented naming and has not been seen matching).
  ...MSK_STANDARD_TYPES.map((t) => ({
    key: t.priceKey,
    serviceCode: "AmazonMSK",
    attributes: { usagetype: usage(`Kafka.${t.name.replace(/^kafka\./, "")}`) },
  })),
  ...MSK_EXPRESS_TYPES.map((t) => ({
    key: t.priceKey,
    serviceCode: "AmazonMSK",
    attributes: { usagetype: usage(`Kafka.${t.name}`) },
  })),
  { key: "msk.storage", serviceCode: "AmazonMSK", attributes: { usagetype: usage("Kafka.Storage.GP2") } },
  {
    key: "mq.broker.mq.m5.large",
    serviceCode: "AmazonMQ",
    attributes: { usagetype: usage("mq.m5.large"), brokerEngine: "RabbitMQ" },
  },
  { key: "ec2.t3.medium", serviceCode: "AmazonEC2", attributes: ec2("t3.medium") },
  { key: "ec2.m5.large", serviceCode: "AmazonEC2", attributes: ec2("m5.large") },
  { key: "ec2.m6g.large", serviceCode: "AmazonEC2", attributes: ec2("m6g.large") },
  ...KAFKA_EC2_TYPES.map((t) => ({ key: t.priceKey, serviceCode: "AmazonEC2", attributes: ec2(t.name) })),
  {
    key: "ebs.gp3",
    serviceCode: "AmazonEC2",
    attributes: { volumeApiName: "gp3", usagetype: usage("EBS:VolumeUsage.gp3") },
  },
];

/** Service codes the refresh reads by default. AmazonEC2's regional offer file is several GB: opt in. */
export const DEFAULT_SERVICES = [...new Set(SELECTORS.map((s) => s.serviceCode))].filter(
  (s) => s !== "AmazonEC2",
);

/** The bulk offer file URL of a service in a region. */
export function offerUrl(serviceCode: string, region: string): string {
  return `https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/${serviceCode}/current/${region}/index.json`;
}
