/**
 * The `Custom::KafkaTopic` resource: Create/Update converge the topic ({@link ensureTopic}),
 * Delete removes it unless `DeleteOnRemoval` is `"false"` (the construct sets that for an
 * existing cluster, whose data outlives the stack). The physical ID is `<cluster ARN>|<topic>`:
 * a new cluster or topic name is a replacement, after which CloudFormation deletes the old one.
 */
import type { CloudFormationCustomResourceEvent } from "aws-lambda";
import type { CustomResourceResult } from "./custom-resource.js";
import { ensureTopic, parseTopicSpec, removeTopic, type TopicAdminApi } from "./topics.js";

/** Handles one request with an admin client for the request's cluster. */
export async function handleTopicRequest(
  event: CloudFormationCustomResourceEvent,
  adminFor: (clusterArn: string) => Promise<TopicAdminApi>,
): Promise<CustomResourceResult> {
  const properties = event.ResourceProperties as Record<string, unknown>;
  const clusterArn = String(properties.ClusterArn);
  if (event.RequestType === "Delete") {
    const id = event.PhysicalResourceId;
    if (id.startsWith("failed-") || properties.DeleteOnRemoval === "false") return { physicalResourceId: id };
    const name = id.slice(id.lastIndexOf("|") + 1);
    try {
      await removeTopic(await adminFor(clusterArn), name);
    } catch (error) {
      throw new Error(`topic ${name}: delete failed: ${(error as Error).message}`, { cause: error });
    }
    return { physicalResourceId: id };
  }
  const spec = parseTopicSpec(properties);
  try {
    await ensureTopic(await adminFor(clusterArn), spec);
  } catch (error) {
    const message = (error as Error).message;
    throw new Error(message.includes(spec.name) ? message : `topic ${spec.name}: ${message}`, {
      cause: error,
    });
  }
  return {
    physicalResourceId: `${clusterArn}|${spec.name}`,
    data: { TopicName: spec.name, Partitions: String(spec.partitions) },
  };
}
