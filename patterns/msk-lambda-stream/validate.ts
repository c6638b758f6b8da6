import { seconds } from "../shared/sqs-consumer-rules.js";
import { checkIntegerRange, isUnresolved, type ValidationRule } from "../shared/validation.js";
import { MSK_STREAM_DEFAULTS as D, MSK_STREAM_LIMITS as L } from "./defaults.js";
import { type MskLambdaStreamProps, MskNetworkAccess } from "./props.js";

/** The network access a construct uses: the one given, else endpoints (or the VPC's own for an existing cluster). */
export function networkAccess(p: MskLambdaStreamProps): MskNetworkAccess {
  return (
    p.networkAccess ?? (p.existingCluster ? MskNetworkAccess.PROVIDED_BY_VPC : MskNetworkAccess.VPC_ENDPOINTS)
  );
}

/** The provisioned poller settings in effect, or `undefined` for on-demand pollers. */
export function pollers(
  p: MskLambdaStreamProps,
): { minimumPollers: number; maximumPollers: number } | undefined {
  const given = p.eventSource?.provisionedPollers;
  if (given === false) return undefined;
  return {
    minimumPollers: given?.minimumPollers ?? D.minimumPollers,
    maximumPollers: given?.maximumPollers ?? D.maximumPollers,
  };
}

/**
 * The validation table of {@link MskLambdaStream}: the combinations CloudFormation or the event
 * source mapping would accept at synth but reject (or silently misbehave with) at deploy.
 */
export const MSK_STREAM_RULES: readonly ValidationRule<MskLambdaStreamProps>[] = [
  {
    name: "cluster-source",
    check: (p) => {
      const failures: string[] = [];
      if (p.provisionedCluster && p.existingCluster) {
        failures.push("provisionedCluster and existingCluster are both set; allowed: at most one");
      }
      if (p.existingCluster && !p.vpc) {
        failures.push("existingCluster is set without vpc; allowed: the existing cluster's VPC as vpc");
      }
      return failures;
    },
  },
  {
    name: "network-access",
    check: (p) => {
      const access = networkAccess(p);
      if (access === MskNetworkAccess.NAT_GATEWAY && p.vpc) {
        return "networkAccess is NAT_GATEWAY with a given vpc; allowed: NAT_GATEWAY only for the VPC the construct creates (use PROVIDED_BY_VPC for a VPC that has its own NAT)";
      }
      if (access === MskNetworkAccess.PROVIDED_BY_VPC && !p.vpc) {
        return "networkAccess is PROVIDED_BY_VPC without vpc; allowed: PROVIDED_BY_VPC only with a given vpc (the new VPC has no other path to Lambda, STS and SQS)";
      }
      return undefined;
    },
  },
  {
    name: "error-controls-need-provisioned-pollers",
    check: (p) =>
      pollers(p) === undefined
        ? "eventSource.provisionedPollers is false; allowed: provisioned pollers, because retryAttempts, bisectBatchOnError, maxRecordAge, reportBatchItemFailures and the on-failure destination of a Kafka event source exist only in provisioned mode (CloudFormation rejects them at deploy otherwise)"
        : undefined,
  },
  {
    name: "pollers",
    check: (p) => {
      const config = pollers(p);
      if (!config) return undefined;
      const failures = [
        checkIntegerRange(
          "eventSource.provisionedPollers.minimumPollers",
          config.minimumPollers,
          1,
          L.maxMinimumPollers,
        ),
        checkIntegerRange(
          "eventSource.provisionedPollers.maximumPollers",
          config.maximumPollers,
          1,
          L.maxMaximumPollers,
        ),
      ].filter((m): m is string => m !== undefined);
      if (failures.length === 0 && config.minimumPollers > config.maximumPollers) {
        failures.push(
          `eventSource.provisionedPollers.minimumPollers (${config.minimumPollers}) exceeds maximumPollers (${config.maximumPollers}); allowed: minimum ≤ maximum`,
        );
      }
      return failures;
    },
  },
  {
    name: "consumer-timeout",
    check: (p) => {
      const timeout = seconds(p.consumer.timeout);
      if (timeout === undefined) return undefined;
      if (timeout < 1 || timeout > L.maxConsumerTimeoutSeconds) {
        return `consumer.timeout is ${timeout} s; allowed: 1 s to ${L.maxConsumerTimeoutSeconds} s (an MSK event source allows at most 14 minutes)`;
      }
      return undefined;
    },
  },
  {
    name: "retry-attempts",
    check: (p) => {
      const value = p.eventSource?.retryAttempts;
      if (value === -1) {
        return "eventSource.retryAttempts is -1 (infinite); allowed: 0 to 10000, because infinite retries block the partition until the record expires";
      }
      return checkIntegerRange("eventSource.retryAttempts", value, 0, L.maxRetryAttempts);
    },
  },
  {
    name: "max-record-age",
    check: (p) => {
      const age = seconds(p.eventSource?.maxRecordAge);
      if (age === undefined) return undefined;
      if (age < L.minRecordAgeSeconds || age > L.maxRecordAgeSeconds) {
        return `eventSource.maxRecordAge is ${age} s; allowed: ${L.minRecordAgeSeconds} s to ${L.maxRecordAgeSeconds} s (7 days); infinite is not offered`;
      }
      return undefined;
    },
  },
  {
    name: "bisect",
    check: (p) =>
      p.eventSource?.bisectBatchOnError === false && (p.eventSource.retryAttempts ?? D.retryAttempts) > 0
        ? "eventSource.bisectBatchOnError is false with retries; allowed: bisect on, so one poison record does not take its whole batch to the on-failure queue"
        : undefined,
  },
  {
    name: "batch",
    check: (p) => {
      const failures = [
        checkIntegerRange("eventSource.batchSize", p.eventSource?.batchSize, 1, L.maxBatchSize),
      ];
      const window = seconds(p.eventSource?.maxBatchingWindow);
      if (window !== undefined && (window < 0 || window > L.maxBatchingWindowSeconds)) {
        failures.push(
          `eventSource.maxBatchingWindow is ${window} s; allowed: 0 to ${L.maxBatchingWindowSeconds} s`,
        );
      }
      return failures.filter((m): m is string => m !== undefined);
    },
  },
  {
    name: "consumer-group-id",
    check: (p) => {
      const id = p.eventSource?.consumerGroupId;
      if (id === undefined || isUnresolved(id) || L.consumerGroupIdPattern.test(id)) return undefined;
      return `eventSource.consumerGroupId is "${id}"; allowed: 1-200 characters of [a-zA-Z0-9-/*:_+=.@]`;
    },
  },
  {
    name: "topic",
    check: (p) => {
      const failures: (string | undefined)[] = [];
      const name = p.topic?.name;
      if (
        name !== undefined &&
        !isUnresolved(name) &&
        (!L.topicNamePattern.test(name) || name === "." || name === "..")
      ) {
        failures.push(
          `topic.name is "${name}"; allowed: 1-249 characters of [a-zA-Z0-9._-], not "." or ".."`,
        );
      }
      failures.push(checkIntegerRange("topic.partitions", p.topic?.partitions, 1, 10_000));
      const retention = seconds(p.topic?.retention);
      if (retention !== undefined && retention < L.minRetentionSeconds) {
        failures.push(`topic.retention is ${retention} s; allowed: ≥ ${L.minRetentionSeconds} s`);
      }
      return failures.filter((m): m is string => m !== undefined);
    },
  },
  {
    name: "function-timeouts",
    check: (p) => {
      const failures: string[] = [];
      const producer = seconds(p.producer?.timeout);
      if (producer !== undefined && (producer < 1 || producer > L.maxLambdaTimeoutSeconds)) {
        failures.push(`producer.timeout is ${producer} s; allowed: 1 s to ${L.maxLambdaTimeoutSeconds} s`);
      }
      return failures;
    },
  },
  {
    name: "alarms-and-retention",
    check: (p) => {
      const failures: (string | undefined)[] = [];
      const retention = seconds(p.failureRetentionPeriod ?? D.failureRetentionPeriod);
      if (
        retention !== undefined &&
        (retention < L.minRetentionSeconds || retention > L.maxSqsRetentionSeconds)
      ) {
        failures.push(
          `failureRetentionPeriod is ${retention} s; allowed: ${L.minRetentionSeconds} s to ${L.maxSqsRetentionSeconds} s`,
        );
      }
      const age = seconds(p.failureAgeAlarmThreshold);
      if (age !== undefined && retention !== undefined && (age <= 0 || age >= retention)) {
        failures.push(
          `failureAgeAlarmThreshold is ${age} s; allowed: more than 0 and less than failureRetentionPeriod (${retention} s)`,
        );
      }
      failures.push(
        checkIntegerRange("offsetLagAlarmThreshold", p.offsetLagAlarmThreshold, 1, Number.MAX_SAFE_INTEGER),
      );
      return failures.filter((m): m is string => m !== undefined);
    },
  },
];
