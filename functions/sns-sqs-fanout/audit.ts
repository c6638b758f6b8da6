/**
 * Audit subscriber: receives every order event, wrapped in the SNS notification envelope (raw delivery off).
 * Records an idempotent effect per event in the effects table; see functions/README.md.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createObservability } from "../shared/lambda-handler.js";
import { createOrderConsumerHandler, readOrderConsumerConfig } from "./order-consumer.js";

const config = readOrderConsumerConfig();
const dynamodb = new DynamoDBClient({});
const sqs = new SQSClient({});

/** SQS event source handler (`ReportBatchItemFailures`). */
export const handler = createOrderConsumerHandler({
  config,
  dynamodb,
  sqs,
  ...createObservability(config.subscriberName),
});
