/** Cold-start wiring shared by the three step entries: configuration, the DynamoDB client, handler. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createObservability } from "../shared/lambda-handler.js";
import type { LambdaSagaStep } from "./order.js";
import { createSagaStepHandler, readSagaStepConfig } from "./step-handler.js";

/** Builds `step`'s handler from its environment (throws naming a missing variable); `service` names its logs and metrics. */
export function sagaStepEntry(
  step: LambdaSagaStep,
  service: string,
): ReturnType<typeof createSagaStepHandler> {
  return createSagaStepHandler(
    step,
    { config: readSagaStepConfig(), dynamodb: new DynamoDBClient({}) },
    createObservability(service),
  );
}
