/**
 * How Lambda reads a function's response to an SQS batch when the mapping has
 * `FunctionResponseTypes: ["ReportBatchItemFailures"]`, per the Lambda documentation:
 *
 * - complete success: `null`, an empty object, or `batchItemFailures` that is null or an empty list;
 * - partial failure: `batchItemFailures` lists `itemIdentifier`s that are all message IDs of the batch;
 * - complete failure (the whole batch is retried): a response that is not such an object, an entry
 *   with a missing, empty or non-string `itemIdentifier`, or an identifier that is not in the batch.
 *
 * Without `ReportBatchItemFailures` any successful response means the whole batch succeeded.
 */
export type BatchVerdict =
  | { readonly outcome: "success" }
  | { readonly outcome: "partial"; readonly failed: ReadonlySet<string> }
  | { readonly outcome: "failure"; readonly reason: string };

/** Applies the rules above to a function's JSON response payload. */
export function judgeBatchResponse(
  payload: string,
  batchMessageIds: readonly string[],
  reportBatchItemFailures: boolean,
): BatchVerdict {
  if (!reportBatchItemFailures) return { outcome: "success" };
  let response: unknown;
  try {
    response = JSON.parse(payload);
  } catch {
    return { outcome: "failure", reason: "the response is not valid JSON" };
  }
  if (response === null) return { outcome: "success" };
  if (typeof response !== "object" || Array.isArray(response)) {
    return {
      outcome: "failure",
      reason: `the response ${payload.slice(0, 80)} is not a partial batch response`,
    };
  }
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { outcome: "success" };
  if (!Array.isArray(failures)) return { outcome: "failure", reason: "batchItemFailures is not a list" };
  if (failures.length === 0) return { outcome: "success" };
  const inBatch = new Set(batchMessageIds);
  const failed = new Set<string>();
  for (const entry of failures) {
    const id = (entry as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== "string" || id === "") {
      return { outcome: "failure", reason: "a batchItemFailures entry has no itemIdentifier" };
    }
    if (!inBatch.has(id)) return { outcome: "failure", reason: `itemIdentifier ${id} is not in the batch` };
    failed.add(id);
  }
  return { outcome: "partial", failed };
}
