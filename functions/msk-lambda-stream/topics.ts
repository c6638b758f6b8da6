/**
 * Topic administration for the topic custom resource, as plain functions over the admin API (MSK
 * has no CloudFormation topics on Serverless, so a function in the VPC does it):
 * - ensure: create the topic if absent; if present (a retried Create, or an Update) grow its
 *   partitions to the requested count (Kafka cannot shrink them: that is an error naming the topic)
 *   and set `retention.ms`. Running it twice changes nothing the second time.
 * - remove: delete the topic; an absent topic is success (a retried Delete).
 */
import { ConfigResourceTypes, IncrementalAlterConfigOperationTypes } from "@platformatic/kafka";

/** The admin operations used (a @platformatic/kafka `Admin` satisfies it). */
export interface TopicAdminApi {
  metadata(options: { topics: string[] }): Promise<{ topics: Map<string, { partitionsCount: number }> }>;
  listTopics(): Promise<string[]>;
  createTopics(options: {
    topics: string[];
    partitions: number;
    replicas: number;
    configs?: { name: string; value: string }[];
  }): Promise<unknown>;
  createPartitions(options: { topics: { name: string; count: number }[] }): Promise<void>;
  incrementalAlterConfigs(options: {
    resources: {
      resourceType: (typeof ConfigResourceTypes)["TOPIC"];
      resourceName: string;
      configs: {
        name: string;
        configOperation: (typeof IncrementalAlterConfigOperationTypes)["SET"];
        value: string;
      }[];
    }[];
  }): Promise<void>;
  deleteTopics(options: { topics: string[] }): Promise<void>;
}

/** A topic as the custom resource declares it. */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly retentionMs: number;
}

/** A topic request that can never succeed (the custom resource reports it as FAILED). */
export class TopicSpecError extends Error {
  override readonly name = "TopicSpecError";
}

/** What {@link ensureTopic} did. */
export type EnsureResult = "created" | "updated" | "unchanged";

/**
 * Creates or converges `spec`. `replicas: -1` lets the cluster choose (MSK Serverless fixes it at 3;
 * provisioned clusters use `default.replication.factor`).
 */
export async function ensureTopic(admin: TopicAdminApi, spec: TopicSpec): Promise<EnsureResult> {
  const existing = (await admin.listTopics()).includes(spec.name);
  const retention = { name: "retention.ms", value: String(spec.retentionMs) };
  if (!existing) {
    await admin.createTopics({
      topics: [spec.name],
      partitions: spec.partitions,
      replicas: -1,
      configs: [retention],
    });
    return "created";
  }
  const current = (await admin.metadata({ topics: [spec.name] })).topics.get(spec.name)?.partitionsCount;
  if (current === undefined) throw new Error(`topic ${spec.name}: listed but missing from metadata`);
  if (spec.partitions < current) {
    throw new TopicSpecError(
      `topic ${spec.name}: cannot decrease partitions from ${current} to ${spec.partitions} (Kafka only adds partitions)`,
    );
  }
  if (spec.partitions > current) {
    await admin.createPartitions({ topics: [{ name: spec.name, count: spec.partitions }] });
  }
  await admin.incrementalAlterConfigs({
    resources: [
      {
        resourceType: ConfigResourceTypes.TOPIC,
        resourceName: spec.name,
        configs: [{ ...retention, configOperation: IncrementalAlterConfigOperationTypes.SET }],
      },
    ],
  });
  return spec.partitions > current ? "updated" : "unchanged";
}

/** Deletes the topic; an absent topic is success. */
export async function removeTopic(admin: TopicAdminApi, name: string): Promise<"deleted" | "absent"> {
  if (!(await admin.listTopics()).includes(name)) return "absent";
  await admin.deleteTopics({ topics: [name] });
  return "deleted";
}

/** Parses the custom resource's properties (CloudFormation passes every value as a string). */
export function parseTopicSpec(properties: Record<string, unknown>): TopicSpec {
  const name = properties.TopicName;
  const partitions = Number(properties.Partitions);
  const retentionMs = Number(properties.RetentionMs);
  if (typeof name !== "string" || !/^[a-zA-Z0-9._-]{1,249}$/.test(name)) {
    throw new TopicSpecError(`TopicName ${JSON.stringify(name)} is not a valid Kafka topic name`);
  }
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new TopicSpecError(
      `topic ${name}: Partitions ${JSON.stringify(properties.Partitions)} is not a positive integer`,
    );
  }
  if (!Number.isInteger(retentionMs) || retentionMs < -1) {
    throw new TopicSpecError(
      `topic ${name}: RetentionMs ${JSON.stringify(properties.RetentionMs)} is not an integer ≥ -1`,
    );
  }
  return { name, partitions, retentionMs };
}
