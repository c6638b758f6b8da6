/**
 * Bad input for a redrive: raised before any message is moved, so the caller can print
 * `message` as one line and exit non-zero knowing the DLQ is untouched.
 */
export class RedriveInputError extends Error {
  override readonly name = "RedriveInputError";
  /** Which input was wrong (`--from`, `--to`, `--max`, `--rate`, `--filter`) or `lock` for a concurrent run. */
  readonly input: string;
  constructor(input: string, message: string) {
    super(message);
    this.input = input;
  }
}

/** True when an SQS error means "this endpoint does not implement the action" (emulators, old LocalStack). */
export function isUnsupportedAction(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const meta = error as { Code?: string; $metadata?: { httpStatusCode?: number } };
  if (meta.$metadata?.httpStatusCode === 501) return true;
  return /InvalidAction|UnsupportedOperation|UnknownOperation|NotImplemented/i.test(
    `${meta.Code ?? ""} ${error.name}`,
  );
}

/** True when an SQS error means the queue does not exist (both the JSON and the query-protocol codes). */
export function isQueueMissing(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return /QueueDoesNotExist|NonExistentQueue|AWS\.SimpleQueueService\.NonExistentQueue/.test(
    `${error.name} ${(error as { Code?: string }).Code ?? ""}`,
  );
}
