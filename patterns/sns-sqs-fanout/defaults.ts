import { SQS_CONSUMER_DEFAULTS, SQS_CONSUMER_LIMITS } from "../shared/sqs-consumer-rules.js";

/** Defaults of the fan-out construct, in one place so docs, validation and tests agree. */
export const FANOUT_DEFAULTS = { ...SQS_CONSUMER_DEFAULTS } as const;

/** AWS limits the validation rules check against. */
export const FANOUT_LIMITS = {
  ...SQS_CONSUMER_LIMITS,
  /** SNS allows at most 5 attribute names (keys) in a filter policy. */
  maxFilterPolicyKeys: 5,
} as const;
