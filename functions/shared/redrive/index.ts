/**
 * The redrive library: move messages from an SQS dead-letter queue back to where they came from.
 * `redrive()` is what the CLI (`npm run redrive`) and the pattern's redrive function call.
 */
export { buildSendEntry, REDRIVE_COUNT_ATTRIBUTE } from "./entries.ts";
export { RedriveInputError } from "./errors.ts";
export { type MessageFilter, matchesFilters, parseFilter } from "./filter.ts";
export { acquireLock, LOCK_TAG } from "./lock.ts";
export { probeMoveTasks, runMoveTask } from "./move-task.ts";
export { moveMessages } from "./mover.ts";
export { describeQueue, parseQueueRef } from "./queues.ts";
export {
  planRedrive,
  type RedriveClients,
  type RedriveOptions,
  type RedrivePlan,
  redrive,
} from "./redrive.ts";
export type { RedriveFailure, RedriveProgress, RedriveStrategy, RedriveSummary } from "./types.ts";
