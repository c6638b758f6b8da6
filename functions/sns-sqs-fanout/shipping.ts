/**
 * Shipping subscriber: receives orders whose `data.status` is `paid` (SNS body filter), raw delivery.
 * Records an idempotent effect per event in the effects table; see functions/README.md.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createObservability } from "../shared/lambda-handler.js";
import { createOrderConsumerHandler, readOrderConsumerConfig } from "./order-consumer.js";

const config = readOrderConsumerConfig();
const dynamodb = new DynamoDBClient({});
// The endpoint (AWS, or AWS_ENDPOINT_URL_SQS on a local target) decides where requests go, not the
// host inside DLQ_URL: emulators hand out queue URLs whose host is not their listening address.
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });

/** SQS event source handler (`ReportBatchItemFailures`). */
export const handler = createOrderConsumerHandler({
  config,
  dynamodb,
  sqs,
  ...createObservability(config.subscriberName),
});
