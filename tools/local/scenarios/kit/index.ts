/**
 * The scenario kit: what every pattern's scenario needs to drive a target and read what happened,
 * through AWS SDK calls and stack outputs only (so one scenario runs on every target).
 */
export { outputReader, type ScenarioTarget } from "../target.ts";
export { openClients, pollIntervalMs, type ScenarioClients } from "./clients.ts";
export {
  bodyMentions,
  type DeadLetter,
  DeadLetterScanError,
  deleteMessages,
  type ReadDeadLettersOptions,
  readDeadLetters,
} from "./dlq.ts";
export { FunctionInvokeError, functionEnvironment, invokeJson } from "./invoke.ts";
export { type LatencySummary, percentile, perSecond, summarizeLatency } from "./latency.ts";
export {
  formatCoreLedger,
  formatTable,
  type Judgement,
  type Ledger,
  type LedgerCounts,
  ledgerOf,
  newRunId,
  type ScenarioLedger,
  tally,
} from "./ledger.ts";
export {
  definePattern,
  LedgerMismatchError,
  type PatternDefinition,
  type PatternEntry,
  type ScenarioOptions,
} from "./pattern.ts";
export {
  formatProgressLine,
  fractionOf,
  type ProgressListener,
  percentOf,
  phasedProgress,
} from "./progress.ts";
export { type QueueDepth, queueDepth, totalDepth, waitForDrained } from "./queues.ts";
export { runScenario, type ScenarioRun } from "./run.ts";
export { deadlineIn, waitUntil } from "./wait.ts";
