/**
 * OffsetCommit (key 8, v0–v7) and OffsetFetch (key 9, v0–v5): committed offsets per group and
 * partition. Commit retention times are accepted and ignored (offsets live as long as the broker).
 */
import type { Handler } from "../context.ts";
import { ErrorCode } from "../protocol/errors.ts";

export const offsetCommit: Handler = (ctx, _conn, header, r, w) => {
  const v = header.apiVersion;
  const groupId = r.string();
  const generationId = v >= 1 ? r.int32() : -1;
  const memberId = v >= 1 ? r.string() : "";
  if (v >= 7) r.nullableString(); // group_instance_id
  if (v >= 2 && v <= 4) r.int64(); // retention_time_ms
  const topics = r.array((r) => ({
    name: r.string(),
    partitions: r.array((r) => {
      const partition = r.int32();
      const offset = r.int64();
      if (v >= 6) r.int32(); // committed_leader_epoch
      if (v === 1) r.int64(); // commit_timestamp
      return { partition, offset, metadata: r.nullableString() };
    }),
  }));
  const offsets = topics.flatMap((t) =>
    t.partitions
      .filter((p) => ctx.topics.partition(t.name, p.partition) !== undefined)
      .map((p) => ({ topic: t.name, ...p })),
  );
  const code = ctx.groups.commit(groupId, generationId, memberId, offsets);
  if (v >= 3) w.int32(0);
  w.array(topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => {
      const known = ctx.topics.partition(t.name, p.partition) !== undefined;
      w.int32(p.partition).int16(known ? code : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    });
  });
};

export const offsetFetch: Handler = (ctx, _conn, header, r, w) => {
  const v = header.apiVersion;
  const groupId = r.string();
  const requested = r.nullableArray((r) => ({ topic: r.string(), partitions: r.array((r) => r.int32()) }));
  const topics = requested ?? ctx.groups.committedTopics(groupId);
  if (v >= 3) w.int32(0);
  w.array(topics, (w, t) => {
    w.string(t.topic);
    w.array(t.partitions, (w, partition) => {
      const committed = ctx.groups.committed(groupId, t.topic, partition);
      w.int32(partition).int64(committed?.offset ?? -1);
      if (v >= 5) w.int32(-1); // committed_leader_epoch
      w.nullableString(committed?.metadata ?? "").int16(ErrorCode.NONE);
    });
  });
  if (v >= 2) w.int16(ErrorCode.NONE);
};
