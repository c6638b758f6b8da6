/** Cold-start wiring shared by the four service entries: configuration, SDK clients, handler. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createObservability } from "../shared/lambda-handler.js";
import { createEventBridgeBus } from "./saga-events.js";
import { createServiceConsumerHandler, readServiceConsumerConfig } from "./service-consumer.js";

/** Builds a service's handler from its environment (throws naming a missing variable). */
export function serviceEntry(): ReturnType<typeof createServiceConsumerHandler> {
  const config = readServiceConsumerConfig();
  return createServiceConsumerHandler({
    config,
    dynamodb: new DynamoDBClient({}),
    // The endpoint decides where requests go, not the host inside DLQ_URL (emulators' URLs differ).
    sqs: new SQSClient({ useQueueUrlAsEndpoint: false }),
    bus: createEventBridgeBus(new EventBridgeClient({}), config.eventBusName),
    ...createObservability(config.service),
  });
}
