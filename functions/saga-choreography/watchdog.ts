/**
 * The stuck-saga watchdog, run by a scheduled rule (see watchdog-core.ts). Environment:
 * ORDERS_TABLE_NAME, EVENT_BUS_NAME, EVENT_SOURCE.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { readEnv } from "../shared/env.js";
import { createObservability, lambdaHandler } from "../shared/lambda-handler.js";
import { createEventBridgeBus } from "./saga-events.js";
import { createWatchdog } from "./watchdog-core.js";

const env = readEnv(["ORDERS_TABLE_NAME", "EVENT_BUS_NAME", "EVENT_SOURCE"]);
const observability = createObservability("saga-watchdog");
const run = createWatchdog({
  dynamodb: new DynamoDBClient({}),
  tableName: env.ORDERS_TABLE_NAME,
  bus: createEventBridgeBus(new EventBridgeClient({}), env.EVENT_BUS_NAME),
  source: env.EVENT_SOURCE,
  ...observability,
});

/** Scheduled-rule handler (the event carries nothing the watchdog needs). */
export const handler = lambdaHandler(async () => run(), observability);
