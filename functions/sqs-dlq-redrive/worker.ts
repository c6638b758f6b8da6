/**
 * The sqs-dlq-redrive worker: consumes the work queue (SQS event source, `ReportBatchItemFailures`),
 * applies each job once (idempotency on the CloudEvent id), retries with exponential backoff and jitter,
 * and dead-letters with reasons. Configuration: see `readJobWorkerConfig`.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createObservability } from "../shared/lambda-handler.js";
import { createJobWorkerHandler, readJobWorkerConfig } from "./job-consumer.js";

const config = readJobWorkerConfig();
const dynamodb = new DynamoDBClient({});
// Every call to the configured endpoint (AWS_ENDPOINT_URL_SQS locally), not to the host named in the queue
// URL: identical on AWS, and local queue URLs (`sqs.<region>.localhost`) need not resolve.
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });

/** SQS event source handler (`ReportBatchItemFailures`). */
export const handler = createJobWorkerHandler({ config, dynamodb, sqs, ...createObservability("jobs") });
