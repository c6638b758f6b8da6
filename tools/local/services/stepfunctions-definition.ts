/**
 * The definition side of the local Step Functions service: reading a template's state machine
 * definition, refusing what the interpreter would run unfaithfully, and the API's response shapes.
 */
import { StateMachine as AslStateMachine } from "aws-local-stepfunctions";
import { UnsupportedResourceError } from "../resources/plan.ts";
import { isObject, type Json } from "../template.ts";
import { classifyResource, type TaskResource } from "./stepfunctions-tasks.ts";

/** The definition of a state machine resource: `DefinitionString` or `Definition`, substitutions applied. */
export function readDefinition(
  logicalId: string,
  type: string,
  props: Record<string, Json>,
): Record<string, Json> {
  if (props.DefinitionS3Location !== undefined) {
    throw new UnsupportedResourceError(
      logicalId,
      type,
      "uses DefinitionS3Location, which is not supported locally (inline the definition)",
    );
  }
  let text: string;
  if (typeof props.DefinitionString === "string") text = props.DefinitionString;
  else if (isObject(props.Definition)) text = JSON.stringify(props.Definition);
  else throw new UnsupportedResourceError(logicalId, type, "has neither DefinitionString nor Definition");
  const substitutions = isObject(props.DefinitionSubstitutions) ? props.DefinitionSubstitutions : {};
  text = text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, key: string) => {
    const value = substitutions[key];
    return value === undefined ? whole : String(value);
  });
  try {
    const parsed = JSON.parse(text) as Json;
    if (!isObject(parsed)) throw new Error("not an object");
    return parsed;
  } catch (error) {
    throw new UnsupportedResourceError(
      logicalId,
      type,
      `has a definition that is not JSON (${(error as Error).message})`,
    );
  }
}

/**
 * Walks every state (Parallel branches and Map processors included), collects the Task resources by
 * state name, and refuses JSONata, Distributed Map and unsupported Task resources with the reason.
 */
export function checkDefinition(
  logicalId: string,
  type: string,
  definition: Record<string, Json>,
  tasks: Map<string, { resource: TaskResource; arn: string }>,
): void {
  const refuse = (detail: string) => {
    throw new UnsupportedResourceError(logicalId, type, detail);
  };
  const walk = (machine: Record<string, Json>, language: string) => {
    const own = typeof machine.QueryLanguage === "string" ? machine.QueryLanguage : language;
    const states = isObject(machine.States) ? machine.States : {};
    for (const [name, state] of Object.entries(states)) {
      if (!isObject(state)) continue;
      const stateLanguage = typeof state.QueryLanguage === "string" ? state.QueryLanguage : own;
      if (stateLanguage === "JSONata") {
        refuse(
          `uses JSONata (state ${name}); the local interpreter runs JSONPath only and would ignore Arguments/Output/Assign silently`,
        );
      }
      if (state.Type === "Task") {
        const arn = String(state.Resource ?? "");
        const resource = classifyResource(arn);
        if ("unsupported" in resource) refuse(`state ${name}: ${resource.unsupported}`);
        else tasks.set(name, { resource, arn });
        if (state.HeartbeatSeconds !== undefined || state.HeartbeatSecondsPath !== undefined) {
          refuse(`state ${name}: HeartbeatSeconds is not emulated`);
        }
      }
      if (state.Type === "Map") {
        const processor = isObject(state.ItemProcessor)
          ? state.ItemProcessor
          : isObject(state.Iterator)
            ? state.Iterator
            : {};
        const config = isObject(processor.ProcessorConfig) ? processor.ProcessorConfig : {};
        if (config.Mode === "DISTRIBUTED" || state.ItemReader !== undefined) {
          refuse(`state ${name}: Distributed Map is not emulated`);
        }
        walk(processor, stateLanguage);
      }
      if (state.Type === "Parallel" && Array.isArray(state.Branches)) {
        for (const branch of state.Branches) if (isObject(branch)) walk(branch, stateLanguage);
      }
    }
  };
  walk(definition, "JSONPath");
}

/**
 * aws-local-stepfunctions 3.0.0 strips every backslash from an intrinsic function's string result, so
 * `States.JsonToString($.x)` of a value holding a JSON string (a Lambda error's Cause) yields invalid
 * JSON. Task parameters of exactly the form `"key.$": "States.JsonToString(<path>)"` are therefore
 * rewritten to `"key.$": "<path>"`, and the task runner serializes those values itself (see
 * {@link applyJsonToString}). Returns the rewritten key paths (keys without `.$`) by state name.
 */
export function rewriteJsonToString(definition: Record<string, Json>): Map<string, string[][]> {
  const rewritten = new Map<string, string[][]>();
  const walkParameters = (value: Json, path: string[], found: string[][]) => {
    if (!isObject(value)) return;
    for (const [key, inner] of Object.entries(value)) {
      const match = typeof inner === "string" ? /^States\.JsonToString\((\$[^()]*)\)$/.exec(inner) : null;
      if (key.endsWith(".$") && match) {
        value[key] = match[1] as string;
        found.push([...path, key.slice(0, -2)]);
      } else {
        walkParameters(inner, [...path, key], found);
      }
    }
  };
  const walk = (machine: Json) => {
    if (!isObject(machine) || !isObject(machine.States)) return;
    for (const [name, state] of Object.entries(machine.States)) {
      if (!isObject(state)) continue;
      if (state.Type === "Task" && isObject(state.Parameters)) {
        const found: string[][] = [];
        walkParameters(state.Parameters, [], found);
        if (found.length > 0) rewritten.set(name, found);
      }
      if (Array.isArray(state.Branches)) for (const b of state.Branches) walk(b);
      walk(state.ItemProcessor ?? state.Iterator ?? null);
    }
  };
  walk(definition);
  return rewritten;
}

/** Serializes the values at `paths` of a task's input (the rewritten `States.JsonToString` arguments). */
export function applyJsonToString(input: unknown, paths: readonly string[][]): unknown {
  const copy = structuredClone(input) as Record<string, unknown>;
  for (const path of paths) {
    let parent: Record<string, unknown> | undefined = copy;
    for (const key of path.slice(0, -1)) {
      const next: unknown = parent?.[key];
      parent = next !== null && typeof next === "object" ? (next as Record<string, unknown>) : undefined;
    }
    const last = path[path.length - 1] as string;
    if (parent && last in parent) parent[last] = JSON.stringify(parent[last]);
  }
  return copy;
}

/** Names of the states with a `Retry` field (for retry-interval overrides). */
export function retryableStates(definition: Record<string, Json>): string[] {
  const names: string[] = [];
  const walk = (machine: Json) => {
    if (!isObject(machine) || !isObject(machine.States)) return;
    for (const [name, state] of Object.entries(machine.States)) {
      if (!isObject(state)) continue;
      if (Array.isArray(state.Retry)) names.push(name);
      if (Array.isArray(state.Branches)) for (const b of state.Branches) walk(b);
      walk(state.ItemProcessor ?? state.Iterator ?? null);
    }
  };
  walk(definition);
  return names;
}

/** `arn:…:execution:<machine>:<name>` → [the state machine ARN, the execution name]. */
export function splitExecutionArn(arn: string): [string, string] {
  const parts = arn.split(":");
  if (parts.length !== 8 || parts[5] !== "execution") return ["", ""];
  return [[...parts.slice(0, 5), "stateMachine", parts[6]].join(":"), parts[7] as string];
}

/** An event of the interpreter's event log (aws-local-stepfunctions `EventLog`), as far as the history uses it. */
export interface InterpreterEvent {
  readonly type: string;
  readonly state?: {
    readonly name: string;
    readonly type: string;
    readonly input: unknown;
    readonly output?: unknown;
  };
  readonly input?: unknown;
  readonly output?: unknown;
  readonly Error?: string;
  readonly Cause?: unknown;
}

/** Appends the history events AWS writes for one interpreter event. */
export function historyOf(
  event: InterpreterEvent,
  record: (type: string, details?: Record<string, unknown>) => void,
): void {
  const prefix = (t: string) =>
    ({
      Task: "TaskState",
      Pass: "PassState",
      Choice: "ChoiceState",
      Wait: "WaitState",
      Succeed: "SucceedState",
      Fail: "FailState",
      Parallel: "ParallelState",
      Map: "MapState",
    })[t] ?? `${t}State`;
  switch (event.type) {
    case "ExecutionStarted":
      record("ExecutionStarted", {
        executionStartedEventDetails: { input: JSON.stringify(event.input ?? null) },
      });
      return;
    case "ExecutionSucceeded":
      record("ExecutionSucceeded", {
        executionSucceededEventDetails: { output: JSON.stringify(event.output ?? null) },
      });
      return;
    case "ExecutionFailed":
      record("ExecutionFailed", {
        executionFailedEventDetails: {
          error: event.Error,
          cause: typeof event.Cause === "string" ? event.Cause : String(event.Cause ?? ""),
        },
      });
      return;
    case "ExecutionTimeout":
      record("ExecutionTimedOut", { executionTimedOutEventDetails: { error: "States.Timeout" } });
      return;
    case "ExecutionAborted":
      record("ExecutionAborted", { executionAbortedEventDetails: {} });
      return;
    case "StateEntered":
      if (event.state) {
        record(`${prefix(event.state.type)}Entered`, {
          stateEnteredEventDetails: {
            name: event.state.name,
            input: JSON.stringify(event.state.input ?? null),
          },
        });
      }
      return;
    case "StateExited":
      if (event.state) {
        record(`${prefix(event.state.type)}Exited`, {
          stateExitedEventDetails: {
            name: event.state.name,
            output: JSON.stringify(event.state.output ?? null),
          },
        });
      }
      return;
    case "StateFailed":
      // A Task's own failure is recorded by the task runner (TaskFailed); a timeout is raised by the interpreter.
      if (event.state?.type === "Task" && event.Error === "States.Timeout") {
        record("TaskTimedOut", {
          taskTimedOutEventDetails: { error: "States.Timeout", cause: String(event.Cause ?? "") },
        });
      }
      return;
    default:
      return;
  }
}

interface ExecutionView {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: string;
  readonly startDate: number;
  readonly stopDate?: number;
  readonly input: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

/**
 * An execution's summary, as ListExecutions lists it and DescribeExecution starts (dates in epoch
 * seconds, as the JSON protocol carries them; `stopDate` only once it stopped).
 */
export function executionSummary(e: ExecutionView) {
  return {
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: e.startDate / 1000,
    ...(e.stopDate === undefined ? {} : { stopDate: e.stopDate / 1000 }),
  };
}

/** The DescribeExecution response: the {@link executionSummary} with input, output and error. */
export function describeExecution(e: ExecutionView) {
  return {
    ...executionSummary(e),
    input: e.input,
    inputDetails: { included: true },
    ...(e.output === undefined ? {} : { output: e.output, outputDetails: { included: true } }),
    ...(e.error === undefined ? {} : { error: e.error }),
    ...(e.cause === undefined ? {} : { cause: e.cause }),
    redriveCount: 0,
    redriveStatus: "NOT_REDRIVABLE",
    redriveStatusReason: "RedriveExecution is not emulated locally",
  };
}

interface MachineView {
  readonly arn: string;
  readonly name: string;
  readonly type: string;
  readonly definitionString: string;
  readonly roleArn: string;
  readonly creationDate: number;
}

/** The DescribeStateMachine response. */
export function describeStateMachine(m: MachineView) {
  return {
    stateMachineArn: m.arn,
    name: m.name,
    status: "ACTIVE",
    definition: m.definitionString,
    roleArn: m.roleArn,
    type: m.type,
    creationDate: m.creationDate / 1000,
  };
}

/** The interpreter's own timeout error class (not exported), captured once: see {@link newStatesTimeout}. */
let statesTimeoutClass: (new () => Error) | undefined;

/**
 * Captures aws-local-stepfunctions' `States.Timeout` error class by timing out a one-state machine
 * (1 ms). Retry and Catch treat only instances of that class as timeouts (`States.TaskFailed` does not
 * match them), so a timeout the service raises itself must be one.
 */
export async function captureStatesTimeout(): Promise<void> {
  if (statesTimeoutClass) return;
  const probe = new AslStateMachine(
    {
      StartAt: "T",
      States: {
        T: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", TimeoutSeconds: 0.001, End: true },
      },
    } as never,
    { validationOptions: { noValidate: true } },
  );
  const { result } = probe.run({} as never, {
    overrides: { taskResourceLocalHandlers: { T: () => new Promise<never>(() => undefined) } },
  });
  const error: unknown = await result.then(
    () => undefined,
    (e: unknown) => e,
  );
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (!(cause instanceof Error) || cause.name !== "States.Timeout") {
    throw new Error("could not capture the interpreter's States.Timeout error");
  }
  statesTimeoutClass = cause.constructor as new () => Error;
}

/** A `States.Timeout` the interpreter recognises as a timeout (call {@link captureStatesTimeout} first). */
export function newStatesTimeout(): Error {
  if (!statesTimeoutClass) throw new Error("captureStatesTimeout() has not run");
  return new statesTimeoutClass();
}

/** Longest timer the interpreter can set (setTimeout's limit is 2^31 - 1 ms). */
const NO_INTERPRETER_TIMEOUT_SECONDS = 2_000_000;

/**
 * Lambda tasks get their `TimeoutSeconds` enforced by the service, from the moment the invocation has
 * a local execution environment: the local Lambda runs a few environments per function and queues the
 * rest, where AWS would start another one, so counting the queue would time tasks out that AWS would
 * not. Their `TimeoutSeconds` in the interpreter's copy becomes unreachable; returns the real timeouts
 * (ms) by state name (60 s when unset, the ASL default). `TimeoutSecondsPath` stays with the interpreter.
 */
export function rewriteTaskTimeouts(
  definition: Record<string, Json>,
  tasks: ReadonlyMap<string, { resource: TaskResource }>,
): Map<string, number> {
  const timeouts = new Map<string, number>();
  const walk = (machine: Json) => {
    if (!isObject(machine) || !isObject(machine.States)) return;
    for (const [name, state] of Object.entries(machine.States)) {
      if (!isObject(state)) continue;
      const kind = tasks.get(name)?.resource.kind;
      if (state.Type === "Task" && kind?.startsWith("lambda") && state.TimeoutSecondsPath === undefined) {
        timeouts.set(name, (typeof state.TimeoutSeconds === "number" ? state.TimeoutSeconds : 60) * 1000);
        state.TimeoutSeconds = NO_INTERPRETER_TIMEOUT_SECONDS;
      }
      if (Array.isArray(state.Branches)) for (const b of state.Branches) walk(b);
      walk(state.ItemProcessor ?? state.Iterator ?? null);
    }
  };
  walk(definition);
  return timeouts;
}
