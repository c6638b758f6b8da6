/**
 * Lambda entry of the AWS → Google Cloud forwarder: configuration at cold start, AWS SDK clients
 * at module scope, the Pub/Sub client created once the Workload Identity Federation configuration
 * is read (SSM or Secrets Manager). With `PUBSUB_EMULATOR_HOST` set (local runs) the client talks to
 * the emulator without credentials, and the configuration is not read.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { PubSub } from "@google-cloud/pubsub";
import { createObservability } from "../shared/lambda-handler.js";
import { createForwarderHandler, readForwarderConfig } from "./forwarder.js";
import { loadExternalAccountConfig } from "./google-credentials.js";
import { type PubsubPublisher, topicPublisher } from "./pubsub-publisher.js";

const config = readForwarderConfig();
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
let publisher: Promise<PubsubPublisher> | undefined;

async function createPublisher(): Promise<PubsubPublisher> {
  if (process.env.PUBSUB_EMULATOR_HOST) {
    return topicPublisher(new PubSub({ projectId: config.projectId }), config.topicName, {
      timeoutMs: config.publishTimeoutMs,
    });
  }
  const credentials = await loadExternalAccountConfig(config.credentials, {
    ssm: new SSMClient({}),
    secrets: new SecretsManagerClient({}),
  });
  return topicPublisher(new PubSub({ projectId: config.projectId, credentials }), config.topicName, {
    timeoutMs: config.publishTimeoutMs,
  });
}

export const handler = createForwarderHandler({
  config,
  sqs,
  publisher: () => {
    // A failed credential read is retried on the next record, not cached.
    publisher ??= createPublisher().catch((error: unknown) => {
      publisher = undefined;
      throw error;
    });
    return publisher;
  },
  ...createObservability("pubsub-forwarder"),
});
