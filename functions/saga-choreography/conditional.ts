import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";

/** By class or by name (an error deserialized by another copy of the SDK). */
export function isConditionalCheckFailed(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === "ConditionalCheckFailedException")
  );
}
