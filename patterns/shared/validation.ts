import { Token } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

/**
 * One validation rule of a construct's props: `check` returns a failure message (what is wrong
 * and what is allowed) or `undefined` when the props pass. Rules are data, so a construct's
 * validation reads as a table and every failure is reported at once.
 */
export interface ValidationRule<P> {
  /** Short name of the rule, for tests and error messages, e.g. `visibility-timeout`. */
  readonly name: string;
  /** Returns the failure, or `undefined` when the rule holds (or its inputs are unresolved tokens). */
  readonly check: (props: P) => string | string[] | undefined;
}

/** One failed rule of a construct's props. */
export interface ValidationFailure {
  /** The rule's name, e.g. `visibility-timeout`: what tests and callers match on. */
  readonly rule: string;
  /** The construct path of the construct whose props failed, e.g. `MyStack/Orders`. */
  readonly path: string;
  /** What is wrong and what is allowed, e.g. `visibilityTimeout is 60 s; allowed: ≥ … = 180 s`. */
  readonly message: string;
}

/**
 * Thrown at synth time when a pattern's props break one or more rules. It carries every failure as
 * data (`failures`), so callers and tests can tell rules apart without parsing the message; the message
 * lists the same failures for a person, one line each, prefixed by the construct path.
 */
export class PatternValidationError extends Error {
  /** Every failure, in the order of the construct's rule table. */
  public readonly failures: readonly ValidationFailure[];

  constructor(path: string, failures: readonly ValidationFailure[]) {
    super(`Invalid props for ${path}:\n${failures.map((f) => `  - [${f.rule}] ${f.message}`).join("\n")}`);
    this.name = "PatternValidationError";
    this.failures = failures;
  }
}

/**
 * Runs every rule and throws one {@link PatternValidationError} that lists all failures with the
 * construct path, so a user fixes everything in one round instead of one synth per mistake.
 */
export function validateProps<P>(scope: IConstruct, props: P, rules: readonly ValidationRule<P>[]): void {
  const path = scope.node.path;
  const failures: ValidationFailure[] = [];
  for (const rule of rules) {
    const result = rule.check(props);
    const messages = result === undefined ? [] : Array.isArray(result) ? result : [result];
    for (const message of messages) failures.push({ rule: rule.name, path, message });
  }
  if (failures.length > 0) throw new PatternValidationError(path, failures);
}

/** True when a number or string is a CDK token that is only known at deploy time: rules skip it. */
export function isUnresolved(value: unknown): boolean {
  return (typeof value === "number" || typeof value === "string") && Token.isUnresolved(value);
}

/** Checks that `value` (when set and resolved) is an integer in [min, max]. */
export function checkIntegerRange(
  label: string,
  value: number | undefined,
  min: number,
  max: number,
): string | undefined {
  if (value === undefined || isUnresolved(value)) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) {
    return `${label} is ${value}; allowed: an integer from ${min} to ${max}`;
  }
  return undefined;
}
