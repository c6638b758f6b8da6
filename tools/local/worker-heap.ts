/**
 * The young generation every isolate the local cloud starts (each Lambda execution environment,
 * dynalite) begins with.
 *
 * Why: V8 starts a new isolate's semi-spaces at about 1 MB and grows them only after many
 * scavenges. A Lambda environment allocates a few hundred kilobytes per SDK call, so a fresh one
 * scavenges every few invocations and promotes short-lived request objects into the old generation,
 * which then needs concurrent marking: in `npm run bench -- bridge` the first 1,000 pushes after a
 * warm-up cost 6.3 ms of CPU each and the fifth 1,000 3.7 ms, the difference being mostly garbage
 * collection. Starting at {@link WORKER_MIN_SEMI_SPACE_MB} gives every environment its warm sizing
 * from the first invocation, for about 2 × that much resident memory per isolate. Garbage collection
 * is not observable to a function, so this changes cost, not behaviour.
 *
 * V8 reads the flag when it creates an isolate, so it is set before the first worker starts; it is
 * process-wide (any isolate created afterwards in this process starts at this size too) and does
 * not touch the main thread's heap, which already exists.
 */
import { setFlagsFromString } from "node:v8";

/** Semi-space size (MB) new isolates start with; `LOCAL_CLOUD_MIN_SEMI_SPACE_MB` overrides it (0: leave V8's sizing alone). */
export const WORKER_MIN_SEMI_SPACE_MB = 16;

/**
 * Sets the young generation isolates created from now on start with; call before `new Worker`.
 * Throws a `RangeError` naming the variable when `LOCAL_CLOUD_MIN_SEMI_SPACE_MB` is not allowed.
 */
export function sizeWorkerYoungGeneration(env: NodeJS.ProcessEnv = process.env): void {
  const raw = env.LOCAL_CLOUD_MIN_SEMI_SPACE_MB;
  const mb = raw === undefined || raw === "" ? WORKER_MIN_SEMI_SPACE_MB : Number(raw);
  if (!Number.isInteger(mb) || mb < 0 || mb > 256) {
    throw new RangeError(
      `LOCAL_CLOUD_MIN_SEMI_SPACE_MB must be a whole number of megabytes from 0 to 256, got ${JSON.stringify(raw)}`,
    );
  }
  if (mb > 0) setFlagsFromString(`--min-semi-space-size=${mb}`);
}
