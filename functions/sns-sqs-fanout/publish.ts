/**
 * Publisher Lambda: `{ events: [{ type, data, id?, subject?, correlationid?, groupId? }] }` →
 * CloudEvents on the topic (`TOPIC_ARN`, CloudEvents `source` = `EVENT_SOURCE`) →
 * `{ published: [{ id, messageId }], failed: [{ id, code, message, senderFault }] }`.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { SNSClient } from "@aws-sdk/client-sns";
import { readEnv } from "../shared/env.js";
import { createObservability, lambdaHandler } from "../shared/lambda-handler.js";
import { createPublisher } from "./publisher.js";

const config = readEnv(["TOPIC_ARN", "EVENT_SOURCE"]);
const sns = new SNSClient({});
const observability = createObservability("publisher");
const publish = createPublisher({ sns, topicArn: config.TOPIC_ARN, source: config.EVENT_SOURCE });

/** Direct-invoke handler; partial failures are returned, not thrown. */
export const handler = lambdaHandler(async (event: unknown) => {
  const result = await publish(event);
  observability.metrics.addMetric("EventsPublished", MetricUnit.Count, result.published.length);
  observability.metrics.addMetric("EventsFailed", MetricUnit.Count, result.failed.length);
  if (result.failed.length > 0) {
    observability.logger.warn("some events were not published", { failed: result.failed });
  }
  return result;
}, observability);
