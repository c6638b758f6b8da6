import type { FauxqsServer } from "fauxqs";
import type { Json } from "../template.ts";
import { isObject } from "../template.ts";
import { UnsupportedResourceError } from "./plan.ts";

/** `AWS::SQS::Queue` properties that map 1:1 to SQS queue attributes. */
const QUEUE_ATTRIBUTES = [
  "VisibilityTimeout",
  "DelaySeconds",
  "MessageRetentionPeriod",
  "MaximumMessageSize",
  "ReceiveMessageWaitTimeSeconds",
  "RedrivePolicy",
  "RedriveAllowPolicy",
  "FifoQueue",
  "ContentBasedDeduplication",
  "DeduplicationScope",
  "FifoThroughputLimit",
  "KmsMasterKeyId",
  "KmsDataKeyReusePeriodSeconds",
  "SqsManagedSseEnabled",
] as const;
const QUEUE_IGNORED = new Set(["QueueName", "Tags"]);

/** Converts a resolved CloudFormation property value to an SQS/SNS attribute string (JSON for objects). */
export function attributeString(value: Json): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/**
 * Creates an `AWS::SQS::Queue` on fauxqs with every attribute the template sets (redrive and
 * redrive-allow policies, FIFO, content-based deduplication, visibility timeout, delay, retention,
 * KMS key IDs, which are stored but do not encrypt). Unknown properties fail loudly.
 */
export function createQueue(
  fauxqs: FauxqsServer,
  logicalId: string,
  name: string,
  props: Record<string, Json>,
): { queueUrl: string; queueArn: string } {
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(props)) {
    if (QUEUE_IGNORED.has(key)) continue;
    if (!(QUEUE_ATTRIBUTES as readonly string[]).includes(key)) {
      throw new UnsupportedResourceError(
        logicalId,
        "AWS::SQS::Queue",
        `uses property ${key}, which is not emulated`,
      );
    }
    attributes[key] = attributeString(value);
  }
  return fauxqs.createQueue(name, { attributes });
}

/** Creates an `AWS::SNS::Topic` (standard or FIFO) on fauxqs. */
export function createTopic(
  fauxqs: FauxqsServer,
  logicalId: string,
  name: string,
  props: Record<string, Json>,
): void {
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(props)) {
    if (key === "TopicName" || key === "Tags" || key === "TracingConfig") continue;
    if (key === "Subscription" && Array.isArray(value) && value.length === 0) continue;
    if (
      !["FifoTopic", "ContentBasedDeduplication", "DisplayName", "KmsMasterKeyId", "Subscription"].includes(
        key,
      )
    ) {
      throw new UnsupportedResourceError(
        logicalId,
        "AWS::SNS::Topic",
        `uses property ${key}, which is not emulated`,
      );
    }
    if (key === "Subscription") {
      throw new UnsupportedResourceError(logicalId, "AWS::SNS::Topic", "declares inline subscriptions");
    }
    attributes[key] = attributeString(value);
  }
  fauxqs.createTopic(name, { attributes });
}

/** A created SNS subscription as the local cloud remembers it (for the subscription DLQ emulation). */
export interface LocalSubscription {
  readonly logicalId: string;
  readonly topicName: string;
  readonly queueName: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * Creates an `AWS::SNS::Subscription` with protocol `sqs` on fauxqs: `RawMessageDelivery`,
 * `FilterPolicy` with `FilterPolicyScope` (`MessageAttributes` or `MessageBody`) and
 * `RedrivePolicy` (the subscription DLQ). Other protocols fail loudly.
 */
export function createSubscription(
  fauxqs: FauxqsServer,
  logicalId: string,
  props: Record<string, Json>,
): LocalSubscription {
  if (props.Protocol !== "sqs") {
    throw new UnsupportedResourceError(
      logicalId,
      "AWS::SNS::Subscription",
      `uses protocol ${String(props.Protocol)}; only sqs is emulated`,
    );
  }
  const topicName = lastSegment(String(props.TopicArn));
  const queueName = lastSegment(String(props.Endpoint));
  const attributes: Record<string, string> = {};
  for (const key of ["RawMessageDelivery", "FilterPolicy", "FilterPolicyScope", "RedrivePolicy"] as const) {
    const value = props[key];
    if (value !== undefined && value !== null) attributes[key] = attributeString(value);
  }
  for (const key of Object.keys(props)) {
    if (
      ![
        "Protocol",
        "TopicArn",
        "Endpoint",
        "Region",
        "DeliveryPolicy",
        "SubscriptionRoleArn",
        ...Object.keys(attributes),
      ].includes(key)
    ) {
      throw new UnsupportedResourceError(
        logicalId,
        "AWS::SNS::Subscription",
        `uses property ${key}, which is not emulated`,
      );
    }
  }
  fauxqs.subscribe({ topic: topicName, queue: queueName, attributes });
  return { logicalId, topicName, queueName, attributes };
}

/** The resource name at the end of an ARN (`arn:aws:sqs:r:a:name` → `name`). */
export function lastSegment(arn: string): string {
  const parts = arn.split(":");
  return parts[parts.length - 1] ?? arn;
}

/** Parses a JSON-string attribute (a resolved `RedrivePolicy`, say) into an object, if it is one. */
export function parseJsonAttribute(value: string | undefined): Record<string, Json> | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(value) as Json;
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
