import type { SQSRecord } from "aws-lambda";
import type { EventSourceMappingRequest, LocalResource } from "../services/local-service.ts";
import type { Json } from "../template.ts";
import { isObject } from "../template.ts";
import { compileEventFilter, jsonOrString } from "./event-filter.ts";
import type { SqsMappingConfig } from "./sqs-poller.ts";

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
 * Lambda event filtering for an SQS mapping: a pattern sees the record with `body` parsed as JSON
 * when it is JSON (see `event-filter.ts`).
 */
function eventFilter(
  logicalId: string,
  criteria: Json | undefined,
): Promise<((record: SQSRecord) => boolean) | undefined> {
  return compileEventFilter<SQSRecord>(logicalId, criteria, (record) => ({
    ...record,
    body: jsonOrString(record.body),
  }));
}
