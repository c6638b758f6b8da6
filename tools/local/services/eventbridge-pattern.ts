/**
 * EventBridge event patterns, with EventBridge's semantics (not SNS filter policies'): the matcher the
 * local EventBridge service runs for every rule, and `TestEventPattern`.
 *
 * References: the EventBridge user guide ("Creating event patterns", "Content filtering") and the
 * README of AWS's open-source matcher `aws/event-ruler`. What is implemented:
 * - a pattern is an object; each key is matched against the event field of the same name; an object
 *   value recurses into a nested field (`detail.order.status`); an array value is a list of
 *   matchers, any of which may match (OR); every key must match (AND);
 * - `$or: [pattern, …]` at any level: the other keys AND any branch;
 * - an event field that is an array matches when ANY element matches;
 * - matchers: exact strings, numbers (numeric equality: 5 matches 5.0; "5" does not match 5) and
 *   `null`; `{ prefix }` and `{ suffix }` (optionally `{ "equals-ignore-case": … }` inside);
 *   `{ "equals-ignore-case" }`; `{ wildcard }` (`*` any run of characters, `\*` a literal star);
 *   `{ "anything-but": value | [values] | { prefix } | { suffix } | { "equals-ignore-case" } |
 *   { wildcard } }`; `{ numeric: [op, n, (op, n)] }` with `=`, `<`, `<=`, `>`, `>=`;
 *   `{ exists: true | false }`; `{ cidr: "10.0.0.0/24" }` (IPv4 and IPv6);
 * - a missing field matches only `{ exists: false }` (every other matcher, `anything-but` included,
 *   needs the field).
 * Invalid patterns throw {@link InvalidEventPatternError} (what `PutRule`/`TestEventPattern` answer
 * with `InvalidEventPatternException`).
 */
import { BlockList, isIP } from "node:net";

/** An invalid pattern (EventBridge: `InvalidEventPatternException`). */
export class InvalidEventPatternError extends Error {
  override readonly name = "InvalidEventPatternError";
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A compiled matcher of one leaf value (`undefined` = the field is absent). */
type Leaf = (value: Json | undefined) => boolean;

/** A compiled pattern. */
export type EventPatternMatcher = (event: unknown) => boolean;

/** Compiles `pattern` (parsed JSON or its text); throws {@link InvalidEventPatternError}. */
export function compileEventPattern(pattern: unknown): EventPatternMatcher {
  let parsed: unknown = pattern;
  if (typeof pattern === "string") {
    try {
      parsed = JSON.parse(pattern);
    } catch (error) {
      throw new InvalidEventPatternError(`event pattern is not JSON: ${(error as Error).message}`);
    }
  }
  if (!isObject(parsed)) throw new InvalidEventPatternError("event pattern must be a JSON object");
  const match = compileObject(parsed, "");
  return (event) => match(event as Json);
}

/** Whether `event` matches `pattern` (compiles every time: use {@link compileEventPattern} for rules). */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  return compileEventPattern(pattern)(event);
}

function compileObject(pattern: JsonObject, path: string): (value: Json | undefined) => boolean {
  const checks: ((value: JsonObject) => boolean)[] = [];
  for (const [key, spec] of Object.entries(pattern)) {
    const where = path ? `${path}.${key}` : key;
    if (key === "$or") {
      if (!Array.isArray(spec) || spec.length < 2 || !spec.every(isObject)) {
        throw new InvalidEventPatternError(`${where}: $or needs an array of at least two pattern objects`);
      }
      const branches = spec.map((branch, i) => compileObject(branch as JsonObject, `${where}[${i}]`));
      checks.push((value) => branches.some((branch) => branch(value)));
    } else if (Array.isArray(spec)) {
      if (spec.length === 0) throw new InvalidEventPatternError(`${where}: an empty array matches nothing`);
      const leaves = spec.map((s) => compileLeaf(s, where));
      checks.push((value) => {
        const field = value[key];
        if (Array.isArray(field)) {
          // exists:false on an array field: the field exists, so only the non-exists matchers may match.
          return field.some((element) => leaves.some((leaf) => leaf(element)));
        }
        return leaves.some((leaf) => leaf(field));
      });
    } else if (isObject(spec)) {
      const nested = compileObject(spec, where);
      checks.push((value) => {
        const field = value[key];
        if (Array.isArray(field)) return field.some((element) => nested(element));
        return nested(field);
      });
    } else {
      throw new InvalidEventPatternError(
        `${where}: a match value must be an array or an object, got ${JSON.stringify(spec)}`,
      );
    }
  }
  return (value) => {
    // A nested pattern on an absent field still matches when it only asks for absent fields.
    const object = isObject(value) ? value : {};
    return checks.every((check) => check(object));
  };
}

function compileLeaf(spec: Json, where: string): Leaf {
  if (spec === null) return (value) => value === null;
  if (typeof spec === "string") return (value) => value === spec;
  if (typeof spec === "number") return (value) => typeof value === "number" && value === spec;
  if (typeof spec === "boolean") return (value) => value === spec;
  if (!isObject(spec))
    throw new InvalidEventPatternError(`${where}: unsupported match value ${JSON.stringify(spec)}`);
  const keys = Object.keys(spec);
  if (keys.length !== 1) {
    throw new InvalidEventPatternError(
      `${where}: a matcher object has exactly one key, got ${JSON.stringify(spec)}`,
    );
  }
  const [operator] = keys as [string];
  const operand = spec[operator] as Json;
  const present =
    (test: (value: Json) => boolean): Leaf =>
    (value) =>
      value !== undefined && test(value);
  switch (operator) {
    case "prefix":
      return present(stringTest(operand, where, "prefix", (v, s) => v.startsWith(s)));
    case "suffix":
      return present(stringTest(operand, where, "suffix", (v, s) => v.endsWith(s)));
    case "equals-ignore-case": {
      const text = requireString(operand, where, operator).toLowerCase();
      return present((v) => typeof v === "string" && v.toLowerCase() === text);
    }
    case "wildcard": {
      const regex = wildcardRegex(requireString(operand, where, operator));
      return present((v) => typeof v === "string" && regex.test(v));
    }
    case "anything-but":
      return present(anythingBut(operand, where));
    case "numeric":
      return present(numeric(operand, where));
    case "exists":
      if (typeof operand !== "boolean")
        throw new InvalidEventPatternError(`${where}: exists takes true or false`);
      return operand ? (value) => value !== undefined : (value) => value === undefined;
    case "cidr":
      return present(cidr(operand, where));
    default:
      throw new InvalidEventPatternError(`${where}: unknown matcher "${operator}"`);
  }
}

function requireString(operand: Json, where: string, operator: string): string {
  if (typeof operand !== "string") throw new InvalidEventPatternError(`${where}: ${operator} takes a string`);
  return operand;
}

/** `prefix`/`suffix` with a string, or `{ "equals-ignore-case": string }`. */
function stringTest(
  operand: Json,
  where: string,
  operator: string,
  test: (value: string, text: string) => boolean,
) {
  if (
    isObject(operand) &&
    Object.keys(operand).length === 1 &&
    typeof operand["equals-ignore-case"] === "string"
  ) {
    const text = (operand["equals-ignore-case"] as string).toLowerCase();
    return (v: Json) => typeof v === "string" && test(v.toLowerCase(), text);
  }
  const text = requireString(operand, where, operator);
  return (v: Json) => typeof v === "string" && test(v, text);
}

/** `*` matches any run of characters, `\*` a literal star; consecutive stars are invalid (as in EventBridge). */
function wildcardRegex(pattern: string): RegExp {
  if (/(?<!\\)\*\*/.test(pattern))
    throw new InvalidEventPatternError(`wildcard "${pattern}": consecutive * are not allowed`);
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "\\" && (pattern[i + 1] === "*" || pattern[i + 1] === "\\")) {
      source += `\\${pattern[i + 1]}`;
      i++;
    } else if (c === "*") source += ".*";
    else source += c.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "s");
}

function anythingBut(operand: Json, where: string): (value: Json) => boolean {
  const not = (test: (value: Json) => boolean) => (value: Json) => !test(value);
  if (typeof operand === "string" || typeof operand === "number") return (value) => value !== operand;
  if (Array.isArray(operand)) {
    if (!operand.every((v) => typeof v === "string" || typeof v === "number")) {
      throw new InvalidEventPatternError(`${where}: anything-but takes strings or numbers`);
    }
    return (value) => !operand.includes(value as string | number);
  }
  if (isObject(operand) && Object.keys(operand).length === 1) {
    const [operator] = Object.keys(operand) as [string];
    const inner = operand[operator] as Json;
    const list = (values: Json) =>
      (Array.isArray(values) ? values : [values]).map((v) => requireString(v, where, operator));
    switch (operator) {
      case "prefix":
        return not(stringTest(inner, where, operator, (v, s) => v.startsWith(s)));
      case "suffix":
        return not(stringTest(inner, where, operator, (v, s) => v.endsWith(s)));
      case "equals-ignore-case": {
        const texts = list(inner).map((t) => t.toLowerCase());
        return (value) => typeof value !== "string" || !texts.includes(value.toLowerCase());
      }
      case "wildcard": {
        const regexes = list(inner).map(wildcardRegex);
        return (value) => typeof value !== "string" || !regexes.some((r) => r.test(value));
      }
      default:
        break;
    }
  }
  throw new InvalidEventPatternError(`${where}: unsupported anything-but ${JSON.stringify(operand)}`);
}

const COMPARISONS: Record<string, (a: number, b: number) => boolean> = {
  "=": (a, b) => a === b,
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
};

function numeric(operand: Json, where: string): (value: Json) => boolean {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) {
    throw new InvalidEventPatternError(`${where}: numeric takes [op, n] or [op, n, op, n]`);
  }
  const tests: ((v: number) => boolean)[] = [];
  for (let i = 0; i < operand.length; i += 2) {
    const op = operand[i];
    const bound = operand[i + 1];
    const compare = typeof op === "string" ? COMPARISONS[op] : undefined;
    if (!compare || typeof bound !== "number") {
      throw new InvalidEventPatternError(
        `${where}: numeric ${JSON.stringify(operand)}; allowed operators =, <, <=, >, >= with numbers`,
      );
    }
    tests.push((v) => compare(v, bound));
  }
  if (tests.length === 2 && (operand[0] === "=" || operand[2] === "=")) {
    throw new InvalidEventPatternError(`${where}: numeric "=" cannot be combined with a range`);
  }
  return (value) => typeof value === "number" && tests.every((t) => t(value));
}

function cidr(operand: Json, where: string): (value: Json) => boolean {
  const text = requireString(operand, where, "cidr");
  const [address, bits] = text.split("/");
  const family = isIP(address ?? "");
  const prefix = Number(bits);
  if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
    throw new InvalidEventPatternError(`${where}: cidr "${text}" is not an IPv4 or IPv6 CIDR block`);
  }
  const list = new BlockList();
  const type = family === 4 ? "ipv4" : "ipv6";
  list.addSubnet(address as string, prefix, type);
  return (value) => typeof value === "string" && isIP(value) === family && list.check(value, type);
}
