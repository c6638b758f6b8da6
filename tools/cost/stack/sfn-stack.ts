import type { Alternative } from "../alternatives/types.ts";
import { SECONDS_PER_MONTH } from "../constants.ts";
import { sqsLambdaSubscriber } from "../consumers.ts";
import { charge, type LineItem } from "../line-items.ts";
import type { PriceCatalogue } from "../prices/catalogue.ts";
import { InputError } from "../units.ts";
import type { Workload } from "../workload.ts";
import { type ExecutionPath, executionPaths } from "./asl-paths.ts";
import type { FunctionModel, StackModel, StateMachineModel } from "./template.ts";

/** Each Lambda saga step records its effect in DynamoDB with one conditional write (an assumption). */
export const WRITES_PER_LAMBDA_STEP = 1;
/** Step Functions' own time per state in an Express workflow, on top of the tasks' duration. */
export const EXPRESS_MS_PER_STATE = 20;
/** Express bills memory in 64 MB increments; a small saga payload uses the first. */
const EXPRESS_MEMORY_MB = 64;

/** What one execution costs on average, counted from the definition's paths. */
export interface ExecutionCounts {
  readonly happy: ExecutionPath;
  /** The refusal priced as "compensated": the one entering the most states (an upper bound). */
  readonly compensated: ExecutionPath | undefined;
  readonly refusals: readonly ExecutionPath[];
  /** Billed Standard transitions per execution: states entered + one per Task retry. */
  readonly transitions: number;
  /** States entered per execution (no retries). */
  readonly statesEntered: number;
  /** Lambda invocations per execution, by function id (retries included). */
  readonly invocations: ReadonlyMap<string, number>;
  /** DynamoDB writes per execution: Lambda steps' effect records and direct service integrations. */
  readonly writes: number;
}

function weighted(w: Workload, happy: number, compensated: number | undefined): number {
  const c = compensated === undefined ? 0 : w.sagaCompensatedFraction;
  return (1 - c) * happy + c * (compensated ?? 0);
}

/**
 * Mean counts per execution: (1 − compensated share) × happy path + share × the longest refusal,
 * every Task attempt retried with probability `sagaRetriesPerStep` (one more transition each).
 */
export function executionCounts(definition: string, w: Workload): ExecutionCounts {
  const { happy, refusals } = executionPaths(definition);
  const compensated = refusals.reduce<ExecutionPath | undefined>(
    (best, p) => (best === undefined || p.states.length > best.states.length ? p : best),
    undefined,
  );
  const r = w.sagaRetriesPerStep;
  const tasks = weighted(w, happy.tasks.length, compensated?.tasks.length);
  const statesEntered = weighted(w, happy.states.length, compensated?.states.length);
  const invocations = new Map<string, number>();
  const share = (p: ExecutionPath, weight: number) => {
    for (const { task } of p.tasks) {
      if (task.kind === "lambda")
        invocations.set(task.functionId, (invocations.get(task.functionId) ?? 0) + weight * (1 + r));
    }
  };
  const c = compensated === undefined ? 0 : w.sagaCompensatedFraction;
  share(happy, 1 - c);
  if (compensated) share(compensated, c);
  const lambdaAttempts = [...invocations.values()].reduce((a, b) => a + b, 0);
  const ddbWrites = (p: ExecutionPath) => p.tasks.filter((t) => t.task.kind === "dynamodb-write").length;
  const writes =
    lambdaAttempts * WRITES_PER_LAMBDA_STEP +
    weighted(w, ddbWrites(happy), compensated && ddbWrites(compensated)) * (1 + r);
  return {
    happy,
    compensated,
    refusals,
    transitions: statesEntered + tasks * r,
    statesEntered,
    invocations,
    writes,
  };
}

/** The state machine an SQS-triggered starter function points at (its environment references it). */
function mainStateMachine(model: StackModel): StateMachineModel {
  const started = model.stateMachines.find((m) =>
    model.functions.some((f) => Object.values(f.envRefs).includes(m.id)),
  );
  const machine = started ?? model.stateMachines[0];
  if (!machine?.definition) {
    throw new InputError(`--stack: ${model.stackName} has no readable state machine definition to price`);
  }
  return machine;
}

function lambdaLines(
  w: Workload,
  prices: PriceCatalogue,
  model: StackModel,
  counts: ExecutionCounts,
  executions: number,
): LineItem[] {
  let invocations = 0;
  const gbSeconds = { arm64: 0, x86_64: 0 };
  for (const [id, n] of counts.invocations) {
    const fn: FunctionModel | undefined = model.functions.find((f) => f.id === id);
    const mb = Math.max(128, fn?.memoryMb ?? w.lambdaMemoryMb);
    invocations += n;
    gbSeconds[fn?.arch ?? w.lambdaArch] += n * (w.lambdaMsPerMessage / 1_000) * (mb / 1_024);
  }
  const lines = [
    charge(
      prices,
      "lambda.request",
      "saga steps: Lambda invocations",
      executions * invocations,
      `${invocations.toFixed(3)} per execution (Lambda Tasks on the weighted paths, retries included)`,
    ),
  ];
  for (const arch of ["arm64", "x86_64"] as const) {
    if (gbSeconds[arch] === 0) continue;
    lines.push(
      charge(
        prices,
        `lambda.duration.${arch}`,
        `saga steps: Lambda duration (${arch})`,
        executions * gbSeconds[arch],
        `${w.lambdaMsPerMessage} ms per invocation at each function's memory`,
      ),
    );
  }
  lines.push(
    charge(
      prices,
      "dynamodb.onDemand.write",
      "saga steps: DynamoDB writes",
      executions * counts.writes,
      `${counts.writes.toFixed(3)} per execution: ${WRITES_PER_LAMBDA_STEP} per Lambda step attempt + each DynamoDB write Task`,
    ),
  );
  return lines;
}

/** The starter queue(s): SQS queues whose consumer function references the state machine. */
function starterLines(w: Workload, prices: PriceCatalogue, model: StackModel, machine: StateMachineModel) {
  const lines: LineItem[] = [];
  for (const esm of model.eventSourceMappings) {
    const fn = model.functions.find((f) => f.id === esm.functionId);
    if (!fn || !Object.values(fn.envRefs).includes(machine.id)) continue;
    lines.push(
      ...sqsLambdaSubscriber(
        w,
        prices,
        {
          name: "starter queue",
          matchFraction: 1,
          bodyFilter: false,
          rawDelivery: true,
          batchSize: esm.batchSize,
          batchWindowSeconds: esm.batchWindowSeconds,
          lambdaMemoryMb: Math.max(128, fn.memoryMb),
          lambdaArch: fn.arch,
          idempotencyWritesPerMessage: 0,
        },
        { fifo: false, envelopeBytes: 0, sender: "the producer" },
      ),
    );
  }
  return lines;
}

function pathText(p: ExecutionPath): string {
  return `${p.name}: ${p.states.length} states (${p.states.join(" → ")})`;
}

/**
 * Prices a stack whose work is a Step Functions saga started from an SQS queue: the Standard
 * workflow as synthesized (transitions counted from the definition's happy path and its longest
 * compensation path, retries included), the step Lambdas, their DynamoDB writes and the starter
 * queue; and the same paths on an Express workflow at the same traffic.
 */
export function sfnStackAlternatives(model: StackModel): Alternative[] {
  const machine = mainStateMachine(model);
  const definition = machine.definition as string;
  const summary = `template: state machine ${machine.id} (${machine.type}, ${machine.states} states), ${model.functions.length} function(s), ${model.queues.length} queue(s), ${model.tables.length} table(s)`;
  const assumptions = (w: Workload): string[] => {
    const counts = executionCounts(definition, w);
    return [
      summary,
      pathText(counts.happy),
      ...(counts.compensated
        ? [
            `${pathText(counts.compensated)} — priced as the compensated path (the longest of ${counts.refusals.length} refusals: an upper bound)`,
          ]
        : ["no business error is caught on the happy path: no compensated path"]),
      `ASSUMED: ${w.sagaCompensatedFraction * 100} % of sagas compensated (--saga-compensated), ${w.sagaRetriesPerStep} retries per Task (--saga-retries): ${counts.transitions.toFixed(3)} transitions per execution (${counts.statesEntered.toFixed(3)} states entered)`,
      `one execution per message; ${WRITES_PER_LAMBDA_STEP} DynamoDB write per Lambda step attempt (ASSUMED: the step's effect record)`,
      "compensation-failure recording and alerts (rare), execution logs and alarms are not priced",
    ];
  };
  const common = (w: Workload, prices: PriceCatalogue, executions: number) => {
    const counts = executionCounts(definition, w);
    return [...lambdaLines(w, prices, model, counts, executions), ...starterLines(w, prices, model, machine)];
  };
  const standard: Alternative = {
    id: `stack:${model.stackName}`,
    name: `${model.stackName} (as synthesized, ${machine.type})`,
    category: "saga",
    hosting: "serverless",
    lines: (w, prices) => {
      const executions = w.messagesPerSecond * SECONDS_PER_MONTH;
      const counts = executionCounts(definition, w);
      const transitions = charge(
        prices,
        "sfn.standard.transition",
        "Step Functions state transitions",
        executions * counts.transitions,
        `${counts.transitions.toFixed(3)} per execution (happy ${counts.happy.states.length}, compensated ${counts.compensated?.states.length ?? "—"}, + retries)`,
      );
      const express = expressLines(w, prices, counts, executions);
      return [...(machine.type === "EXPRESS" ? express : [transitions]), ...common(w, prices, executions)];
    },
    assumptions,
  };
  const express: Alternative = {
    id: `stack:${model.stackName}:express`,
    name: `${model.stackName} as an Express workflow`,
    category: "saga",
    hosting: "serverless",
    lines: (w, prices) => {
      const executions = w.messagesPerSecond * SECONDS_PER_MONTH;
      const counts = executionCounts(definition, w);
      return [...expressLines(w, prices, counts, executions), ...common(w, prices, executions)];
    },
    assumptions: (w) => [
      `the same paths, Lambdas, writes and starter queue; ${EXPRESS_MS_PER_STATE} ms of orchestration per state, ${w.lambdaMsPerMessage} ms per Lambda step, ${EXPRESS_MEMORY_MB} MB`,
    ],
    warnings: () => [
      "Express is at-least-once and StartExecution is not idempotent by execution name: every step and the start must be idempotent, and there is no execution history to redrive from",
    ],
  };
  return machine.type === "EXPRESS" ? [standard] : [standard, express];
}

/** Express: one request per execution plus duration in 100 ms and 64 MB increments, per path. */
function expressLines(
  w: Workload,
  prices: PriceCatalogue,
  counts: ExecutionCounts,
  executions: number,
): LineItem[] {
  const billed = (p: ExecutionPath) => {
    const lambdaTasks = p.tasks.filter((t) => t.task.kind === "lambda").length;
    const ms =
      lambdaTasks * (1 + w.sagaRetriesPerStep) * w.lambdaMsPerMessage +
      p.states.length * EXPRESS_MS_PER_STATE;
    return Math.ceil(ms / 100) / 10;
  };
  const seconds = weighted(w, billed(counts.happy), counts.compensated && billed(counts.compensated));
  return [
    charge(prices, "sfn.express.request", "Step Functions Express executions", executions, "one per message"),
    charge(
      prices,
      "sfn.express.duration",
      "Step Functions Express duration",
      (executions * seconds * (EXPRESS_MEMORY_MB / 1_024)) / 3_600,
      `${seconds.toFixed(3)} s billed per execution (100 ms steps) × ${EXPRESS_MEMORY_MB} MB`,
    ),
  ];
}
