import { SECONDS_PER_MONTH } from "../constants.ts";
import { lambdaConsumer } from "../consumers.ts";
import { charge } from "../line-items.ts";
import type { PriceCatalogue } from "../prices/catalogue.ts";
import type { Workload } from "../workload.ts";
import type { Alternative } from "./types.ts";

/** Transitions a saga execution makes besides its task steps (start and the final Succeed state). */
const OVERHEAD_TRANSITIONS = 2;
/** Step Functions' own time per state in an Express workflow, on top of the task's duration. */
const EXPRESS_MS_PER_STATE = 20;
/** Express bills memory in 64 MB increments; a small saga payload uses the first. */
const EXPRESS_MEMORY_MB = 64;

function stepInvocations(w: Workload, prices: PriceCatalogue) {
  const perSecond = w.messagesPerSecond * w.sagaSteps;
  return lambdaConsumer({ ...w, retryFraction: w.sagaRetriesPerStep }, prices, {
    label: "saga step functions",
    messagesPerSecond: perSecond,
    batchSize: 1,
    batchWindowSeconds: 1,
    lambdaMemoryMb: w.lambdaMemoryMb,
    lambdaArch: w.lambdaArch,
    idempotencyWritesPerMessage: w.idempotencyWritesPerMessage,
  });
}

/** Step Functions passes at most 256 KiB between states (execution input, state input and output). */
const SFN_MAX_PAYLOAD_BYTES = 262_144;

function payloadWarning(w: Workload): string[] {
  return w.payloadBytes > SFN_MAX_PAYLOAD_BYTES
    ? [
        "Step Functions takes at most 256 KiB per execution input and state output: use the claim-check pattern (S3)",
      ]
    : [];
}

function transitionsPerExecution(w: Workload): number {
  return w.sagaSteps * (1 + w.sagaRetriesPerStep) + OVERHEAD_TRANSITIONS;
}

/** A saga per message on a Standard workflow: billed per state transition, every retry included. */
export const sfnStandard: Alternative = {
  id: "sfn-standard",
  name: "Step Functions Standard saga",
  category: "saga",
  hosting: "serverless",
  lines: (w, prices) => [
    charge(
      prices,
      "sfn.standard.transition",
      "Step Functions state transitions",
      w.messagesPerSecond * SECONDS_PER_MONTH * transitionsPerExecution(w),
      `${w.sagaSteps} steps × (1 + ${w.sagaRetriesPerStep} retries) + ${OVERHEAD_TRANSITIONS} per execution`,
    ),
    ...stepInvocations(w, prices),
  ],
  assumptions: (w) => [
    `one execution per message, ${w.sagaSteps} task steps each a Lambda invocation, ${w.sagaRetriesPerStep} retries per step`,
    "compensations run only on failure and are not priced",
  ],
  warnings: payloadWarning,
};

/** The same saga on an Express workflow: per request plus GB-hours (100 ms and 64 MB increments). */
export const sfnExpress: Alternative = {
  id: "sfn-express",
  name: "Step Functions Express saga",
  category: "saga",
  hosting: "serverless",
  lines: (w, prices) => {
    const executions = w.messagesPerSecond * SECONDS_PER_MONTH;
    const states = transitionsPerExecution(w);
    const ms =
      w.sagaSteps * (1 + w.sagaRetriesPerStep) * w.lambdaMsPerMessage + states * EXPRESS_MS_PER_STATE;
    const billedSeconds = Math.ceil(ms / 100) / 10;
    return [
      charge(
        prices,
        "sfn.express.request",
        "Step Functions Express executions",
        executions,
        "one per message",
      ),
      charge(
        prices,
        "sfn.express.duration",
        "Step Functions Express duration",
        (executions * billedSeconds * (EXPRESS_MEMORY_MB / 1_024)) / 3_600,
        `${billedSeconds} s billed (100 ms steps) × ${EXPRESS_MEMORY_MB} MB`,
      ),
      ...stepInvocations(w, prices),
    ];
  },
  assumptions: (w) => [
    `one execution per message, ${w.sagaSteps} task steps; ${EXPRESS_MS_PER_STATE} ms of orchestration per state`,
    "Express is at-least-once and keeps no execution history beyond 5 minutes: step idempotency is mandatory",
  ],
  warnings: payloadWarning,
};
