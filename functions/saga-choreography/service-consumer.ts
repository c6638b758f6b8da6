/**
 * The consumer of one saga service's queue: the shared SQS consumer (the SQS adapter of the event
 * pipeline: decode the CloudEvent, fault injection, idempotency on its `id`, classification) around
 * the service's {@link Reaction}, which then puts the events it asks for, each with the order ID as
 * correlation ID and the consumed event's `id` as causation ID.
 *
 * The effect and the put are not atomic. If the put fails, the record fails, the idempotency key is
 * released, and the redelivery repeats the (idempotent) effect and puts the same event ids again.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { createSqsDlqSender } from "../shared/dlq-sender.js";
import { oneOfEnv, optionalEnv, readEnv } from "../shared/env.js";
import { type FaultInjectionConfig, parseFaultInjection } from "../shared/fault-injection.js";
import { createDynamoDbIdempotencyGuard, readIdempotencyExpiresAfterSeconds } from "../shared/idempotency.js";
import { lambdaHandler, type Observability } from "../shared/lambda-handler.js";
import { createSqsConsumer, type SqsConsumer } from "../shared/sqs-consumer.js";
import { SAGA_FLOW, SAGA_SERVICES, type SagaService } from "./flow.js";
import { sagaSchemas } from "./order.js";
import { REACTIONS } from "./reactions.js";
import { type SagaEventBus, sagaEvent } from "./saga-events.js";

/** A service consumer's configuration (set by the construct and the stack). */
export interface ServiceConsumerConfig {
  /** `SAGA_SERVICE`: orders, inventory, payments or shipping. */
  readonly service: SagaService;
  /** `EVENT_SOURCE`: the service's `source` (set by the construct). */
  readonly source: string;
  /** `EVENT_BUS_NAME` (set by the construct). */
  readonly eventBusName: string;
  /** `DLQ_URL`: the queue's DLQ (set by the construct). */
  readonly dlqUrl: string;
  /** `IDEMPOTENCY_TABLE_NAME` */
  readonly idempotencyTableName: string;
  /** `SERVICE_TABLE_NAME`: the service's own table (orders, inventory, payments or shipments). */
  readonly tableName: string;
  /** `FAULT_INJECTION` (optional, e.g. `transient=0.05`). */
  readonly faultInjection: FaultInjectionConfig;
  /** `IDEMPOTENCY_EXPIRES_AFTER_SECONDS` (set by the construct; 86400 only when unset). */
  readonly idempotencyExpiresAfterSeconds: number;
}

/** Reads and validates the configuration; throws naming every missing or invalid variable. */
export function readServiceConsumerConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ServiceConsumerConfig {
  const vars = readEnv(
    [
      "SAGA_SERVICE",
      "EVENT_SOURCE",
      "EVENT_BUS_NAME",
      "DLQ_URL",
      "IDEMPOTENCY_TABLE_NAME",
      "SERVICE_TABLE_NAME",
    ],
    env,
  );
  return {
    service: oneOfEnv("SAGA_SERVICE", SAGA_SERVICES, env),
    source: vars.EVENT_SOURCE,
    eventBusName: vars.EVENT_BUS_NAME,
    dlqUrl: vars.DLQ_URL,
    idempotencyTableName: vars.IDEMPOTENCY_TABLE_NAME,
    tableName: vars.SERVICE_TABLE_NAME,
    faultInjection: parseFaultInjection(optionalEnv("FAULT_INJECTION", env)),
    idempotencyExpiresAfterSeconds: readIdempotencyExpiresAfterSeconds(env),
  };
}

/** Dependencies of {@link createServiceConsumer}. */
export interface ServiceConsumerDeps extends Observability {
  readonly config: ServiceConsumerConfig;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly bus: SagaEventBus;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

/** The service's consumer as a plain {@link SqsConsumer} (tests drive it directly). */
export function createServiceConsumer({
  config,
  dynamodb,
  sqs,
  bus,
  clock,
  logger,
  metrics,
}: ServiceConsumerDeps): SqsConsumer {
  const react = REACTIONS[config.service]({
    dynamodb,
    tableName: config.tableName,
    ...(clock ? { clock } : {}),
  });
  return createSqsConsumer({
    name: config.service,
    envelope: "raw",
    schemas: sagaSchemas(SAGA_FLOW[config.service].consumes),
    handle: async (event, { logger: log }) => {
      const emissions = await react(event);
      const events = emissions.map((e) =>
        sagaEvent(e.type, event.data, {
          source: config.source,
          cause: event,
          ...(e.reason ? { reason: e.reason } : {}),
          ...(clock ? { clock } : {}),
        }),
      );
      if (events.length > 0) await bus.put(events);
      log.debug("saga event handled", {
        service: config.service,
        eventId: event.id,
        type: event.type,
        orderId: event.data.orderId,
        emitted: events.map((e) => e.type),
      });
    },
    sendToDlq: createSqsDlqSender({ sqs, queueUrl: config.dlqUrl }),
    idempotency: createDynamoDbIdempotencyGuard({
      tableName: config.idempotencyTableName,
      client: dynamodb,
      keyPrefix: config.service,
      expiresAfterSeconds: config.idempotencyExpiresAfterSeconds,
    }),
    faultInjection: config.faultInjection,
    logger,
    metrics,
  });
}

/** The Lambda handler (middy + Powertools logger and metrics) around {@link createServiceConsumer}. */
export function createServiceConsumerHandler(deps: ServiceConsumerDeps) {
  return lambdaHandler(createServiceConsumer(deps).handleBatch, deps);
}
