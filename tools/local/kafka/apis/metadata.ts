/**
 * Metadata (key 3), v1–v6: this single broker leads every partition. Unknown topics are created
 * when auto-creation is on and the client allows it (v4+ `allow_auto_topic_creation`), as Kafka's
 * `auto.create.topics.enable` does; otherwise UNKNOWN_TOPIC_OR_PARTITION.
 */
import type { Handler } from "../context.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { isValidTopicName } from "../state/topics.ts";

export const metadata: Handler = (ctx, _conn, header, r, w) => {
  const v = header.apiVersion;
  const requested = r.nullableArray((r) => r.string());
  const allowAutoCreate = v >= 4 ? r.bool() : true;
  const { nodeId, host, port, clusterId } = ctx.settings;

  const names = requested ?? ctx.topics.list().map((t) => t.name);
  if (v >= 3) w.int32(0);
  w.array([0], (w) => {
    w.int32(nodeId).string(host).int32(port).nullableString(null);
  });
  if (v >= 2) w.nullableString(clusterId);
  w.int32(nodeId); // controller
  w.array(names, (w, name) => {
    let topic = ctx.topics.get(name);
    if (topic === undefined && allowAutoCreate && ctx.autoCreate(name)) topic = ctx.topics.get(name);
    if (topic === undefined) {
      const code = isValidTopicName(name)
        ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
        : ErrorCode.INVALID_TOPIC_EXCEPTION;
      w.int16(code).string(name).bool(false).int32(0);
      return;
    }
    w.int16(ErrorCode.NONE).string(name).bool(false);
    w.array(topic.partitions, (w, p) => {
      w.int16(ErrorCode.NONE).int32(p.partition).int32(nodeId);
      w.int32(1).int32(nodeId); // replicas
      w.int32(1).int32(nodeId); // in-sync replicas
      if (v >= 5) w.int32(0); // offline replicas
    });
  });
};
