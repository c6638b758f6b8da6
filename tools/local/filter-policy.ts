import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { MessageAttributeValue } from "fauxqs";

/** fauxqs's SNS filter-policy evaluator (exact, prefix, suffix, anything-but, numeric, exists, `$or`). */
export interface FilterModule {
  matchesFilterPolicy(
    policy: Record<string, unknown>,
    attributes: Record<string, MessageAttributeValue>,
  ): boolean;
  matchesFilterPolicyOnBody(policy: Record<string, unknown>, body: string): boolean;
}

let loaded: Promise<FilterModule> | undefined;

/**
 * Loads fauxqs's own filter module by file (fauxqs does not export it), so SNS delivery, the
 * subscription DLQ emulation and Lambda event filtering all judge a pattern the same way.
 */
export function filterModule(): Promise<FilterModule> {
  loaded ??= import(
    pathToFileURL(join(fileURLToPath(import.meta.resolve("fauxqs")), "..", "sns", "filter.js")).href
  ) as Promise<FilterModule>;
  return loaded;
}
