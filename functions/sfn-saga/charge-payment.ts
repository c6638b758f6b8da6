/** The ChargePayment step of the place-order saga (action and compensation; see step-handler.ts). */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createObservability } from "../shared/lambda-handler.js";
import { createSagaStepHandler, readSagaStepConfig } from "./step-handler.js";

const config = readSagaStepConfig();
const dynamodb = new DynamoDBClient({});

/** Invoked by the state machine with the saga step event. */
export const handler = createSagaStepHandler(
  "ChargePayment",
  { config, dynamodb },
  createObservability("charge-payment"),
);
