/**
 * The benchmarks' wait: the kit's {@link waitUntil}, but a timeout throws (naming what was awaited),
 * because a figure measured past a timeout would be made up.
 */
import { waitUntil } from "../tools/local/scenarios/kit/wait.ts";

/** Waits until `condition` holds, checking every `intervalMs`; throws after `timeoutMs`. */
export async function benchWait(
  description: string,
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 300_000, intervalMs = 2 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  if (!(await waitUntil(condition, { timeoutMs, intervalMs }))) {
    throw new Error(`benchmark timed out after ${timeoutMs} ms waiting for ${description}`);
  }
}
