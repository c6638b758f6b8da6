/**
 * Composes a plain async function into a Lambda handler with the Powertools middlewares (middy):
 * the logger gets the Lambda context (request id, cold start) and metrics are flushed as
 * CloudWatch EMF at the end of every invocation, including failed ones.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";

/** Powertools logger and metrics configured from `POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_METRICS_NAMESPACE`, `POWERTOOLS_LOG_LEVEL`. */
export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Creates the logger and metrics for one function (call at module scope). */
export function createObservability(defaultServiceName: string): Observability {
  return {
    logger: new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || defaultServiceName }),
    metrics: new Metrics({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || defaultServiceName }),
  };
}

/** Wraps `fn` with middy, Powertools `injectLambdaContext` and `logMetrics` (cold-start metric on). */
export function lambdaHandler<TEvent, TResult>(
  fn: (event: TEvent, context: Context) => Promise<TResult>,
  { logger, metrics }: Observability,
) {
  return middy(fn)
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}
