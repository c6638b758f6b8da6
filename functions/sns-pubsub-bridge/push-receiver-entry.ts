/** Lambda entry of the Google Cloud → AWS push receiver (function URL): clients at module scope. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { createObservability, lambdaHandler } from "../shared/lambda-handler.js";
import { createPushReceiver, pushIdempotency, readPushReceiverConfig } from "./push-receiver.js";

const config = readPushReceiverConfig();
const observability = createObservability("pubsub-push");

export const handler = lambdaHandler(
  createPushReceiver({
    config,
    sns: new SNSClient({}),
    idempotency: pushIdempotency(config, new DynamoDBClient({})),
    ...observability,
  }),
  observability,
);
