/** Powertools logger and metrics that print nothing (the handlers log every failure they classify). */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { Observability } from "../../../functions/shared/lambda-handler.ts";

export function quietObservability(): Observability {
  return {
    logger: new Logger({ serviceName: "test", logLevel: "SILENT" }),
    metrics: new Metrics({ serviceName: "test", namespace: "test", singleMetric: false }),
  };
}
