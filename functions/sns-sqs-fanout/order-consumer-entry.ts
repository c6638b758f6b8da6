/**
 * Cold-start wiring shared by the example subscriber entries (billing, shipping, audit): reads the
 * configuration once, creates the AWS SDK clients at module scope of the importing entry, and
 * returns its Lambda handler. The subscribers differ only in deployment (filter, raw delivery).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createObservability } from "../shared/lambda-handler.js";
import { createOrderConsumerHandler, readOrderConsumerConfig } from "./order-consumer.js";

/** Builds an example subscriber's handler from its environment (throws naming a missing variable). */
export function orderConsumerEntry(): ReturnType<typeof createOrderConsumerHandler> {
  const config = readOrderConsumerConfig();
  return createOrderConsumerHandler({
    config,
    dynamodb: new DynamoDBClient({}),
    // The endpoint (AWS, or AWS_ENDPOINT_URL_SQS on a local target) decides where requests go, not
    // the host inside DLQ_URL: emulators hand out queue URLs whose host is not their listening address.
    sqs: new SQSClient({ useQueueUrlAsEndpoint: false }),
    ...createObservability(config.subscriberName),
  });
}
