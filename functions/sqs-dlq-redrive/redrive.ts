/**
 * Lambda entry of the redrive function (invoke with `{ max?, ratePerSecond?, dryRun?, filters? }`, or on
 * the construct's optional schedule with `{}`). See `redrive-function.ts`.
 */
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import { createObservability, lambdaHandler } from "../shared/lambda-handler.js";
import { type RedriveResponse, readRedriveConfig, runRedrive } from "./redrive-function.js";

const config = readRedriveConfig();
// Send every call to the configured endpoint, not to the host in a queue URL: on AWS they are the same, and
// on a local endpoint (AWS_ENDPOINT_URL_SQS) a URL listed by ListQueues may name a host that does not resolve.
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
const observability = createObservability("redrive");

/** Stops the mover this long before the function times out, so it can finish its batch and report. */
const SAFETY_MARGIN_MS = 15_000;

export const handler = lambdaHandler(async (event: unknown, context: Context): Promise<RedriveResponse> => {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(),
    Math.max(1_000, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS),
  );
  try {
    const response = await runRedrive(sqs, config, event, controller.signal);
    observability.logger.info("redrive finished", { response });
    return response;
  } finally {
    clearTimeout(timer);
  }
}, observability);
