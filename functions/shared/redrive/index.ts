/**
 * The redrive library: move messages from an SQS dead-letter queue back to where they came from.
 * `redrive()` is what the CLI (`npm run redrive`) and the pattern's redrive function call.
 */
export { chunkBySize, MAX_BATCH_BYTES, MAX_BATCH_ENTRIES, messageSizeBytes } from "./batches.ts";
export { buildSendEntry, ERROR_ATTRIBUTE_PREFIX, REDRIVE_COUNT_ATTRIBUTE } from "./entries.ts";
export { RedriveInputError } from "./errors.ts";
export { type MessageFilter, matchesFilters, parseFilter } from "./filter.ts";
export { acquireLock, LOCK_TAG } from "./lock.ts";
export { probeMoveTasks, runMoveTask } from "./move-task.ts";
export { moveMessages } from "./mover.ts";
export { countByReceiving } from "./probe.ts";
export { describeQueue, parseQueueRef } from "./queues.ts";
export {
  planRedrive,
  type RedriveClients,
  type RedriveOptions,
  type RedrivePlan,
  redrive,
} from "./redrive.ts";
export type {
  RedriveFailure,
  RedriveProgress,
  RedriveStopReason,
  RedriveStrategy,
  RedriveSummary,
} from "./types.ts";
