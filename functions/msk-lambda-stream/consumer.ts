/**
 * The MSK event source's consumer (`ReportBatchItemFailures`): applies each CloudEvent once per
 * entity in partition order, records poison records and skips them, and returns the Kafka partial
 * batch response. Environment: `EFFECTS_TABLE_NAME`, `IDEMPOTENCY_TABLE_NAME`,
 * `IDEMPOTENCY_EXPIRES_AFTER_SECONDS` (the topic's retention: a record can be redelivered that late),
 * optional `FAULT_INJECTION` (tests and the local scenario only, see ./stream-faults.ts).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Context } from "aws-lambda";
import { createBatchIdempotency } from "../shared/batch-idempotency.js";
import { optionalEnv, readEnv } from "../shared/env.js";
import { readIdempotencyExpiresAfterSeconds } from "../shared/idempotency.js";
import type { KafkaBatchResponse } from "../shared/kafka-batch.js";
import type { KafkaEvent } from "../shared/kafka-event.js";
import { createObservability, lambdaHandler } from "../shared/lambda-handler.js";
import { createEntityEffects } from "./entity-effects.js";
import { createStreamConsumer } from "./stream-consumer.js";
import { hasStreamFaults, parseStreamFaults, streamFaultHook } from "./stream-faults.js";

const env = readEnv(["EFFECTS_TABLE_NAME", "IDEMPOTENCY_TABLE_NAME"]);
const client = new DynamoDBClient({});
const observability = createObservability("kafka-consumer");
const idempotency = createBatchIdempotency({
  tableName: env.IDEMPOTENCY_TABLE_NAME,
  client,
  keyPrefix: "msk-lambda-stream-consumer",
  expiresAfterSeconds: readIdempotencyExpiresAfterSeconds(),
});
const faults = parseStreamFaults(optionalEnv("FAULT_INJECTION"));
let remainingMs = () => 0;
const consume = createStreamConsumer({
  effects: createEntityEffects(client, env.EFFECTS_TABLE_NAME),
  idempotency,
  ...(hasStreamFaults(faults)
    ? { beforeEffect: streamFaultHook(faults, client, env.EFFECTS_TABLE_NAME, () => remainingMs()) }
    : {}),
});

/** Kafka event source handler. */
export const handler = lambdaHandler(
  async (event: KafkaEvent, context: Context): Promise<KafkaBatchResponse> => {
    remainingMs = () => context.getRemainingTimeInMillis();
    const outcome = await consume(event);
    const { logger, metrics } = observability;
    metrics.addMetric("RecordsProcessed", "Count", outcome.processed);
    metrics.addMetric("RecordsReplayed", "Count", outcome.replayed);
    metrics.addMetric("PoisonRecords", "Count", outcome.poison);
    metrics.addMetric("RecordsFailed", "Count", outcome.failed);
    if (outcome.failed > 0 || outcome.poison > 0) {
      logger.warn("partial batch", {
        processed: outcome.processed,
        poison: outcome.poison,
        failed: outcome.failed,
      });
    }
    return outcome.response;
  },
  observability,
);
