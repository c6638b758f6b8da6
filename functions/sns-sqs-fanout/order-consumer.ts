/**
 * Wiring of the example subscribers (billing, shipping, audit): configuration from the
 * environment, the shared SQS consumer, DynamoDB idempotency keyed by subscriber + event id, and
 * the effects-table side effect. The three entry files differ only in their deployment.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { MessageEnvelope } from "../shared/cloudevent-decoder.js";
import { createSqsDlqSender } from "../shared/dlq-sender.js";
import { booleanEnv, optionalEnv, readEnv } from "../shared/env.js";
import { type FaultInjectionConfig, parseFaultInjection } from "../shared/fault-injection.js";
import { createDynamoDbIdempotencyGuard, readIdempotencyExpiresAfterSeconds } from "../shared/idempotency.js";
import { lambdaHandler, type Observability } from "../shared/lambda-handler.js";
import { createSqsConsumer, type SqsConsumer } from "../shared/sqs-consumer.js";
import { createEffectRecorder } from "./effects.js";
import { ORDER_EVENT_SCHEMAS } from "./order-events.js";

/** A subscriber's configuration (see the contract in functions/README.md). */
export interface OrderConsumerConfig {
  /** `SUBSCRIBER_NAME`: billing, shipping, audit, … */
  readonly subscriberName: string;
  /** `IDEMPOTENCY_TABLE_NAME` */
  readonly idempotencyTableName: string;
  /** `EFFECTS_TABLE_NAME` */
  readonly effectsTableName: string;
  /** `DLQ_URL`: this subscriber queue's DLQ. */
  readonly dlqUrl: string;
  /** `RAW_MESSAGE_DELIVERY`: `"true"` → `raw`, `"false"` → `sns`. */
  readonly envelope: MessageEnvelope;
  /** `FAULT_INJECTION` (optional). */
  readonly faultInjection: FaultInjectionConfig;
  /**
   * `IDEMPOTENCY_EXPIRES_AFTER_SECONDS`: how long a completed event id is remembered (the construct
   * sets queue retention + DLQ retention).
   * @default 86400 (only when the variable is unset)
   */
  readonly idempotencyExpiresAfterSeconds?: number;
}

/** Reads and validates the configuration; throws naming every missing variable. */
export function readOrderConsumerConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): OrderConsumerConfig {
  const vars = readEnv(
    ["SUBSCRIBER_NAME", "IDEMPOTENCY_TABLE_NAME", "EFFECTS_TABLE_NAME", "DLQ_URL", "RAW_MESSAGE_DELIVERY"],
    env,
  );
  return {
    subscriberName: vars.SUBSCRIBER_NAME,
    idempotencyTableName: vars.IDEMPOTENCY_TABLE_NAME,
    effectsTableName: vars.EFFECTS_TABLE_NAME,
    dlqUrl: vars.DLQ_URL,
    envelope: booleanEnv("RAW_MESSAGE_DELIVERY", env) ? "raw" : "sns",
    faultInjection: parseFaultInjection(optionalEnv("FAULT_INJECTION", env)),
    idempotencyExpiresAfterSeconds: readIdempotencyExpiresAfterSeconds(env),
  };
}

/** Dependencies of {@link createOrderConsumer}. */
export interface OrderConsumerDeps extends Observability {
  readonly config: OrderConsumerConfig;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

/** The subscriber as a plain {@link SqsConsumer} (tests drive it directly). */
export function createOrderConsumer({
  config,
  dynamodb,
  sqs,
  clock,
  logger,
  metrics,
}: OrderConsumerDeps): SqsConsumer {
  const recordEffect = createEffectRecorder({
    client: dynamodb,
    tableName: config.effectsTableName,
    subscriber: config.subscriberName,
    clock,
  });
  return createSqsConsumer({
    name: config.subscriberName,
    envelope: config.envelope,
    schemas: ORDER_EVENT_SCHEMAS,
    handle: async (event, { logger: log }) => {
      const { applied } = await recordEffect(event);
      const fields = {
        subscriber: config.subscriberName,
        eventId: event.id,
        type: event.type,
        orderId: event.data.orderId,
      };
      if (applied) {
        log.debug("order effect applied", fields);
        return;
      }
      // The idempotency layer let a second application through (an expired or unsaved record): the
      // effect write's condition stopped it and recorded it on the effect item.
      metrics.addMetric("EffectDuplicatesSuppressed", MetricUnit.Count, 1);
      log.warn(
        "order effect already applied by another attempt; not applied again, recorded as a suppressed duplicate",
        fields,
      );
    },
    sendToDlq: createSqsDlqSender({ sqs, queueUrl: config.dlqUrl }),
    idempotency: createDynamoDbIdempotencyGuard({
      tableName: config.idempotencyTableName,
      client: dynamodb,
      keyPrefix: config.subscriberName,
      ...(config.idempotencyExpiresAfterSeconds === undefined
        ? {}
        : { expiresAfterSeconds: config.idempotencyExpiresAfterSeconds }),
    }),
    faultInjection: config.faultInjection,
    logger,
    metrics,
  });
}

/** The Lambda handler (middy + Powertools logger and metrics) around {@link createOrderConsumer}. */
export function createOrderConsumerHandler(deps: OrderConsumerDeps) {
  const consumer = createOrderConsumer(deps);
  return lambdaHandler(consumer.handleBatch, deps);
}
