/** Thrown when a deployed target cannot be used (no LocalStack, no Docker, no credentials, a failed deploy). */
export class TargetError extends Error {
  override readonly name = "TargetError";
}
