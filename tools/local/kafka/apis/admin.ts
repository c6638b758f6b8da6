/**
 * CreateTopics (key 19, v0–v4) and DeleteTopics (key 20, v0–v3).
 *
 * One node holds every replica, so any replication factor is accepted and served as 1 (MSK
 * clusters use 3; rejecting it would break code written for MSK). Manual replica assignments
 * set the partition count. Topic configs other than `retention.bytes` are accepted and ignored.
 */
import type { Handler } from "../context.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { isValidTopicName } from "../state/topics.ts";

/** Per topic; a bound so that a stray request cannot allocate millions of partitions. */
export const MAX_PARTITIONS = 10_000;

export const createTopics: Handler = (ctx, _conn, header, r, w) => {
  const v = header.apiVersion;
  const topics = r.array((r) => ({
    name: r.string(),
    numPartitions: r.int32(),
    replicationFactor: r.int16(),
    assignments: r.array((r) => ({ partition: r.int32(), brokers: r.array((r) => r.int32()) })),
    configs: r.array((r) => ({ name: r.string(), value: r.nullableString() })),
  }));
  r.int32(); // timeout_ms
  const validateOnly = v >= 1 ? r.bool() : false;

  const results = topics.map((t) => {
    const result = (errorCode: number, message: string | null = null) => ({
      name: t.name,
      errorCode,
      message,
    });
    if (!isValidTopicName(t.name))
      return result(ErrorCode.INVALID_TOPIC_EXCEPTION, `illegal topic name ${t.name}`);
    if (ctx.topics.get(t.name))
      return result(ErrorCode.TOPIC_ALREADY_EXISTS, `topic ${t.name} already exists`);
    const partitions =
      t.assignments.length > 0
        ? t.assignments.length
        : t.numPartitions === -1
          ? ctx.settings.defaultPartitions
          : t.numPartitions;
    if (partitions <= 0 || partitions > MAX_PARTITIONS) {
      return result(
        ErrorCode.INVALID_PARTITIONS,
        `the number of partitions must be from 1 to ${MAX_PARTITIONS}`,
      );
    }
    if (t.replicationFactor === 0 || t.replicationFactor < -1) {
      return result(ErrorCode.INVALID_REPLICATION_FACTOR, "the replication factor must be at least 1");
    }
    const retentionBytes = t.configs.find((c) => c.name === "retention.bytes")?.value;
    const bytes =
      retentionBytes === undefined || retentionBytes === null ? undefined : Number(retentionBytes);
    if (!validateOnly) {
      ctx.topics.create(
        t.name,
        partitions,
        bytes !== undefined && bytes >= 0 ? { retentionBytes: bytes } : {},
      );
    }
    return result(ErrorCode.NONE);
  });
  if (v >= 2) w.int32(0);
  w.array(results, (w, t) => {
    w.string(t.name).int16(t.errorCode);
    if (v >= 1) w.nullableString(t.message);
  });
};

export const deleteTopics: Handler = (ctx, _conn, header, r, w) => {
  const names = r.array((r) => r.string());
  r.int32(); // timeout_ms
  if (header.apiVersion >= 1) w.int32(0);
  w.array(names, (w, name) => {
    w.string(name).int16(ctx.topics.delete(name) ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
};
