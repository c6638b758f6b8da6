/**
 * The event Lambda's Kafka event source (MSK or self-managed) delivers, and its decoding.
 *
 * Shape (AWS docs, with-msk): `records` is keyed `"<topic>-<partition>"`; each record's `key` and
 * `value` are base64 (the key may be absent or null for a keyless record); `headers` is an array of
 * single-key objects whose values are arrays of byte numbers.
 */
import type { MSKEvent, MSKRecord } from "aws-lambda";

export type { MSKEvent, MSKRecord };

/** A self-managed Kafka event differs only in `eventSource` and has no `eventSourceArn`. */
export type KafkaEvent =
  | MSKEvent
  | (Omit<MSKEvent, "eventSource" | "eventSourceArn"> & { eventSource: "SelfManagedKafka" });

/** A record with key, value and headers decoded. */
export interface DecodedKafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  /** The key as UTF-8, `undefined` for a keyless record. */
  readonly key: string | undefined;
  /** The value's bytes (`undefined` for a tombstone). */
  readonly value: Buffer | undefined;
  /** Headers as UTF-8 strings; a repeated header keeps its last value. */
  readonly headers: Readonly<Record<string, string>>;
  /** The record as delivered, for the partial batch response. */
  readonly raw: MSKRecord;
}

/** Decodes one record (no schema: the consumer parses the value). */
export function decodeKafkaRecord(record: MSKRecord): DecodedKafkaRecord {
  const headers: Record<string, string> = {};
  for (const header of record.headers ?? []) {
    for (const [name, bytes] of Object.entries(header)) headers[name] = Buffer.from(bytes).toString("utf8");
  }
  const key = record.key as string | null | undefined;
  const value = record.value as string | null | undefined;
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: key == null ? undefined : Buffer.from(key, "base64").toString("utf8"),
    value: value == null ? undefined : Buffer.from(value, "base64"),
    headers,
    raw: record,
  };
}

/** `"<topic>-<partition>"`, the key of `event.records` and of the partial batch identifier. */
export function topicPartition(record: { topic: string; partition: number }): string {
  return `${record.topic}-${record.partition}`;
}
