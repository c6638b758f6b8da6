/**
 * The producer function (in the cluster VPC): `{ events: [{ entityId, sequence, type, data?, id? }] }`
 * → CloudEvents on `TOPIC_NAME`, keyed by entity ID, with an idempotent producer and `acks=all`.
 * Environment: `CLUSTER_ARN`, `TOPIC_NAME`, `AWS_REGION` (set by Lambda), optional `EVENT_SOURCE`.
 */
import { KafkaClient } from "@aws-sdk/client-kafka";
import { ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import { generateAuthToken } from "aws-msk-iam-sasl-signer-js";
import { optionalEnv, readEnv } from "../shared/env.js";
import { createObservability, lambdaHandler } from "../shared/lambda-handler.js";
import { bootstrapBrokerDiscovery, iamTokenProvider, kafkaTls, mskIamSasl } from "./msk-connection.js";
import { type EntityEventInput, publishEntityEvents } from "./publish.js";

const env = readEnv(["CLUSTER_ARN", "TOPIC_NAME", "AWS_REGION"]);
const source = optionalEnv("EVENT_SOURCE") ?? "msk-lambda-stream-producer";
const discover = bootstrapBrokerDiscovery(new KafkaClient({}), env.CLUSTER_ARN);
const token = iamTokenProvider({ generate: () => generateAuthToken({ region: env.AWS_REGION }) });
const observability = createObservability("kafka-producer");
let producer: Producer<string, string, string, string> | undefined;

async function getProducer(): Promise<Producer<string, string, string, string>> {
  producer ??= new Producer({
    clientId: "msk-lambda-stream-producer",
    bootstrapBrokers: await discover(),
    sasl: mskIamSasl(token),
    ...kafkaTls(),
    serializers: stringSerializers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    autocreateTopics: false,
  });
  return producer;
}

/** Invoked with RequestResponse by the application (or the scenario). */
export const handler = lambdaHandler(async (event: { events?: EntityEventInput[] }) => {
  const result = await publishEntityEvents(await getProducer(), env.TOPIC_NAME, event.events ?? [], {
    source,
  });
  observability.metrics.addMetric("EventsPublished", "Count", result.ids.length);
  return { published: result.ids.length, ids: result.ids, partitions: result.partitions };
}, observability);
