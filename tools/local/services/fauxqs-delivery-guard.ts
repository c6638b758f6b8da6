import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

interface QueueClass {
  prototype: { enqueue(this: { name: string }, message: unknown): void };
}

/** Queue names whose next enqueue (in the SNS fan-out under way) must not happen. */
let skipping: Set<string> | undefined;
let installed: Promise<void> | undefined;

/**
 * Lets the local cloud stop fauxqs from delivering one SNS message to some subscribed queues, for
 * deliveries SNS itself refuses (a raw delivery with more than 10 message attributes is a client
 * error on AWS). fauxqs fans out synchronously right after it reports the publish to its spy, so
 * {@link skipDeliveries}, called from the spy callback, covers exactly that fan-out: the queue class
 * (loaded by file, as fauxqs does not export it) skips the next enqueue of each named queue, and
 * the set expires at the next microtask.
 */
export function installDeliveryGuard(): Promise<void> {
  installed ??= (async () => {
    const file = join(fileURLToPath(import.meta.resolve("fauxqs")), "..", "sqs", "sqsStore.js");
    const { SqsQueue } = (await import(pathToFileURL(file).href)) as { SqsQueue: QueueClass };
    const enqueue = SqsQueue.prototype.enqueue;
    SqsQueue.prototype.enqueue = function guardedEnqueue(message) {
      if (skipping?.delete(this.name)) return;
      enqueue.call(this, message);
    };
  })();
  return installed;
}

/** Skips the delivery of the SNS message being fanned out to these queues (see {@link installDeliveryGuard}). */
export function skipDeliveries(queueNames: ReadonlySet<string>): void {
  const current = new Set(queueNames);
  skipping = current;
  queueMicrotask(() => {
    if (skipping === current) skipping = undefined;
  });
}
