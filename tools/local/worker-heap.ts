/**
 * The young generation every isolate the local cloud starts (each Lambda execution environment,
 * dynalite) begins with.
 *
 * Why: V8 starts a new isolate's semi-spaces at about 1 MB and grows them only after many
 * scavenges. A Lambda environment allocates a few hundred kilobytes per SDK call, so a fresh one
 * scavenges every few invocations and promotes short-lived request objects into the old generation,
 * which then needs concurrent marking. Measured with `--trace-gc` over one `npm run bench -- bridge`
 * process, starting at {@link WORKER_MIN_SEMI_SPACE_MB} took scavenges from 334 to 151, full
 * mark-compacts from 21 to 8 and the summed pauses from 1,186 to 658 ms, for about 2 × that much
 * resident memory per isolate. Garbage collection is not observable to a function, so this changes
 * cost, not behaviour.
 *
 * V8 reads the flag when it creates an isolate, so it is set before each worker starts; it is
 * process-wide (any isolate created afterwards in this process starts at this size too) and cannot
 * resize the main thread's heap, which already exists: the npm scripts that run the cloud (`start`,
 * `local`, `verify`) and the bench runner start Node with the same flag ({@link mainThreadNodeFlags}).
 */
import { setFlagsFromString } from "node:v8";

/** Semi-space size (MB) isolates start with; `LOCAL_CLOUD_MIN_SEMI_SPACE_MB` overrides it (0: V8's sizing). */
export const WORKER_MIN_SEMI_SPACE_MB = 16;

/**
 * The semi-space size to start isolates with: `LOCAL_CLOUD_MIN_SEMI_SPACE_MB` or
 * {@link WORKER_MIN_SEMI_SPACE_MB}; throws a `RangeError` naming the variable when it is not a whole
 * number of megabytes from 0 to 256.
 */
export function minSemiSpaceMb(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.LOCAL_CLOUD_MIN_SEMI_SPACE_MB;
  const mb = raw === undefined || raw === "" ? WORKER_MIN_SEMI_SPACE_MB : Number(raw);
  if (!Number.isInteger(mb) || mb < 0 || mb > 256) {
    throw new RangeError(
      `LOCAL_CLOUD_MIN_SEMI_SPACE_MB must be a whole number of megabytes from 0 to 256, got ${JSON.stringify(raw)}`,
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
