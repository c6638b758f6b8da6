import { CAPACITY } from "../capacity.ts";
import {
  GIB,
  HOURS_PER_MONTH,
  KINESIS_ON_DEMAND_RECORD_BYTES,
  KINESIS_PUT_UNIT_BYTES,
  SECONDS_PER_MONTH,
} from "../constants.ts";
import { groupConsumers } from "../consumers.ts";
import { charge } from "../line-items.ts";
import type { Workload } from "../workload.ts";
import { consumerAssumption } from "./common.ts";
import type { Alternative } from "./types.ts";

/** Shards needed: 1 MiB/s or 1,000 records/s in per shard, 2 MiB/s out shared by all consumers. */
export function kinesisShards(w: Workload): number {
  const groups = w.consumerGroups ?? w.fanOut;
  const inBytes = w.messagesPerSecond * w.payloadBytes;
  return Math.max(
    1,
    Math.ceil(inBytes / CAPACITY.kinesisShardInBytesPerSecond.value),
    Math.ceil(w.messagesPerSecond / CAPACITY.kinesisShardInRecordsPerSecond.value),
    Math.ceil((inBytes * groups) / CAPACITY.kinesisShardOutBytesPerSecond.value),
  );
}

function retentionWarning(w: Workload): string[] {
  return w.retentionHours > 24
    ? [`retention ${w.retentionHours} h > 24 h: Kinesis extended retention is charged and NOT priced here`]
    : [];
}

/** Kinesis Data Streams, provisioned shards; consumers share each shard's 2 MiB/s (no enhanced fan-out). */
export const kinesisProvisioned: Alternative = {
  id: "kinesis-provisioned",
  name: "Kinesis (provisioned) + Lambda",
  category: "messaging",
  hosting: "serverless",
  lines: (w, prices) => {
    const shards = kinesisShards(w);
    const records = w.messagesPerSecond * SECONDS_PER_MONTH;
    const putUnits = Math.ceil(w.payloadBytes / KINESIS_PUT_UNIT_BYTES);
    return [
      charge(
        prices,
        "kinesis.provisioned.shardHour",
        `Kinesis shard-hours (${shards} shards)`,
        shards * HOURS_PER_MONTH,
        `${shards} shards × ${HOURS_PER_MONTH} h`,
      ),
      charge(
        prices,
        "kinesis.provisioned.putUnit",
        "Kinesis PUT payload units",
        records * putUnits,
        `${Math.round(records).toLocaleString("en-US")} records × ${putUnits} unit(s) of 25 KiB`,
      ),
      ...groupConsumers(w, prices, { groups: w.consumerGroups ?? w.fanOut, lanes: shards }),
    ];
  },
  assumptions: (w) => [
    `${kinesisShards(w)} shard(s): 1 MiB/s or 1,000 records/s in, 2 MiB/s out shared by ${w.consumerGroups ?? w.fanOut} consumer groups`,
    "no enhanced fan-out; Lambda polls each shard once a second per consumer group",
    consumerAssumption(w),
  ],
  warnings: retentionWarning,
};

/** Kinesis Data Streams on-demand: stream-hours plus GB in (records rounded up to 1 KiB) and GB read per consumer. */
export const kinesisOnDemand: Alternative = {
  id: "kinesis-on-demand",
  name: "Kinesis (on-demand) + Lambda",
  category: "messaging",
  hosting: "serverless",
  lines: (w, prices) => {
    const groups = w.consumerGroups ?? w.fanOut;
    const recordBytes =
      Math.ceil(w.payloadBytes / KINESIS_ON_DEMAND_RECORD_BYTES) * KINESIS_ON_DEMAND_RECORD_BYTES;
    const inGb = (w.messagesPerSecond * SECONDS_PER_MONTH * recordBytes) / GIB;
    return [
      charge(
        prices,
        "kinesis.onDemand.streamHour",
        "Kinesis on-demand stream-hours",
        HOURS_PER_MONTH,
        "one stream",
      ),
      charge(
        prices,
        "kinesis.onDemand.ingress",
        "Kinesis on-demand data in",
        inGb,
        `records rounded up to ${recordBytes} B`,
      ),
      charge(
        prices,
        "kinesis.onDemand.retrieval",
        "Kinesis on-demand data read",
        inGb * groups,
        `${groups} consumer groups read everything`,
      ),
      ...groupConsumers(w, prices, { groups, lanes: Math.max(1, kinesisShards(w)) }),
    ];
  },
  assumptions: (w) => [
    "one on-demand stream; every record rounded up to 1 KiB",
    `${w.consumerGroups ?? w.fanOut} consumer groups (shared throughput)`,
    consumerAssumption(w),
  ],
  warnings: retentionWarning,
};
