/**
 * The place-order function, invoked synchronously with `{ "orders": [Order, …] }`; returns the
 * accepted order IDs and the refused entries. Environment: ORDERS_TABLE_NAME, EVENT_BUS_NAME,
 * EVENT_SOURCE, SAGA_DEADLINE_SECONDS.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { readEnv } from "../shared/env.js";
import { createObservability, lambdaHandler } from "../shared/lambda-handler.js";
import { createOrderPlacer } from "./place-order-core.js";
import { createEventBridgeBus } from "./saga-events.js";
import { readDeadlineSeconds } from "./watchdog-core.js";

const env = readEnv(["ORDERS_TABLE_NAME", "EVENT_BUS_NAME", "EVENT_SOURCE"]);
const observability = createObservability("place-order");

/** Synchronous handler. */
export const handler = lambdaHandler(
  createOrderPlacer({
    dynamodb: new DynamoDBClient({}),
    tableName: env.ORDERS_TABLE_NAME,
    bus: createEventBridgeBus(new EventBridgeClient({}), env.EVENT_BUS_NAME),
    source: env.EVENT_SOURCE,
    deadlineSeconds: readDeadlineSeconds(),
    ...observability,
  }),
  observability,
);
