import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Absolute path of a handler entry under `functions/`, e.g. `handlerEntry("sns-sqs-fanout", "billing")`. */
export function handlerEntry(slug: string, role: string): string {
  return join(root, "functions", slug, `${role}.ts`);
}
