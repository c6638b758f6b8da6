/**
 * The young generation every isolate the local cloud starts (each Lambda execution environment,
 * dynalite) begins with.
 *
 * Why: V8 starts a new isolate's new space at 4 MB and grows it only after many scavenges. A Lambda
 * environment allocates a few hundred kilobytes per SDK call, so a fresh one scavenges every few
 * invocations and promotes short-lived request objects into the old generation, which then needs
 * concurrent marking. Measured with `--trace-gc` over one `npm run bench -- bridge` process,
 * starting at {@link WORKER_MIN_SEMI_SPACE_MB} took scavenges from 334 to 151, full mark-compacts
 * from 21 to 8 and the summed pauses from 1,186 to 658 ms, for about 2 × that much resident memory
 * per isolate. Garbage collection is not observable to a function, so this changes cost, not
 * behaviour.
 *
 * How, and its limits (Node 24):
 * - The Lambda and DynamoDB services set the flag with `v8.setFlagsFromString` when the cloud
 *   starts, before their first worker: V8 reads it when it creates an isolate. Node documents that
 *   changing V8 flags after start-up "may result in unpredictable behavior"; this one only sizes the
 *   heap of isolates created afterwards, and no problem showed in the test suite or the benches.
 * - It is process-wide and permanent: every isolate created later in the same process starts at
 *   this size (a test runner's own worker threads too), and a later `0` does not undo it.
 * - It cannot resize the main thread's heap, which already exists. The npm scripts that run the
 *   cloud (`start`, `local`, `verify`) put the flag on Node's command line instead, which sizes every
 *   isolate of the process, so under them `LOCAL_CLOUD_MIN_SEMI_SPACE_MB` cannot lower it; the bench
 *   runner passes {@link mainThreadNodeFlags}, which follows the variable.
 */
import { setFlagsFromString } from "node:v8";

/** Semi-space size (MB) isolates start with; `LOCAL_CLOUD_MIN_SEMI_SPACE_MB` overrides it (0: V8's sizing). */
export const WORKER_MIN_SEMI_SPACE_MB = 16;

/** The largest value accepted: V8 caps a semi-space at 64 MB on Node 24 (a larger value has no effect). */
export const MAX_MIN_SEMI_SPACE_MB = 64;

/**
 * The semi-space size to start isolates with: `LOCAL_CLOUD_MIN_SEMI_SPACE_MB` or
 * {@link WORKER_MIN_SEMI_SPACE_MB}; throws a `RangeError` naming the variable when it is not a whole
 * number of megabytes from 0 to {@link MAX_MIN_SEMI_SPACE_MB}.
 */
export function minSemiSpaceMb(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.LOCAL_CLOUD_MIN_SEMI_SPACE_MB;
  if (raw === undefined || raw === "") return WORKER_MIN_SEMI_SPACE_MB;
  const mb = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(mb >= 0 && mb <= MAX_MIN_SEMI_SPACE_MB)) {
    throw new RangeError(
      `LOCAL_CLOUD_MIN_SEMI_SPACE_MB must be a whole number of megabytes from 0 to ${MAX_MIN_SEMI_SPACE_MB}, got ${JSON.stringify(raw)}`,
    );
  }
  return mb;
}

/** Sets the young generation isolates created from now on start with; call before `new Worker`. */
export function sizeWorkerYoungGeneration(env: NodeJS.ProcessEnv = process.env): void {
  const mb = minSemiSpaceMb(env);
  if (mb > 0) setFlagsFromString(`--min-semi-space-size=${mb}`);
}

/** The Node flags that give a process's main thread the same starting young generation. */
export function mainThreadNodeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  const mb = minSemiSpaceMb(env);
  return mb > 0 ? [`--min-semi-space-size=${mb}`] : [];
}
