/**
 * What the local Kafka event source sends and how it reads the answer, with Lambda's documented
 * semantics for MSK and self-managed Kafka event sources:
 * - the event: `eventSource` `aws:kafka` with `eventSourceArn` (self-managed: `SelfManagedKafka`,
 *   no ARN), `bootstrapServers` one comma-separated string, `records` keyed `"<topic>-<partition>"`,
 *   each record's `key`/`value` base64 (null when absent), `headers` an array of single-key objects
 *   whose values are arrays of byte numbers;
 * - the partial batch response: `null`, `{}` or an empty/null `batchItemFailures` is success; each
 *   failure's `itemIdentifier` is `{ "topic-partition": "<topic>-<partition>", "offset": N }` (AWS docs);
 *   the partition resumes from its lowest failed offset; an identifier that is not a record of the batch,
 *   or is empty, fails the whole batch;
 * - the on-failure record (SQS/SNS destinations): no payload, request and response context, and
 *   `KafkaBatchInfo.recordsInfo` with the offsets and timestamps as strings.
 */

/** A record as the poller read it from the broker. */
export interface ConsumedKafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly (readonly [string, Buffer])[];
}

/** Where the event says it came from. */
export interface KafkaEventOrigin {
  /** The cluster ARN (MSK); omit for a self-managed Kafka event. */
  readonly eventSourceArn?: string;
  readonly bootstrapServers: readonly string[];
}

/** Builds the event Lambda sends for `records`, in the exact MSK (or self-managed) shape. */
export function toKafkaEvent(records: readonly ConsumedKafkaRecord[], origin: KafkaEventOrigin) {
  const grouped: Record<string, unknown[]> = {};
  for (const r of records) {
    const key = `${r.topic}-${r.partition}`;
    const partition = grouped[key] ?? [];
    grouped[key] = partition;
    partition.push({
      topic: r.topic,
      partition: r.partition,
      offset: r.offset,
      timestamp: r.timestamp,
      timestampType: "CREATE_TIME",
      key: r.key === null ? null : r.key.toString("base64"),
      value: r.value === null ? null : r.value.toString("base64"),
      headers: r.headers.map(([name, bytes]) => ({ [name]: [...bytes] })),
    });
  }
  return {
    eventSource: origin.eventSourceArn ? "aws:kafka" : "SelfManagedKafka",
    ...(origin.eventSourceArn ? { eventSourceArn: origin.eventSourceArn } : {}),
    bootstrapServers: origin.bootstrapServers.join(","),
    records: grouped,
  };
}

/** How the event source reads a function's answer. */
export type KafkaBatchVerdict =
  | { readonly kind: "success" }
  /** Resume each listed partition from its offset; the rest of the batch succeeded. */
  | { readonly kind: "partial"; readonly resumeFrom: ReadonlyMap<string, number> }
  | { readonly kind: "failure"; readonly reason: string };

/**
 * Interprets a function result for `batch`: a function error fails the batch; without
 * `reportBatchItemFailures` any successful result is success.
 */
export function interpretKafkaResult(
  result: { readonly payload: string; readonly functionError?: string },
  batch: readonly ConsumedKafkaRecord[],
  reportBatchItemFailures: boolean,
): KafkaBatchVerdict {
  if (result.functionError) return { kind: "failure", reason: `function error: ${result.functionError}` };
  if (!reportBatchItemFailures) return { kind: "success" };
  let response: unknown;
  try {
    response = result.payload === "" ? null : JSON.parse(result.payload);
  } catch {
    return { kind: "failure", reason: "the response is not JSON" };
  }
  if (response === null || typeof response !== "object") return { kind: "success" };
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null || (Array.isArray(failures) && failures.length === 0)) {
    return { kind: "success" };
  }
  if (!Array.isArray(failures)) return { kind: "failure", reason: "batchItemFailures is not a list" };
  const inBatch = new Set(batch.map((r) => `${r.topic}-${r.partition}@${r.offset}`));
  const resumeFrom = new Map<string, number>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier as
      | { "topic-partition"?: unknown; offset?: unknown }
      | undefined;
    const tp = id?.["topic-partition"];
    const offset = typeof id?.offset === "string" ? Number(id.offset) : id?.offset;
    if (typeof tp !== "string" || typeof offset !== "number" || !inBatch.has(`${tp}@${offset}`)) {
      return {
        kind: "failure",
        reason: `itemIdentifier ${JSON.stringify(id ?? null)} is not a record of the batch`,
      };
    }
    resumeFrom.set(tp, Math.min(resumeFrom.get(tp) ?? offset, offset));
  }
  return { kind: "partial", resumeFrom };
}

/** Why records went to the on-failure destination. */
export type KafkaFailureCondition = "RetryAttemptsExhausted" | "RecordAgeExceeded";

/** The on-failure record for SQS/SNS destinations (no payload: offsets and timestamps only). */
export function kafkaOnFailureRecord(
  records: readonly ConsumedKafkaRecord[],
  context: {
    readonly condition: KafkaFailureCondition;
    readonly functionArn: string;
    readonly requestId: string;
    readonly approximateInvokeCount: number;
    readonly origin: KafkaEventOrigin;
    readonly functionError?: string;
    readonly now?: Date;
  },
) {
  const recordsInfo: Record<string, Record<string, string>> = {};
  for (const r of [...records].sort((a, b) => a.offset - b.offset)) {
    const key = `${r.topic}-${r.partition}`;
    const info = recordsInfo[key];
    if (!info) {
      recordsInfo[key] = {
        firstRecordOffset: String(r.offset),
        firstRecordTimestamp: new Date(r.timestamp).toISOString(),
        lastRecordOffset: String(r.offset),
        lastRecordTimestamp: new Date(r.timestamp).toISOString(),
      };
    } else {
      info.lastRecordOffset = String(r.offset);
      info.lastRecordTimestamp = new Date(r.timestamp).toISOString();
    }
  }
  const payloadSize = JSON.stringify(toKafkaEvent(records, context.origin)).length;
  return {
    requestContext: {
      requestId: context.requestId,
      functionArn: context.functionArn,
      condition: context.condition,
      approximateInvokeCount: context.approximateInvokeCount,
    },
    responseContext: {
      statusCode: 200,
      executedVersion: "$LATEST",
      functionError: context.functionError ?? "Unhandled",
    },
    version: "1.0",
    timestamp: (context.now ?? new Date()).toISOString(),
    KafkaBatchInfo: {
      batchSize: records.length,
      eventSourceArn: context.origin.eventSourceArn,
      bootstrapServers: context.origin.bootstrapServers.join(","),
      payloadSize,
      recordsInfo,
    },
  };
}
