/**
 * Walks an Amazon States Language definition (as read from a synthesized template) to count what a
 * Standard workflow bills: the states an execution enters on its happy path and on each path that a
 * business error caught by a Task sends into compensations. Step Functions bills one transition per
 * state entered (the first one included) and one more per retry of a Task.
 */

/** The parts of an ASL state the walk reads. */
interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Default?: string;
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly Catch?: readonly { readonly ErrorEquals: readonly string[]; readonly Next: string }[];
}

/** What a Task calls, as far as the cost model cares. */
export type TaskKind =
  | { readonly kind: "lambda"; readonly functionId: string }
  | { readonly kind: "dynamodb-write"; readonly action: string }
  | { readonly kind: "dynamodb-read"; readonly action: string }
  | { readonly kind: "other"; readonly resource: string };

/** One path through the definition: the states entered in order and the Tasks among them. */
export interface ExecutionPath {
  /** "happy path" or "refused at <State> (<Error>)". */
  readonly name: string;
  readonly states: readonly string[];
  readonly tasks: readonly { readonly state: string; readonly task: TaskKind }[];
}

/** Errors that are not a business refusal: catch-alls and Step Functions' own failures. */
const TECHNICAL_ERRORS = /^(States\.|Lambda\.|DynamoDB\.)/;
const MAX_STATES = 10_000;

/** Thrown when the definition cannot be walked (no StartAt, a Next to nowhere, a loop). */
export class DefinitionError extends Error {
  override readonly name = "DefinitionError";
}

function taskKind(state: AslState): TaskKind {
  const resource = state.Resource ?? "";
  const ref = /@ref:([A-Za-z0-9]+)/.exec(resource)?.[1];
  if (ref) return { kind: "lambda", functionId: ref };
  if (resource.includes(":states:::lambda:invoke")) {
    const fn = /@ref:([A-Za-z0-9]+)/.exec(String(state.Parameters?.FunctionName ?? ""))?.[1];
    if (fn) return { kind: "lambda", functionId: fn };
  }
  const ddb = /:states:::(?:aws-sdk:)?dynamodb:([A-Za-z]+)/.exec(resource)?.[1];
  if (ddb) {
    const write = /^(putItem|updateItem|deleteItem|transactWriteItems|batchWriteItem)$/i.test(ddb);
    return write ? { kind: "dynamodb-write", action: ddb } : { kind: "dynamodb-read", action: ddb };
  }
  return { kind: "other", resource };
}

/** Parses a definition text into its top-level states. */
export function parseDefinition(text: string): { startAt: string; states: Record<string, AslState> } {
  let parsed: { StartAt?: unknown; States?: unknown };
  try {
    parsed = JSON.parse(text) as { StartAt?: unknown; States?: unknown };
  } catch (error) {
    throw new DefinitionError(`the definition is not JSON (${(error as Error).message})`);
  }
  if (typeof parsed.StartAt !== "string" || !parsed.States || typeof parsed.States !== "object") {
    throw new DefinitionError("the definition has no StartAt or States");
  }
  return { startAt: parsed.StartAt, states: parsed.States as Record<string, AslState> };
}

/** Follows `Next` (a Choice's `Default`) from `from` to a terminal state; returns the states entered. */
function follow(states: Record<string, AslState>, from: string): string[] {
  const out: string[] = [];
  let name: string | undefined = from;
  while (name !== undefined) {
    const state: AslState | undefined = states[name];
    if (!state) throw new DefinitionError(`state "${name}" is referenced but not defined`);
    out.push(name);
    if (out.length > MAX_STATES) throw new DefinitionError(`no terminal state within ${MAX_STATES} states`);
    if (state.Type === "Succeed" || state.Type === "Fail" || state.End === true) break;
    name = state.Type === "Choice" ? state.Default : state.Next;
  }
  return out;
}

function pathOf(name: string, states: Record<string, AslState>, entered: string[]): ExecutionPath {
  return {
    name,
    states: entered,
    tasks: entered
      .filter((s) => states[s]?.Type === "Task")
      .map((s) => ({ state: s, task: taskKind(states[s] as AslState) })),
  };
}

/**
 * The happy path (every Task succeeds; a Choice takes its Default) and, for every Task on it, each
 * business error it catches (an `ErrorEquals` that is not `States.*`, `Lambda.*` or `DynamoDB.*`):
 * the path up to the refusing Task, then the catch's chain of compensations to a terminal state.
 */
export function executionPaths(text: string): { happy: ExecutionPath; refusals: ExecutionPath[] } {
  const { startAt, states } = parseDefinition(text);
  const happyStates = follow(states, startAt);
  const happy = pathOf("happy path", states, happyStates);
  const refusals: ExecutionPath[] = [];
  happyStates.forEach((name, i) => {
    const state = states[name] as AslState;
    if (state.Type !== "Task") return;
    for (const c of state.Catch ?? []) {
      const business = c.ErrorEquals.filter((e) => !TECHNICAL_ERRORS.test(e));
      if (business.length === 0) continue;
      const entered = [...happyStates.slice(0, i + 1), ...follow(states, c.Next)];
      refusals.push(pathOf(`refused at ${name} (${business.join(", ")})`, states, entered));
    }
  });
  return { happy, refusals };
}
