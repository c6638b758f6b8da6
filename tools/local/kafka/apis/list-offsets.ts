/**
 * ListOffsets (key 2), v0–v3: timestamp −1 is the latest offset (high watermark), −2 the
 * earliest (log start), any other value the first record whose timestamp is at least that
 * (offset −1 when there is none).
 */
import type { Handler } from "../context.ts";
import { ErrorCode } from "../protocol/errors.ts";

const LATEST = -1;
const EARLIEST = -2;

export const listOffsets: Handler = (ctx, _conn, header, r, w) => {
  const v = header.apiVersion;
  r.int32(); // replica_id
  if (v >= 2) r.int8(); // isolation_level
  const topics = r.array((r) => ({
    name: r.string(),
    partitions: r.array((r) => {
      const partition = r.int32();
      const timestamp = r.int64();
      if (v === 0) r.int32(); // max_num_offsets
      return { partition, timestamp };
    }),
  }));
  if (v >= 2) w.int32(0);
  w.array(topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => {
      const log = ctx.topics.partition(t.name, p.partition);
      let errorCode: number = ErrorCode.NONE;
      let offset = -1;
      let timestamp = -1;
      if (log === undefined) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      else if (p.timestamp === LATEST) offset = log.highWatermark;
      else if (p.timestamp === EARLIEST) offset = log.logStartOffset;
      else {
        const found = log.offsetForTimestamp(p.timestamp);
        if (found) ({ offset, timestamp } = found);
      }
      w.int32(p.partition).int16(errorCode);
      if (v === 0) {
        if (offset >= 0) w.int32(1).int64(offset);
        else w.int32(0);
      } else {
        w.int64(timestamp).int64(offset);
      }
    });
  });
};
