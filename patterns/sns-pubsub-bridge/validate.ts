import type { Duration } from "aws-cdk-lib";
import { resolveConsumerTimeout } from "../shared/consumer-function.js";
import { seconds, sqsConsumerRules } from "../shared/sqs-consumer-rules.js";
import { isUnresolved, type ValidationRule } from "../shared/validation.js";
import { BRIDGE_DEFAULTS as D, BRIDGE_LIMITS as L } from "./defaults.js";
import { credentialConfigurationProblem } from "./google-credentials.js";
import type { SnsPubsubBridgeProps } from "./props.js";

/** The forwarder timeout the queue's visibility timeout is derived from and checked against. */
export function forwarderTimeout(props: SnsPubsubBridgeProps): Duration | undefined {
  return resolveConsumerTimeout(props.toGoogle.forwarder ?? {}, D.consumerTimeout);
}

const SQS = sqsConsumerRules<SnsPubsubBridgeProps>((p) => [
  {
    label: "toGoogle",
    settings: {
      // The forwarder defaults to the bundled entry.
      hasEntry: p.toGoogle.forwarder?.function === undefined,
      hasFunction: p.toGoogle.forwarder?.function !== undefined,
      consumerTimeout: forwarderTimeout(p),
      visibilityTimeout: p.toGoogle.visibilityTimeout,
      fifo: p.toGoogle.sourceTopic?.fifo ?? false,
      batchSize: p.toGoogle.batchSize,
      maxBatchingWindow: p.toGoogle.maxBatchingWindow,
      maxConcurrency: p.toGoogle.maxConcurrency,
      maxReceiveCount: p.toGoogle.maxReceiveCount,
      retentionPeriod: p.toGoogle.retentionPeriod,
      deadLetterRetentionPeriod: p.toGoogle.deadLetterRetentionPeriod,
    },
  },
]);

const PUBSUB_TOPIC = /^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/topics\/[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/;
const EVENT_TYPE = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;

function eventTypesProblem(label: string, types: readonly string[]): string | undefined {
  if (types.length === 0) return `${label} is empty; allowed: the CloudEvent types that may cross`;
  const bad = types.filter((t) => !isUnresolved(t) && !EVENT_TYPE.test(t));
  return bad.length > 0
    ? `${label} has invalid types ${bad.join(", ")}; allowed: letters, digits and . _ : / -`
    : undefined;
}

/** The validation table of {@link SnsPubsubBridge}: every rule runs, every failure is reported at once. */
export const BRIDGE_RULES: readonly ValidationRule<SnsPubsubBridgeProps>[] = [
  {
    name: "forwarder-source",
    check: (p) =>
      p.toGoogle.forwarder?.entry !== undefined && p.toGoogle.forwarder.function !== undefined
        ? "toGoogle.forwarder takes `entry` or `function`, not both"
        : undefined,
  },
  SQS.consumerSource,
  SQS.visibilityTimeout,
  SQS.batchSize,
  SQS.batchingWindow,
  SQS.maxConcurrency,
  SQS.maxReceiveCount,
  SQS.retention,
  {
    name: "pubsub-topic",
    check: (p) =>
      isUnresolved(p.toGoogle.pubsubTopic) || PUBSUB_TOPIC.test(p.toGoogle.pubsubTopic)
        ? undefined
        : `toGoogle.pubsubTopic is "${p.toGoogle.pubsubTopic}"; allowed: projects/<project id>/topics/<topic id>`,
  },
  {
    name: "google-credentials",
    check: (p) => {
      const c = p.toGoogle.credentials;
      const given = [c.configuration, c.parameter, c.secret].filter((x) => x !== undefined).length;
      if (given !== 1) {
        return "toGoogle.credentials needs exactly one of configuration, parameter or secret";
      }
      return c.configuration ? credentialConfigurationProblem(c.configuration) : undefined;
    },
  },
  {
    name: "event-types",
    check: (p) =>
      [
        eventTypesProblem("toGoogle.eventTypes", p.toGoogle.eventTypes),
        eventTypesProblem("fromGoogle.eventTypes", p.fromGoogle.eventTypes),
      ].filter((m): m is string => m !== undefined),
  },
  {
    name: "push-identity",
    check: (p) => {
      const email = p.fromGoogle.serviceAccountEmail;
      const failures: string[] = [];
      if (!isUnresolved(email) && !/^[^@\s]+@[^@\s]+\.iam\.gserviceaccount\.com$/.test(email)) {
        failures.push(
          `fromGoogle.serviceAccountEmail is "${email}"; allowed: a service account (<name>@<project>.iam.gserviceaccount.com)`,
        );
      }
      if (
        p.fromGoogle.audience !== undefined &&
        !isUnresolved(p.fromGoogle.audience) &&
        p.fromGoogle.audience.trim() === ""
      ) {
        failures.push("fromGoogle.audience is empty; allowed: a non-empty string (or unset for the default)");
      }
      return failures;
    },
  },
  {
    name: "push-timeout",
    check: (p) => {
      const t = seconds(p.fromGoogle.timeout);
      return t !== undefined && (t < 1 || t > L.maxPushTimeoutSeconds)
        ? `fromGoogle.timeout is ${t} s; allowed: 1 to ${L.maxPushTimeoutSeconds} s (below the push ack deadline)`
        : undefined;
    },
  },
  {
    name: "redelivery-window",
    check: (p) => {
      const w = seconds(p.fromGoogle.redeliveryWindow);
      return w !== undefined && (w < 600 || w > 31 * 24 * 3600)
        ? `fromGoogle.redeliveryWindow is ${w} s; allowed: 10 minutes to 31 days (Pub/Sub's retention range)`
        : undefined;
    },
  },
];
