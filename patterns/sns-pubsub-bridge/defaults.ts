import { Duration } from "aws-cdk-lib";
import { SQS_CONSUMER_DEFAULTS, SQS_CONSUMER_LIMITS } from "../shared/sqs-consumer-rules.js";

/** Defaults of {@link SnsPubsubBridge}, in one place so docs, validation and tests agree. */
export const BRIDGE_DEFAULTS = {
  ...SQS_CONSUMER_DEFAULTS,
  /**
   * How long the push receiver remembers a CloudEvent id: Pub/Sub redelivers an unacknowledged
   * message for as long as the subscription retains it (7 days by default, its maximum), so a
   * duplicate can arrive that late.
   */
  redeliveryWindow: Duration.days(7),
  pushTimeout: Duration.seconds(10),
  pushMemorySize: 256,
} as const;

/** Limits the validation rules check against. */
export const BRIDGE_LIMITS = {
  ...SQS_CONSUMER_LIMITS,
  /** SNS, and so the consumed queue, carries at most 256 KiB per message. */
  maxMessageBytes: 262_144,
  /** SQS's maximum, for the DLQ copies with reason attributes. */
  maxDeadLetterMessageBytes: 1_048_576,
  /** Pub/Sub push waits at most the ack deadline (10–600 s); the function must answer before. */
  maxPushTimeoutSeconds: 600,
} as const;
