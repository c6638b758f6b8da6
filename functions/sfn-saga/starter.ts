/**
 * The starter: consumes the order-request queue (SQS event source, `ReportBatchItemFailures`) and
 * starts one saga per order (start-order.ts). Bad requests (schema, size) and conflicting ones go to
 * the queue's DLQ at once with `error.type`/`error.reason`; throttling and other transient errors are
 * retried by SQS. No idempotency table is needed: the execution name is the idempotency key.
 */
import { SFNClient } from "@aws-sdk/client-sfn";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createSqsDlqSender } from "../shared/dlq-sender.js";
import { readEnv } from "../shared/env.js";
import { createObservability, lambdaHandler } from "../shared/lambda-handler.js";
import { createSqsConsumer } from "../shared/sqs-consumer.js";
import { ORDER_REQUESTED, OrderSchema } from "./order.js";
import { startOrderSaga } from "./start-order.js";

const { STATE_MACHINE_ARN, DLQ_URL } = readEnv(["STATE_MACHINE_ARN", "DLQ_URL"]);
const sfn = new SFNClient({});
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
const observability = createObservability("saga-starter");

const consumer = createSqsConsumer({
  name: "saga-starter",
  envelope: "raw",
  schemas: { [ORDER_REQUESTED]: OrderSchema },
  sendToDlq: createSqsDlqSender({ sqs, queueUrl: DLQ_URL }),
  handle: async (event, { logger }) => {
    const outcome = await startOrderSaga(sfn, STATE_MACHINE_ARN, event.data);
    logger.info(outcome.status === "started" ? "saga started" : "duplicate request: saga already started", {
      orderId: event.data.orderId,
      executionArn: outcome.executionArn,
    });
  },
  logger: observability.logger,
  metrics: observability.metrics,
});

/** SQS event source handler. */
export const handler = lambdaHandler(consumer.handleBatch, observability);
