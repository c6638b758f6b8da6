/**
 * Fetch (key 1), v4–v11: from any offset in [log start, high watermark]. The response holds whole
 * stored batches (a batch may start before the fetch offset; clients skip those records). With
 * fewer than `min_bytes` available the request waits up to `max_wait_ms` for an append, so idle
 * consumers long-poll instead of spinning. Fetch sessions (KIP-227) are not kept: every response
 * is a full one with session id 0, which clients accept.
 */
import type { Handler } from "../context.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { PartitionLog } from "../state/partition-log.ts";

interface FetchPartition {
  readonly partition: number;
  readonly fetchOffset: number;
  readonly maxBytes: number;
}

interface PartitionAnswer {
  readonly partition: number;
  readonly errorCode: number;
  readonly log: PartitionLog | undefined;
  readonly batches: readonly Buffer[];
}

export const fetch: Handler = async (ctx, _conn, header, r, w) => {
  const v = header.apiVersion;
  r.int32(); // replica_id
  const maxWaitMs = r.int32();
  const minBytes = r.int32();
  const maxBytes = r.int32();
  r.int8(); // isolation_level: everything is committed here
  if (v >= 7) {
    r.int32(); // session_id
    r.int32(); // session_epoch
  }
  const topics = r.array((r) => ({
    topic: r.string(),
    partitions: r.array((r): FetchPartition => {
      const partition = r.int32();
      if (v >= 9) r.int32(); // current_leader_epoch
      const fetchOffset = r.int64();
      if (v >= 5) r.int64(); // log_start_offset (followers only)
      return { partition, fetchOffset, maxBytes: r.int32() };
    }),
  }));
  if (v >= 7) r.array((r) => ({ topic: r.string(), partitions: r.array((r) => r.int32()) }));
  if (v >= 11) r.string(); // rack_id

  const collect = () => {
    let total = 0;
    const answers = topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p): PartitionAnswer => {
        const log = ctx.topics.partition(t.topic, p.partition);
        if (log === undefined) {
          return {
            partition: p.partition,
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            log,
            batches: [],
          };
        }
        if (p.fetchOffset < log.logStartOffset || p.fetchOffset > log.highWatermark) {
          return { partition: p.partition, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, log, batches: [] };
        }
        const budget = total === 0 ? p.maxBytes : Math.min(p.maxBytes, maxBytes - total);
        const batches = budget > 0 || total === 0 ? log.read(p.fetchOffset, Math.max(budget, 0)) : [];
        for (const b of batches) total += b.length;
        return { partition: p.partition, errorCode: ErrorCode.NONE, log, batches };
      }),
    }));
    return { answers, total };
  };

  let result = collect();
  const errors = result.answers.some((t) => t.partitions.some((p) => p.errorCode !== ErrorCode.NONE));
  if (result.total < Math.max(1, minBytes) && maxWaitMs > 0 && !errors) {
    const deadline = Date.now() + maxWaitMs;
    const logs = result.answers.flatMap((t) => t.partitions.flatMap((p) => (p.log ? [p.log] : [])));
    while (result.total < Math.max(1, minBytes) && Date.now() < deadline) {
      await ctx.waitForData(logs, deadline - Date.now());
      result = collect();
    }
  }

  w.int32(0); // throttle_time_ms
  if (v >= 7) w.int16(ErrorCode.NONE).int32(0); // error_code, session_id
  w.array(result.answers, (w, t) => {
    w.string(t.topic);
    w.array(t.partitions, (w, p) => {
      w.int32(p.partition).int16(p.errorCode);
      const hw = p.log?.highWatermark ?? -1;
      w.int64(hw).int64(hw); // high watermark, last stable offset
      if (v >= 5) w.int64(p.log?.logStartOffset ?? -1);
      w.int32(-1); // aborted_transactions: null
      if (v >= 11) w.int32(-1); // preferred_read_replica
      let size = 0;
      for (const b of p.batches) size += b.length;
      w.int32(size);
      for (const b of p.batches) w.raw(b);
    });
  });
};
