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

/**
 * Runs every rule and throws one `Error` that lists all failures with the construct path, so a
 * user fixes everything in one round instead of one synth per mistake.
 */
export function validateProps<P>(scope: IConstruct, props: P, rules: readonly ValidationRule<P>[]): void {
  const failures: string[] = [];
  for (const rule of rules) {
    const result = rule.check(props);
    const messages = result === undefined ? [] : Array.isArray(result) ? result : [result];
    for (const message of messages) failures.push(`  - [${rule.name}] ${message}`);
  }
  if (failures.length > 0) {
    throw new Error(`Invalid props for ${scope.node.path}:\n${failures.join("\n")}`);
  }
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
