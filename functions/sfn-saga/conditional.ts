/** DynamoDB's conditional-write refusal, across SDK bundles (checked by name, not only by class). */
export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}
