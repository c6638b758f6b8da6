import { PatternValidationError, type ValidationFailure } from "../../patterns/shared/validation.js";

/**
 * Runs `build` and returns the failures of the {@link PatternValidationError} it throws. Fails the
 * test when `build` does not throw, or throws anything else, so tests can assert on rule names.
 */
export function validationFailures(build: () => unknown): readonly ValidationFailure[] {
  try {
    build();
  } catch (error) {
    if (error instanceof PatternValidationError) return error.failures;
    throw error;
  }
  throw new Error("expected a PatternValidationError, but the props were accepted");
}
