/**
 * Google Cloud → AWS: the Lambda function URL a Pub/Sub push subscription delivers to. In order:
 * 1. the push token is verified (push-token.ts) before anything else: 401/403 with no side effect;
 * 2. the push body (`{ message: { data, attributes, messageId }, subscription, deliveryAttempt }`) is
 *    turned back into the CloudEvent its binary-mode `ce-*` attributes describe;
 * 3. the event pipeline (idempotency on the CloudEvent `id`, since Pub/Sub redelivers) publishes it
 *    to the SNS topic as a structured CloudEvent;
 * 4. 204 only after SNS accepted it. Anything else is an error status, which Pub/Sub treats as a
 *    nack: its retry policy retries, and after the dead-letter policy's maximum attempts the message
 *    goes to the subscription's dead-letter topic. 400 for a message that can never succeed (its
 *    retries end in the dead-letter topic), 500 for a failure that may pass.
 */

import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PublishCommand, type PublishCommandInput, type SNSClient } from "@aws-sdk/client-sns";
import type { Context, LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import * as z from "zod";
import type { CloudEvent } from "../shared/cloudevents.js";
import { ConfigError, listEnv, optionalEnv, readEnv } from "../shared/env.js";
import { createEventPipeline, type DeliveryAdapter, type EventPipeline } from "../shared/event-pipeline.js";
import { type FaultInjectionConfig, parseFaultInjection } from "../shared/fault-injection.js";
import {
  createDynamoDbIdempotencyGuard,
  type IdempotencyGuard,
  readIdempotencyExpiresAfterSeconds,
} from "../shared/idempotency.js";
import type { Observability } from "../shared/lambda-handler.js";
import { fromPubsubMessage } from "./cloudevent-pubsub.js";
import {
  type CertificateSource,
  googleCertificates,
  PushTokenError,
  staticCertificates,
  verifyPushToken,
} from "./push-token.js";

/** The push body Pub/Sub sends (wrapped format). */
export const PushBodySchema = z.object({
  message: z.object({
    data: z.string().optional(),
    attributes: z.record(z.string(), z.string()).optional(),
    messageId: z.string().optional(),
    orderingKey: z.string().optional(),
  }),
  subscription: z.string(),
  deliveryAttempt: z.number().int().optional(),
});
export type PushDelivery = z.infer<typeof PushBodySchema>;

/** The push receiver's configuration (environment set by the SnsPubsubBridge construct). */
export interface PushReceiverConfig {
  /** `TOPIC_ARN`: the SNS topic events from Google Cloud are published to. */
  readonly topicArn: string;
  /** `PUSH_AUDIENCE`: the OIDC audience configured on the push subscription. */
  readonly audience: string;
  /** `PUSH_SERVICE_ACCOUNT_EMAIL`: the service account the push subscription signs as. */
  readonly serviceAccountEmail: string;
  /** `ACCEPTED_EVENT_TYPES`: comma-separated CloudEvent types allowed to enter AWS. */
  readonly eventTypes: readonly string[];
  /** `IDEMPOTENCY_TABLE_NAME`. */
  readonly idempotencyTableName: string;
  /** `IDEMPOTENCY_EXPIRES_AFTER_SECONDS` (default 86400 when unset). */
  readonly idempotencyExpiresAfterSeconds: number;
  /** `LOCAL_PUSH_TOKEN_CERTS`: local runs only, the emulator's keys `{ kid: PEM }` as JSON. */
  readonly localCertificates: Record<string, string> | undefined;
  /** `FAULT_INJECTION` (optional). */
  readonly faultInjection: FaultInjectionConfig;
}

/** Reads and validates the configuration; throws {@link ConfigError} naming what is missing. */
export function readPushReceiverConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): PushReceiverConfig {
  const vars = readEnv(
    [
      "TOPIC_ARN",
      "PUSH_AUDIENCE",
      "PUSH_SERVICE_ACCOUNT_EMAIL",
      "IDEMPOTENCY_TABLE_NAME",
      "ACCEPTED_EVENT_TYPES",
    ],
    env,
  );
  const local = optionalEnv("LOCAL_PUSH_TOKEN_CERTS", env);
  let localCertificates: Record<string, string> | undefined;
  if (local !== undefined) {
    try {
      localCertificates = z.record(z.string(), z.string()).parse(JSON.parse(local));
    } catch (error) {
      throw new ConfigError(
        `LOCAL_PUSH_TOKEN_CERTS must be a JSON object { kid: PEM }: ${(error as Error).message}`,
      );
    }
  }
  const eventTypes = listEnv("ACCEPTED_EVENT_TYPES", env);
  return {
    topicArn: vars.TOPIC_ARN,
    eventTypes,
    audience: vars.PUSH_AUDIENCE,
    serviceAccountEmail: vars.PUSH_SERVICE_ACCOUNT_EMAIL,
    idempotencyTableName: vars.IDEMPOTENCY_TABLE_NAME,
    idempotencyExpiresAfterSeconds: readIdempotencyExpiresAfterSeconds(env),
    localCertificates,
    faultInjection: parseFaultInjection(optionalEnv("FAULT_INJECTION", env)),
  };
}

/** The {@link DeliveryAdapter} for Pub/Sub push deliveries. */
export const pushDeliveryAdapter: DeliveryAdapter<PushDelivery> = {
  payload: (delivery) =>
    fromPubsubMessage(delivery.message.attributes ?? {}, Buffer.from(delivery.message.data ?? "", "base64")),
  // Pub/Sub sends deliveryAttempt only with a dead-letter policy; without it fault injection is off.
  attempt: (delivery) => delivery.deliveryAttempt,
  logFields: (delivery) => ({
    messageId: delivery.message.messageId,
    subscription: delivery.subscription,
    deliveryAttempt: delivery.deliveryAttempt,
  }),
};

/** Dependencies of {@link createPushReceiver}. */
export interface PushReceiverDeps extends Observability {
  readonly config: PushReceiverConfig;
  readonly sns: Pick<SNSClient, "send">;
  readonly idempotency: IdempotencyGuard;
  /** @default the emulator's keys when configured, else Google's published keys */
  readonly certificates?: CertificateSource;
}

/** The structured function-URL response the receiver always returns. */
export interface PushResponse extends Exclude<LambdaFunctionURLResult, string> {
  readonly statusCode: number;
}

const response = (statusCode: number, body?: string): PushResponse => ({
  statusCode,
  headers: { "content-type": "text/plain; charset=utf-8" },
  body: body ?? "",
});

/** The SNS Publish of one event: the structured CloudEvent, with `type` for filter policies. */
export function snsPublishInput(topicArn: string, event: CloudEvent): PublishCommandInput {
  return {
    TopicArn: topicArn,
    Message: JSON.stringify(event),
    MessageAttributes: { type: { DataType: "String", StringValue: event.type } },
  };
}

/** The push receiver as a plain function of the function-URL event. */
export function createPushReceiver(
  deps: PushReceiverDeps,
): (event: LambdaFunctionURLEvent, context?: Context) => Promise<PushResponse> {
  const { config, sns, logger } = deps;
  const certificates =
    deps.certificates ??
    (config.localCertificates ? staticCertificates(config.localCertificates) : googleCertificates());
  const pipeline: EventPipeline<PushDelivery> = createEventPipeline<unknown, PushDelivery>({
    name: "pubsub-push",
    adapter: pushDeliveryAdapter,
    // Only the listed types may enter AWS; any other is refused (400, then Pub/Sub's dead-letter topic).
    schemas: Object.fromEntries(config.eventTypes.map((type) => [type, z.unknown()])),
    handle: async (event) => {
      await sns.send(new PublishCommand(snsPublishInput(config.topicArn, event)));
    },
    idempotency: deps.idempotency,
    faultInjection: config.faultInjection,
    logger,
    metrics: deps.metrics,
  });

  return async (event, context) => {
    if (event.requestContext.http.method !== "POST") return response(405, "POST only");
    try {
      await verifyPushToken(
        event.headers.authorization,
        { audience: config.audience, serviceAccountEmail: config.serviceAccountEmail },
        certificates,
      );
    } catch (error) {
      if (error instanceof PushTokenError) {
        logger.warn("push request refused", { statusCode: error.statusCode, reason: error.reason });
        deps.metrics.addMetric("PushTokensRejected", "Count", 1);
        return response(error.statusCode, error.reason);
      }
      throw error;
    }
    let delivery: PushDelivery;
    try {
      const text = event.isBase64Encoded
        ? Buffer.from(event.body ?? "", "base64").toString("utf8")
        : (event.body ?? "");
      delivery = PushBodySchema.parse(JSON.parse(text));
    } catch (error) {
      logger.warn("push body is not a Pub/Sub push message", { error });
      return response(400, "not a Pub/Sub push body");
    }
    try {
      // The invocation's context lets the idempotency record of an invocation that times out expire
      // with it: without it, Powertools cannot bound the in-progress record, and every redelivery
      // of that event would be refused as "in progress" until the dead-letter topic took it.
      const outcome = await pipeline.process(delivery, context);
      if (outcome.status === "rejected") {
        logger.warn("push message rejected; Pub/Sub retries it into its dead-letter topic", {
          ...pushDeliveryAdapter.logFields(delivery),
          errorType: outcome.error.type,
          reason: outcome.error.reason,
        });
        return response(400, `${outcome.error.type}: ${outcome.error.reason}`);
      }
      return response(204);
    } catch {
      // The pipeline returns permanent failures as `rejected` (above) and throws only what may succeed
      // on a retry.
      return response(500, "temporary failure; Pub/Sub will retry");
    }
  };
}

/** The idempotency guard of the push receiver (keys scoped `pubsub-push`). */
export function pushIdempotency(config: PushReceiverConfig, dynamodb: DynamoDBClient): IdempotencyGuard {
  return createDynamoDbIdempotencyGuard({
    tableName: config.idempotencyTableName,
    client: dynamodb,
    keyPrefix: "pubsub-push",
    expiresAfterSeconds: config.idempotencyExpiresAfterSeconds,
  });
}
