/**
 * AWS → Google Cloud: the forwarder consumes the bridge's SQS queue (fed by the SNS topic) and
 * publishes each CloudEvent to a Pub/Sub topic in the binary content mode (`ce-*` attributes, the
 * event's data as the message body). It is the SQS adapter of the shared event pipeline
 * (`createSqsConsumer`), so a record is deleted only after Pub/Sub acknowledged its publish:
 * - published → the record is left out of `batchItemFailures` and Lambda deletes it;
 * - a publish failure → `RetryableError`, the record alone is reported and SQS redelivers it
 *   (FIFO: the rest of its message group waits);
 * - not a CloudEvent, a type the bridge does not forward, a message Pub/Sub refuses → the DLQ at once
 *   with `error.type`/`error.reason`.
 * From a FIFO queue the SQS message group ID becomes the Pub/Sub ordering key, so a subscription with
 * message ordering sees each group in order. Delivery is at least once (an SQS redelivery can publish
 * twice): Google-side subscribers deduplicate on `ce-id`, as every Pub/Sub subscriber must.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import * as z from "zod";
import type { MessageEnvelope } from "../shared/cloudevent-decoder.js";
import { createSqsDlqSender } from "../shared/dlq-sender.js";
import { booleanEnv, ConfigError, listEnv, optionalEnv, readEnv } from "../shared/env.js";
import { type FaultInjectionConfig, parseFaultInjection } from "../shared/fault-injection.js";
import { lambdaHandler, type Observability } from "../shared/lambda-handler.js";
import { createSqsConsumer, type SqsConsumer } from "../shared/sqs-consumer.js";
import { toPubsubMessage } from "./cloudevent-pubsub.js";
import type { CredentialLocation } from "./google-credentials.js";
import type { PubsubPublisher } from "./pubsub-publisher.js";

/** The forwarder's configuration (environment set by the SnsPubsubBridge construct). */
export interface ForwarderConfig {
  /** `PUBSUB_TOPIC`: `projects/<project>/topics/<topic>`. */
  readonly topicName: string;
  /** The project of `topicName`. */
  readonly projectId: string;
  /** `DLQ_URL`: the bridge queue's DLQ. */
  readonly dlqUrl: string;
  /** `RAW_MESSAGE_DELIVERY`: `"true"` → `raw`, `"false"` → `sns`. */
  readonly envelope: MessageEnvelope;
  /** `FORWARDED_EVENT_TYPES`: comma-separated CloudEvent types allowed to leave AWS. */
  readonly eventTypes: readonly string[];
  /** `GOOGLE_CREDENTIALS_PARAMETER` or `GOOGLE_CREDENTIALS_SECRET_ARN`. */
  readonly credentials: CredentialLocation;
  /** `PUBLISH_TIMEOUT_MS` (optional): total time of one publish, retries included. @default 20000 */
  readonly publishTimeoutMs: number;
  /** `FAULT_INJECTION` (optional). */
  readonly faultInjection: FaultInjectionConfig;
}

const TOPIC = /^projects\/([^/]+)\/topics\/[^/]+$/;

/** Reads and validates the configuration; throws {@link ConfigError} naming what is wrong. */
export function readForwarderConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ForwarderConfig {
  const vars = readEnv(["PUBSUB_TOPIC", "DLQ_URL", "RAW_MESSAGE_DELIVERY", "FORWARDED_EVENT_TYPES"], env);
  const project = TOPIC.exec(vars.PUBSUB_TOPIC)?.[1];
  if (!project) {
    throw new ConfigError(
      `PUBSUB_TOPIC must be projects/<project>/topics/<topic>, got "${vars.PUBSUB_TOPIC}"`,
    );
  }
  const parameterName = optionalEnv("GOOGLE_CREDENTIALS_PARAMETER", env);
  const secretArn = optionalEnv("GOOGLE_CREDENTIALS_SECRET_ARN", env);
  if ((parameterName === undefined) === (secretArn === undefined)) {
    throw new ConfigError("set exactly one of GOOGLE_CREDENTIALS_PARAMETER or GOOGLE_CREDENTIALS_SECRET_ARN");
  }
  const eventTypes = listEnv("FORWARDED_EVENT_TYPES", env);
  const timeout = optionalEnv("PUBLISH_TIMEOUT_MS", env) ?? "20000";
  const publishTimeoutMs = Number(timeout);
  if (!Number.isInteger(publishTimeoutMs) || publishTimeoutMs < 100) {
    throw new ConfigError(`PUBLISH_TIMEOUT_MS must be an integer ≥ 100 (milliseconds), got "${timeout}"`);
  }
  return {
    publishTimeoutMs,
    topicName: vars.PUBSUB_TOPIC,
    projectId: project,
    dlqUrl: vars.DLQ_URL,
    envelope: booleanEnv("RAW_MESSAGE_DELIVERY", env) ? "raw" : "sns",
    eventTypes,
    credentials: parameterName ? { parameterName } : { secretArn: secretArn as string },
    faultInjection: parseFaultInjection(optionalEnv("FAULT_INJECTION", env)),
  };
}

/** Dependencies of {@link createForwarder}. */
export interface ForwarderDeps extends Observability {
  readonly config: ForwarderConfig;
  /** Resolved lazily on the first record (the credential is read asynchronously at cold start). */
  readonly publisher: () => Promise<PubsubPublisher>;
  readonly sqs: SQSClient;
}

/** The SQS message group ID of a FIFO record: the event's key, used as the ordering key. */
export function orderingKeyOf(record: SQSRecord): string | undefined {
  return record.eventSourceARN.endsWith(".fifo") ? record.attributes.MessageGroupId : undefined;
}

/** The forwarder as a plain {@link SqsConsumer} (tests drive it directly). */
export function createForwarder({ config, publisher, sqs, logger, metrics }: ForwarderDeps): SqsConsumer {
  // The bridge does not interpret `data`: any JSON value of an allowed type crosses.
  const schemas = Object.fromEntries(config.eventTypes.map((type) => [type, z.unknown()]));
  return createSqsConsumer<unknown>({
    name: "pubsub-forwarder",
    envelope: config.envelope,
    schemas,
    handle: async (event, { record, logger: log }) => {
      const message = toPubsubMessage(event, orderingKeyOf(record));
      const messageId = await (await publisher()).publish(message);
      log.debug("forwarded to Pub/Sub", { eventId: event.id, messageId, topic: config.topicName });
    },
    sendToDlq: createSqsDlqSender({ sqs, queueUrl: config.dlqUrl }),
    faultInjection: config.faultInjection,
    logger,
    metrics,
  });
}

/** The Lambda handler (middy + Powertools) around {@link createForwarder}. */
export function createForwarderHandler(deps: ForwarderDeps) {
  const forwarder = createForwarder(deps);
  return lambdaHandler(forwarder.handleBatch, deps);
}
