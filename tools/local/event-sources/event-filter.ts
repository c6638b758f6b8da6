/**
 * Lambda event filtering (`FilterCriteria.Filters[].Pattern`) for the local event sources: a record
 * reaches the function when any pattern matches it. Patterns are evaluated by fauxqs's filter-policy
 * engine (exact values, prefix, suffix, anything-but, numeric, exists, `$or`), so SNS subscriptions
 * and event source mappings judge a pattern the same way.
 *
 * What a pattern sees depends on the source: for SQS the whole record with `body` parsed as JSON when
 * it is JSON; for Kafka (MSK, self-managed) only `value`, decoded and parsed as JSON when it is JSON,
 * else the plain string (Lambda's Kafka filtering supports the `value` key only).
 */
import { filterModule } from "../filter-policy.ts";
import { UnsupportedResourceError } from "../resources/plan.ts";
import type { Json } from "../template.ts";
import { isObject } from "../template.ts";

const MAPPING = "AWS::Lambda::EventSourceMapping";

/**
 * Compiles `criteria` into a predicate over the subject `toSubject` builds from a record, or
 * `undefined` when there are no criteria. A malformed criteria object, a pattern that is not a JSON
 * object, or (when `allowedKeys` is given) a pattern on another top-level key fails the start with
 * the mapping's logical ID and what is wrong.
 */
export async function compileEventFilter<TRecord>(
  logicalId: string,
  criteria: Json | undefined,
  toSubject: (record: TRecord) => Record<string, unknown>,
  allowedKeys?: readonly string[],
): Promise<((record: TRecord) => boolean) | undefined> {
  if (criteria === undefined || criteria === null) return undefined;
  const filters = isObject(criteria) && Array.isArray(criteria.Filters) ? criteria.Filters : undefined;
  if (!filters) throw new UnsupportedResourceError(logicalId, MAPPING, "has FilterCriteria without Filters");
  const patterns = filters.map((f) => {
    let pattern: unknown;
    try {
      pattern = isObject(f) && typeof f.Pattern === "string" ? JSON.parse(f.Pattern) : undefined;
    } catch {
      pattern = undefined;
    }
    if (!isObject(pattern)) {
      throw new UnsupportedResourceError(
        logicalId,
        MAPPING,
        `has a filter pattern that is not a JSON object: ${JSON.stringify(f)}`,
      );
    }
    const other = allowedKeys ? Object.keys(pattern).filter((key) => !allowedKeys.includes(key)) : [];
    if (other.length > 0) {
      throw new UnsupportedResourceError(
        logicalId,
        MAPPING,
        `has a filter pattern on ${other.map((k) => `"${k}"`).join(", ")}; this event source filters on ${allowedKeys?.map((k) => `"${k}"`).join(", ")} only`,
      );
    }
    return pattern;
  });
  const filter = await filterModule();
  return (record) => {
    const subject = JSON.stringify(toSubject(record));
    return patterns.some((pattern) => filter.matchesFilterPolicyOnBody(pattern, subject));
  };
}

/** A string parsed as JSON when it is JSON, else the string itself (what a pattern then compares). */
export function jsonOrString(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
