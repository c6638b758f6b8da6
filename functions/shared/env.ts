/**
 * Configuration from environment variables, read once at cold start.
 *
 * Lambda freezes the environment for the lifetime of an execution environment, so handlers read
 * it at module scope: a missing variable then fails the INIT phase with a message naming it,
 * instead of failing every invocation later with something less obvious.
 */

/** Thrown at cold start when required configuration is missing or invalid. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the named variables; throws one {@link ConfigError} naming every missing (unset or empty)
 * variable, so a broken deployment is fixed in one round trip.
 *
 * @example const { TOPIC_ARN, EVENT_SOURCE } = readEnv(["TOPIC_ARN", "EVENT_SOURCE"]);
 */
export function readEnv<const K extends string>(
  names: readonly K[],
  env: Env = process.env,
): Readonly<Record<K, string>> {
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ConfigError(`missing required environment variable(s): ${missing.join(", ")}`);
  }
  return Object.fromEntries(names.map((name) => [name, env[name] as string])) as Record<K, string>;
}

/** An optional variable: `undefined` when unset or empty. */
export function optionalEnv(name: string, env: Env = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}

/**
 * A required boolean variable, spelled exactly `"true"` or `"false"` (as CloudFormation renders
 * booleans); anything else throws naming the variable and the allowed values.
 */
export function booleanEnv(name: string, env: Env = process.env): boolean {
  const value = readEnv([name], env)[name] as string;
  if (value === "true") return true;
  if (value === "false") return false;
  throw new ConfigError(`environment variable ${name} must be "true" or "false", got "${value}"`);
}

/**
 * A required comma-separated list (`"a, b,c"` → `["a", "b", "c"]`, blanks dropped); throws naming the
 * variable when it lists nothing.
 */
export function listEnv(name: string, env: Env = process.env): string[] {
  const items = (readEnv([name], env)[name] as string)
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  if (items.length === 0) {
    throw new ConfigError(`environment variable ${name} must list at least one value (comma-separated)`);
  }
  return items;
}

/** One of a fixed set of values; throws naming the variable and the allowed values. */
export function oneOfEnv<const T extends string>(
  name: string,
  allowed: readonly T[],
  env: Env = process.env,
): T {
  const value = readEnv([name], env)[name] as string;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`environment variable ${name} must be one of ${allowed.join(", ")}, got "${value}"`);
}
