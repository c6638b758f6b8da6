/**
 * The two error kinds every handler distinguishes.
 *
 * SQS → Lambda retries a failed record by letting its visibility timeout expire; after
 * `maxReceiveCount` receives the queue moves it to its DLQ. That is right for transient faults
 * (throttling, a dependency down) and wasteful for records that can never succeed (bad schema):
 * those would burn every retry, delay the rest of their FIFO group, and reach the DLQ without a
 * reason. So handlers classify:
 * - {@link RetryableError}: the record is reported in `batchItemFailures`; SQS redelivers it.
 * - {@link PermanentError}: the record is sent to the DLQ at once with `error.type` /
 *   `error.reason` message attributes, and the batch goes on.
 * Any other error is treated as retryable: an unknown failure must never lose a record.
 */

/** A failure that may succeed on a later attempt (the queue retries the record). */
export class RetryableError extends Error {
  override readonly name = "RetryableError";
}

/** Why a record can never be processed; becomes the DLQ message's `error.type` attribute. */
export type PermanentErrorType =
  | "MalformedJson"
  | "SchemaViolation"
  | "UnknownEventType"
  | "Oversize"
  | "PayloadMismatch"
  | (string & {});

/** A failure no retry can fix: the record goes to the DLQ at once, with `type` and `reason`. */
export class PermanentError extends Error {
  override readonly name = "PermanentError";
  /** Machine-readable category (`SchemaViolation`, `MalformedJson`, `UnknownEventType`, `Oversize`, `PayloadMismatch`, …). */
  readonly type: PermanentErrorType;
  /** Human-readable explanation, e.g. which field failed validation. */
  readonly reason: string;

  constructor(type: PermanentErrorType, reason: string, options?: ErrorOptions) {
    super(`${type}: ${reason}`, options);
    this.type = type;
    this.reason = reason;
  }
}

/** Narrowing helper that also works across bundles (checks the name, not only the prototype). */
export function isPermanentError(error: unknown): error is PermanentError {
  return (
    error instanceof PermanentError ||
    (error instanceof Error &&
      error.name === "PermanentError" &&
      typeof (error as Partial<PermanentError>).type === "string")
  );
}
