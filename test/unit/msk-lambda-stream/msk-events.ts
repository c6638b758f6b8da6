/** Builders of MSK events exactly as Lambda's Kafka event source delivers them (AWS docs, with-msk). */
import type { MSKEvent, MSKRecord } from "aws-lambda";

export const CLUSTER_ARN = "arn:aws:kafka:us-east-1:123456789012:cluster/stream/abcd-1234-5";

/** One record: base64 key and value, headers as arrays of byte numbers. */
export function mskRecord(
  topic: string,
  partition: number,
  offset: number,
  value: string | object | null,
  options: { key?: string | null; headers?: Record<string, string>; timestamp?: number } = {},
): MSKRecord {
  const text = value === null ? null : typeof value === "string" ? value : JSON.stringify(value);
  return {
    topic,
    partition,
    offset,
    timestamp: options.timestamp ?? 1_764_000_000_000 + offset,
    timestampType: "CREATE_TIME",
    key: (options.key == null ? options.key : Buffer.from(options.key).toString("base64")) as string,
    value: (text === null ? null : Buffer.from(text).toString("base64")) as string,
    headers: Object.entries(options.headers ?? {}).map(([name, v]) => ({ [name]: [...Buffer.from(v)] })),
  };
}

/** An event grouping `records` by `"<topic>-<partition>"`, as the event source does. */
export function mskEvent(records: MSKRecord[]): MSKEvent {
  const grouped: Record<string, MSKRecord[]> = {};
  for (const r of records) {
    const key = `${r.topic}-${r.partition}`;
    grouped[key] = [...(grouped[key] ?? []), r];
  }
  return {
    eventSource: "aws:kafka",
    eventSourceArn: CLUSTER_ARN,
    bootstrapServers:
      "b-1.stream.abcd.c2.kafka-serverless.us-east-1.amazonaws.com:9098,b-2.stream.abcd.c2.kafka-serverless.us-east-1.amazonaws.com:9098",
    records: grouped,
  };
}

/** A CloudEvent value about `entityId` with its per-entity `sequence`. */
export function entityEvent(
  id: string,
  entityId: string,
  sequence: number,
  extra: Record<string, unknown> = {},
) {
  return {
    specversion: "1.0",
    id,
    source: "orders-service",
    type: "order.updated",
    time: "2026-12-01T10:00:00.000Z",
    datacontenttype: "application/json",
    data: { entityId, sequence, ...extra },
  };
}
