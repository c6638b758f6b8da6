/**
 * Validation of Amazon States Language definitions with `asl-validator` (JSON schema of every state
 * type plus the checks AWS's own validator makes: transition targets exist, every state reachable
 * ends, no duplicate names, Fail's Error/ErrorPath exclusive, …). Used at local start (a definition
 * AWS would reject must not run locally) and by the infra tests on synthesized definitions.
 */
import { createRequire } from "node:module";

/** One problem asl-validator reports. */
export interface AslValidationError {
  readonly code: string;
  readonly message: string;
}

interface ValidatorResult {
  readonly isValid: boolean;
  readonly errors: readonly { readonly "Error code": string; readonly Message: string }[];
}

type Validator = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => ValidatorResult;

const validator = createRequire(import.meta.url)("asl-validator") as Validator;

/**
 * Validates a definition (deploy-time tokens already replaced). Returns the problems, empty when
 * valid. The validator mutates its input (it fills in `QueryLanguage` on every state), so it gets a copy.
 */
export function validateAsl(definition: unknown): AslValidationError[] {
  const copy = structuredClone(definition);
  const result = validator(copy, { checkPaths: true, checkArn: true });
  return result.errors.map((e) => ({ code: e["Error code"], message: e.Message }));
}
