/**
 * A memo for dynalite's condition-expression parser. dynalite parses every `ConditionExpression`
 * and `FilterExpression` with a PEG parser that backtracks heavily: in the fan-out benchmark it was
 * 42 % of the DynamoDB emulator's CPU in steady state, for the same few expressions (Powertools
 * idempotency's `attribute_not_exists(#id) OR #expiry < :now OR (…)`) with different values.
 *
 * Only expressions whose parse depends on the attribute values solely through which placeholders
 * exist are memoized: no `BETWEEN` (compares the bounds), `begins_with`, `attribute_type` or `size`
 * (check the operand types), no key conditions. The key is the expression, the
 * `ExpressionAttributeNames` and the names of the `ExpressionAttributeValues`; a hit returns a copy
 * of the parsed tree with the request's own value objects in place of the first request's, and
 * marks the same names and values used, so results and error messages are those of a fresh parse.
 * Failed parses (syntax errors, validation messages) are never memoized.
 *
 * Runs as plain Node.js (type stripping) in the dynalite worker: erasable syntax only.
 */

type Values = Record<string, unknown>;
interface ParseContext {
  attrNames?: Record<string, string>;
  attrVals?: Values;
  unusedAttrNames?: Record<string, boolean>;
  unusedAttrVals?: Record<string, boolean>;
  isKeyCondition?: boolean;
  [key: string]: unknown;
}
interface Parser {
  parse(input: string, options: { context: ParseContext }): unknown;
}
interface Entry {
  readonly result: unknown;
  /** The first request's value objects, by identity, to the placeholder that supplied them. */
  readonly values: Map<unknown, string>;
  readonly usedNames: readonly string[];
  readonly usedValues: readonly string[];
}

const VALUE_DEPENDENT = /between|begins_with|attribute_type|size/i;
const MAX_ENTRIES = 1000;

function copyTree(node: unknown, values: Map<unknown, string>, current: Values): unknown {
  if (node === null || typeof node !== "object") return node;
  const placeholder = values.get(node);
  if (placeholder !== undefined) return current[placeholder];
  if (Array.isArray(node)) return node.map((item) => copyTree(item, values, current));
  const copy = Object.create(Object.getPrototypeOf(node)) as Record<string, unknown>;
  for (const key of Object.keys(node))
    copy[key] = copyTree((node as Record<string, unknown>)[key], values, current);
  return copy;
}

/** Wraps `parser.parse` (dynalite's `db/conditionParser`) with the memo described above. Idempotent. */
export function memoizeConditionParser(parser: Parser): void {
  if ((parser as { memoized?: boolean }).memoized) return;
  const original = parser.parse.bind(parser);
  const cache = new Map<string, Entry>();
  parser.parse = (input, options) => {
    const context = options.context;
    if (context.isKeyCondition || VALUE_DEPENDENT.test(input)) return original(input, options);
    const attrVals = context.attrVals ?? {};
    const key = `${input}\u0000${JSON.stringify(context.attrNames ?? null)}\u0000${Object.keys(attrVals).join(",")}`;
    const hit = cache.get(key);
    if (hit) {
      for (const name of hit.usedNames) delete context.unusedAttrNames?.[name];
      for (const name of hit.usedValues) delete context.unusedAttrVals?.[name];
      return copyTree(hit.result, hit.values, attrVals);
    }
    const unusedNames = Object.keys(context.unusedAttrNames ?? {});
    const unusedValues = Object.keys(context.unusedAttrVals ?? {});
    const result = original(input, options);
    if (result === null || typeof result !== "object") return result; // a validation message
    if (cache.size >= MAX_ENTRIES) cache.clear();
    const values = new Map<unknown, string>();
    for (const [name, value] of Object.entries(attrVals)) {
      if (value !== null && typeof value === "object") values.set(value, name);
    }
    cache.set(key, {
      // A copy (dynalite may change the tree it gets) that keeps this request's value objects.
      result: copyTree(result, values, attrVals),
      values,
      usedNames: unusedNames.filter((name) => !(name in (context.unusedAttrNames ?? {}))),
      usedValues: unusedValues.filter((name) => !(name in (context.unusedAttrVals ?? {}))),
    });
    return result;
  };
  (parser as { memoized?: boolean }).memoized = true;
}
