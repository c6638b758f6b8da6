import type { SQSRecord } from "aws-lambda";
import { filterModule } from "../filter-policy.ts";
import { UnsupportedResourceError } from "../resources/plan.ts";
import type { EventSourceMappingRequest, LocalResource } from "../services/local-service.ts";
import type { Json } from "../template.ts";
import { isObject } from "../template.ts";
import type { SqsMappingConfig } from "./sqs-poller.ts";

const MAPPING = "AWS::Lambda::EventSourceMapping";

/**
 * The poller configuration of an `AWS::Lambda::EventSourceMapping` on an SQS queue of the stack:
 * batch size (default 10), batching window, `ReportBatchItemFailures`, `ScalingConfig.MaximumConcurrency`
 * (else the function's local environment cap), `Enabled` and `FilterCriteria`.
 */
export async function sqsMappingConfig(
  mapping: EventSourceMappingRequest,
  queue: LocalResource,
): Promise<SqsMappingConfig> {
  const { logicalId, props } = mapping;
  const scaling = isObject(props.ScalingConfig) ? props.ScalingConfig : {};
  const maximumConcurrency = Number(scaling.MaximumConcurrency ?? 0);
  const responseTypes = Array.isArray(props.FunctionResponseTypes) ? props.FunctionResponseTypes : [];
  const maxEnvironments = mapping.function.maxEnvironments;
  const accepts = await eventFilter(logicalId, props.FilterCriteria);
  return {
    logicalId,
    queueUrl: queue.ref,
    queueArn: queue.attributes.Arn ?? "",
    queueName: queue.attributes.QueueName ?? "",
    functionLogicalId: mapping.function.logicalId,
    batchSize: Number(props.BatchSize ?? 10),
    batchingWindowMs: Number(props.MaximumBatchingWindowInSeconds ?? 0) * 1000,
    reportBatchItemFailures: responseTypes.includes("ReportBatchItemFailures"),
    concurrency: Math.max(1, Math.min(maximumConcurrency || maxEnvironments, maxEnvironments)),
    enabled: props.Enabled !== false,
    ...(accepts ? { accepts } : {}),
  };
}

/**
 * Lambda event filtering for an SQS mapping (`FilterCriteria.Filters[].Pattern`): a record passes
 * when any pattern matches it, the body parsed as JSON when it is JSON. Patterns are evaluated by
 * fauxqs's filter-policy engine (exact values, prefix, suffix, anything-but, numeric, exists, `$or`).
 */
async function eventFilter(
  logicalId: string,
  criteria: Json | undefined,
): Promise<((record: SQSRecord) => boolean) | undefined> {
  if (criteria === undefined || criteria === null) return undefined;
  const filters = isObject(criteria) && Array.isArray(criteria.Filters) ? criteria.Filters : undefined;
  if (!filters) throw new UnsupportedResourceError(logicalId, MAPPING, "has FilterCriteria without Filters");
  const patterns = filters.map((f) => {
    const pattern =
      isObject(f) && typeof f.Pattern === "string" ? (JSON.parse(f.Pattern) as unknown) : undefined;
    if (!isObject(pattern)) {
      throw new UnsupportedResourceError(
        logicalId,
        MAPPING,
        `has a filter pattern that is not a JSON object: ${JSON.stringify(f)}`,
      );
    }
    return pattern;
  });
  const filter = await filterModule();
  return (record) => {
    let body: unknown = record.body;
    try {
      body = JSON.parse(record.body);
    } catch {
      // Not JSON: patterns on `body` compare the plain string.
    }
    const subject = JSON.stringify({ ...record, body });
    return patterns.some((pattern) => filter.matchesFilterPolicyOnBody(pattern, subject));
  };
}
