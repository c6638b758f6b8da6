/** gRPC status errors in the shape grpc-js sends back to the client (code + details). */
import { status } from "@grpc/grpc-js";

/** An error with a gRPC status code; the client raises it with the same `code`. */
export class PubsubStatusError extends Error {
  readonly code: status;
  readonly details: string;
  constructor(code: status, details: string) {
    super(details);
    this.name = "PubsubStatusError";
    this.code = code;
    this.details = details;
  }
}

export const notFound = (what: string): PubsubStatusError =>
  new PubsubStatusError(status.NOT_FOUND, `${what} not found`);
export const alreadyExists = (what: string): PubsubStatusError =>
  new PubsubStatusError(status.ALREADY_EXISTS, `${what} already exists`);
export const invalidArgument = (details: string): PubsubStatusError =>
  new PubsubStatusError(status.INVALID_ARGUMENT, details);

/** Converts anything thrown by a handler into a status error (INTERNAL for the unexpected). */
export function toStatusError(error: unknown): PubsubStatusError {
  if (error instanceof PubsubStatusError) return error;
  return new PubsubStatusError(status.INTERNAL, error instanceof Error ? error.message : String(error));
}
