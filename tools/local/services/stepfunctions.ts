/**
 * Step Functions for the embedded cloud, on `aws-local-stepfunctions` (the ASL interpreter), behind a
 * local endpoint that speaks the Step Functions API (AWS JSON 1.0) to the AWS SDK:
 * StartExecution (Standard name rules), DescribeExecution, ListExecutions (status filter),
 * GetExecutionHistory, StopExecution, DescribeStateMachine, ListStateMachines, and SendTaskSuccess /
 * SendTaskFailure / SendTaskHeartbeat for `.waitForTaskToken` Lambda tasks.
 *
 * `AWS::StepFunctions::StateMachine` resources are created from the template: the `DefinitionString`
 * (intrinsics resolved) or `Definition`, with `DefinitionSubstitutions` applied, validated with
 * asl-validator, and refused loudly when they use what the interpreter cannot run faithfully:
 * JSONata (it would be silently ignored), Distributed Map, `.sync`, `HeartbeatSeconds` and Task
 * resources other than those of stepfunctions-tasks.ts. Every Task runs on the local emulators.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { StateMachine as AslStateMachine } from "aws-local-stepfunctions";
import { physicalName } from "../resources/names.ts";
import { UnsupportedResourceError } from "../resources/plan.ts";
import type { Json, TemplateResource } from "../template.ts";
import type { CreateRequest, LocalService, PlanContext, ServiceHost, ServiceStart } from "./local-service.ts";
import { validateAsl } from "./stepfunctions-asl.ts";
import {
  applyJsonToString,
  captureStatesTimeout,
  checkDefinition,
  describeExecution as describe,
  describeStateMachine as describeMachine,
  executionSummary,
  historyOf,
  type InterpreterEvent,
  newStatesTimeout,
  readDefinition,
  retryableStates,
  rewriteJsonToString,
  rewriteTaskTimeouts,
  splitExecutionArn,
} from "./stepfunctions-definition.ts";
import { LocalTaskRunner, TaskError, type TaskResource } from "./stepfunctions-tasks.ts";

/** Options of {@link StepFunctionsService}. */
export interface StepFunctionsServiceProps {
  /**
   * Waits this many milliseconds before every retry instead of the definition's backoff (printed at
   * start), so retries show in seconds locally. @default - the definition's IntervalSeconds, BackoffRate, MaxDelaySeconds and jitter
   */
  readonly retryDelayMs?: number;
}

/** An error of the Step Functions API (`__type` in the JSON 1.0 response). */
export class StatesApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";

/** One event of an execution's history, as GetExecutionHistory returns it. */
interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: number;
  readonly type: string;
  readonly [details: string]: unknown;
}

interface LocalExecution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: number;
  status: ExecutionStatus;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  readonly history: HistoryEvent[];
  abort?: () => void;
  done?: Promise<void>;
  /** The token `$$.Task.Token` hands out until a callback task takes it (one task at a time per execution). */
  pendingToken?: string;
}

interface LocalStateMachine {
  readonly arn: string;
  readonly name: string;
  readonly type: "STANDARD" | "EXPRESS";
  readonly definition: Record<string, Json>;
  readonly definitionString: string;
  readonly roleArn: string;
  readonly creationDate: number;
  readonly interpreter: AslStateMachine;
  readonly tasks: ReadonlyMap<string, { readonly resource: TaskResource; readonly arn: string }>;
  /** Task parameters whose `States.JsonToString` the service evaluates itself (see rewriteJsonToString). */
  readonly jsonToString: ReadonlyMap<string, string[][]>;
  /** Task timeouts the service enforces itself (ms, by state name; see rewriteTaskTimeouts). */
  readonly taskTimeouts: ReadonlyMap<string, number>;
  readonly executions: Map<string, LocalExecution>;
}

/** Execution names: 1-80 characters, none of whitespace, brackets, wildcards, `"#%\^|~\`$&,;:/` or control characters. */
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/]{1,80}$/;

/** Whether `name` is a valid execution name (also free of control characters). */
function isExecutionName(name: string): boolean {
  return (
    EXECUTION_NAME.test(name) &&
    ![...name].some((c) => {
      const code = c.charCodeAt(0);
      return code < 0x20 || (code >= 0x7f && code <= 0x9f);
    })
  );
}
const MAX_INPUT_BYTES = 256 * 1024;

/**
 * The Step Functions {@link LocalService}: see the module documentation. Register it with
 * `startLocal({ services: [new StepFunctionsService()] })`.
 */
export class StepFunctionsService implements LocalService {
  readonly name = "stepfunctions";
  private server?: Server;
  private runner?: LocalTaskRunner;
  private readonly machines = new Map<string, LocalStateMachine>();
  /** Task tokens of `.waitForTaskToken` tasks waiting for SendTaskSuccess / SendTaskFailure. */
  private readonly tokens = new Map<
    string,
    {
      readonly execution: LocalExecution;
      resolve(output: unknown): void;
      reject(error: Error): void;
      done: boolean;
    }
  >();

  constructor(private readonly props: StepFunctionsServiceProps = {}) {}

  readonly gaps = [
    "Step Functions: JSONPath only (JSONata definitions are refused); no Distributed Map, .sync, HeartbeatSeconds or RedriveExecution, .waitForTaskToken for Lambda tasks only; $$.State.EnteredTime is the time it is read, $$.State.RetryCount is not set",
    "Step Functions: execution history has the event types of the states run (Task scheduled/started/succeeded/failed/timed out, state entered/exited, execution events), not every detail field AWS writes",
  ];

  readonly resourceTypes = {
    "AWS::StepFunctions::StateMachine": {
      parity:
        "state machines (Standard and Express; JSONPath) on aws-local-stepfunctions: Lambda, DynamoDB, SQS and SNS tasks on the local emulators, Retry/Catch/timeouts, StartExecution name rules, execution history",
      plan: (logicalId: string, resource: TemplateResource, ctx: PlanContext) => {
        const props = resource.Properties ?? {};
        const name =
          props.StateMachineName !== undefined
            ? ctx.literal(props.StateMachineName, `${logicalId}.StateMachineName`)
            : physicalName(ctx.stackName, logicalId, 80);
        const arn = `arn:aws:states:${ctx.region}:${ctx.accountId}:stateMachine:${name}`;
        return { ref: arn, attributes: { Arn: arn, Name: name, StateMachineRevisionId: "INITIAL" } };
      },
      create: (request: CreateRequest, host: ServiceHost) => this.createStateMachine(request, host),
    },
  };

  async start(host: ServiceHost): Promise<ServiceStart> {
    await captureStatesTimeout();
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (this.props.retryDelayMs !== undefined) {
      host.progress(
        `Step Functions retries wait ${this.props.retryDelayMs} ms locally (not the definitions' backoff)`,
      );
    }
    return { endpoints: { stepfunctions: url }, environment: { AWS_ENDPOINT_URL_SFN: url } };
  }

  async stop(): Promise<void> {
    for (const machine of this.machines.values()) {
      for (const execution of machine.executions.values()) execution.abort?.();
    }
    await Promise.allSettled(
      [...this.machines.values()].flatMap((m) => [...m.executions.values()].map((e) => e.done)),
    );
    this.runner?.destroy();
    const server = this.server;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private createStateMachine({ logicalId, type, props, planned }: CreateRequest, host: ServiceHost): void {
    const definition = readDefinition(logicalId, type, props);
    const tasks = new Map<string, { resource: TaskResource; arn: string }>();
    checkDefinition(logicalId, type, definition, tasks);
    const errors = validateAsl(definition);
    if (errors.length > 0) {
      throw new UnsupportedResourceError(
        logicalId,
        type,
        `has an invalid definition (asl-validator: ${errors.map((e) => `${e.code}: ${e.message}`).join("; ")})`,
      );
    }
    const executable = structuredClone(definition);
    const jsonToString = rewriteJsonToString(executable);
    const taskTimeouts = rewriteTaskTimeouts(executable, tasks);
    const interpreter = new AslStateMachine(executable as never, {
      validationOptions: { checkPaths: false, checkArn: false },
    });
    const arn = planned.ref;
    this.machines.set(arn, {
      arn,
      name: planned.attributes.Name ?? logicalId,
      type: props.StateMachineType === "EXPRESS" ? "EXPRESS" : "STANDARD",
      definition,
      definitionString: JSON.stringify(definition),
      roleArn: typeof props.RoleArn === "string" ? props.RoleArn : "",
      creationDate: Date.now(),
      interpreter,
      tasks,
      jsonToString,
      taskTimeouts,
      executions: new Map(),
    });
    this.runner ??= new LocalTaskRunner({
      functions: host.functions,
      endpoints: host.endpoints,
      region: host.region,
    });
  }

  // --- The API -------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = target.startsWith("AWSStepFunctions.")
      ? target.slice("AWSStepFunctions.".length)
      : target;
    let status = 200;
    let body: unknown;
    try {
      const input =
        chunks.length > 0
          ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>)
          : {};
      body = await this.operation(operation, input);
    } catch (error) {
      const apiError =
        error instanceof StatesApiError
          ? error
          : new StatesApiError(
              "InternalFailure",
              error instanceof Error ? error.message : String(error),
              500,
            );
      status = apiError.status;
      body = { __type: `com.amazonaws.states#${apiError.code}`, message: apiError.message };
    }
    res.writeHead(status, { "content-type": "application/x-amz-json-1.0" });
    res.end(JSON.stringify(body ?? {}));
  }

  private operation(operation: string, input: Record<string, unknown>): unknown {
    switch (operation) {
      case "StartExecution":
        return this.startExecution(input);
      case "DescribeExecution":
        return describe(this.execution(input.executionArn));
      case "StopExecution":
        return this.stopExecution(input);
      case "ListExecutions":
        return this.listExecutions(input);
      case "GetExecutionHistory":
        return this.history(input);
      case "DescribeStateMachine":
        return describeMachine(this.machine(input.stateMachineArn));
      case "SendTaskSuccess":
      case "SendTaskFailure":
      case "SendTaskHeartbeat":
        return this.sendTask(operation, input);
      case "ListStateMachines":
        return {
          stateMachines: [...this.machines.values()].map((m) => ({
            stateMachineArn: m.arn,
            name: m.name,
            type: m.type,
            creationDate: m.creationDate / 1000,
          })),
        };
      default:
        throw new StatesApiError(
          "UnknownOperationException",
          `${operation || "(no X-Amz-Target)"} is not supported by the local Step Functions service (RedriveExecution, versions and aliases are not emulated)`,
        );
    }
  }

  private machine(arn: unknown): LocalStateMachine {
    const machine = typeof arn === "string" ? this.machines.get(arn) : undefined;
    if (!machine)
      throw new StatesApiError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${String(arn)}'`);
    return machine;
  }

  private execution(arn: unknown): LocalExecution {
    if (typeof arn !== "string") throw new StatesApiError("InvalidArn", "executionArn is required");
    const [prefix, name] = splitExecutionArn(arn);
    const execution = this.machines.get(prefix)?.executions.get(name);
    if (!execution) throw new StatesApiError("ExecutionDoesNotExist", `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  private startExecution(input: Record<string, unknown>) {
    const machine = this.machine(input.stateMachineArn);
    const name = input.name === undefined ? randomUUID() : String(input.name);
    if (!isExecutionName(name)) {
      throw new StatesApiError(
        "InvalidName",
        `Invalid Name: '${name}' (1-80 characters, none of the reserved ones)`,
      );
    }
    const raw = input.input === undefined ? "{}" : String(input.input);
    if (Buffer.byteLength(raw, "utf8") > MAX_INPUT_BYTES) {
      throw new StatesApiError("InvalidExecutionInput", `input is larger than ${MAX_INPUT_BYTES} bytes`);
    }
    let parsed: Json;
    try {
      parsed = JSON.parse(raw) as Json;
    } catch {
      throw new StatesApiError("InvalidExecutionInput", "Invalid State Machine Execution Input: not JSON");
    }
    const executionArn = `${machine.arn.replace(":stateMachine:", ":execution:")}:${name}`;
    const existing = machine.executions.get(name);
    if (existing && machine.type === "STANDARD") {
      // The same name and input while the first run is open returns that run; anything else is refused.
      if (existing.status === "RUNNING" && existing.input === raw) {
        return { executionArn, startDate: existing.startDate / 1000 };
      }
      throw new StatesApiError("ExecutionAlreadyExists", `Execution Already Exists: '${executionArn}'`);
    }
    const execution: LocalExecution = {
      executionArn,
      stateMachineArn: machine.arn,
      name,
      input: raw,
      startDate: Date.now(),
      status: "RUNNING",
      history: [],
    };
    machine.executions.set(name, execution);
    this.run(machine, execution, parsed);
    return { executionArn, startDate: execution.startDate / 1000 };
  }

  private run(machine: LocalStateMachine, execution: LocalExecution, input: Json): void {
    const runner = this.runner as LocalTaskRunner;
    const record = (type: string, details: Record<string, unknown> = {}) => {
      const id = execution.history.length + 1;
      execution.history.push({ id, previousEventId: id - 1, timestamp: Date.now() / 1000, type, ...details });
    };
    const handlers = Object.fromEntries(
      [...machine.tasks].map(([stateName, resource]) => [
        stateName,
        async (rawInput: Json) => {
          const paths = machine.jsonToString.get(stateName);
          const taskInput = (paths ? applyJsonToString(rawInput, paths) : rawInput) as Json;
          // Let the interpreter's StateEntered event reach the history first.
          await new Promise((resolve) => setImmediate(resolve));
          const resourceName = resource.arn;
          record("TaskScheduled", {
            taskScheduledEventDetails: { resource: resourceName, parameters: JSON.stringify(taskInput) },
          });
          record("TaskStarted", { taskStartedEventDetails: { resource: resourceName } });
          try {
            const timeoutMs = machine.taskTimeouts.get(stateName);
            const timer: { id?: NodeJS.Timeout; start: () => void } = { start: () => undefined };
            const timedOut = new Promise<never>((_, reject) => {
              timer.start = () => {
                if (timeoutMs !== undefined)
                  timer.id = setTimeout(() => reject(newStatesTimeout()), timeoutMs);
              };
            });
            timedOut.catch(() => undefined);
            const work =
              resource.resource.kind === "lambda-callback"
                ? this.callback(execution, resource.resource, taskInput, machine.name, timer.start, () =>
                    record("TaskSubmitted", { taskSubmittedEventDetails: { resource: resourceName } }),
                  )
                : runner.run(resource.resource, taskInput, `states:${machine.name}`, timer.start);
            let output: unknown;
            try {
              output = await Promise.race([work, timedOut]);
            } finally {
              clearTimeout(timer.id);
            }
            record("TaskSucceeded", {
              taskSucceededEventDetails: { resource: resourceName, output: JSON.stringify(output) },
            });
            return output as never;
          } catch (error) {
            const e = error instanceof Error ? error : new Error(String(error));
            record("TaskFailed", {
              taskFailedEventDetails: { resource: resourceName, error: e.name, cause: e.message },
            });
            throw e;
          }
        },
      ]),
    );
    const retryIntervalOverrides =
      this.props.retryDelayMs === undefined
        ? undefined
        : Object.fromEntries(
            retryableStates(machine.definition).map((s) => [s, this.props.retryDelayMs as number]),
          );
    const startTime = new Date(execution.startDate).toISOString();
    const context = {
      Execution: {
        Id: execution.executionArn,
        Name: execution.name,
        RoleArn: machine.roleArn,
        StartTime: startTime,
      },
      StateMachine: { Id: machine.arn, Name: machine.name },
      State: {
        get EnteredTime() {
          return new Date().toISOString();
        },
      },
      Task: {
        get Token() {
          execution.pendingToken ??= randomUUID().replaceAll("-", "") + randomUUID().replaceAll("-", "");
          return execution.pendingToken;
        },
      },
    };
    const { result, eventLogs, abort } = machine.interpreter.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: handlers,
        ...(retryIntervalOverrides ? { retryIntervalOverrides } : {}),
      },
      context,
    });
    execution.abort = abort;
    const events = (async () => {
      for await (const event of eventLogs) historyOf(event as unknown as InterpreterEvent, record);
    })();
    execution.done = result
      .then(
        (output: unknown) => {
          execution.status = "SUCCEEDED";
          execution.output = JSON.stringify(output ?? null);
        },
        (error: Error) => {
          const failure = (error as { cause?: unknown }).cause;
          if (error.name === "ExecutionTimeoutError") {
            execution.status = "TIMED_OUT";
            execution.error = "States.Timeout";
          } else if (error.name === "ExecutionAbortedError") {
            execution.status = execution.status === "RUNNING" ? "ABORTED" : execution.status;
          } else {
            execution.status = "FAILED";
            execution.error = failure instanceof Error ? failure.name : error.name;
            execution.cause = failure instanceof Error ? failure.message : error.message;
          }
        },
      )
      .then(async () => {
        execution.stopDate = Date.now();
        await Promise.race([events, new Promise((resolve) => setTimeout(resolve, 100))]);
      });
  }

  /** Runs a `.waitForTaskToken` Lambda task: invoke, then wait for the token's SendTaskSuccess/Failure. */
  private async callback(
    execution: LocalExecution,
    resource: TaskResource,
    input: Json,
    machineName: string,
    started: () => void,
    submitted: () => void,
  ): Promise<unknown> {
    const token = execution.pendingToken;
    execution.pendingToken = undefined;
    if (!token)
      throw new StatesApiError("States.Runtime", "the callback task's parameters do not pass $$.Task.Token");
    const result = new Promise<unknown>((resolve, reject) => {
      this.tokens.set(token, { execution, resolve, reject, done: false });
    });
    try {
      await (this.runner as LocalTaskRunner).run(resource, input, `states:${machineName}`, started);
    } catch (error) {
      this.tokens.delete(token);
      throw error;
    }
    submitted();
    try {
      return await result;
    } finally {
      const entry = this.tokens.get(token);
      if (entry) entry.done = true;
    }
  }

  private taskToken(input: Record<string, unknown>) {
    const token = typeof input.taskToken === "string" ? input.taskToken : "";
    const entry = this.tokens.get(token);
    if (!entry) throw new StatesApiError("InvalidToken", "Invalid token");
    if (entry.done || entry.execution.status !== "RUNNING") {
      throw new StatesApiError(
        "TaskTimedOut",
        "Task Timed Out: the task already ended (timed out, failed or completed)",
      );
    }
    return entry;
  }

  private sendTask(operation: string, input: Record<string, unknown>) {
    const entry = this.taskToken(input);
    if (operation === "SendTaskHeartbeat") return {};
    entry.done = true;
    if (operation === "SendTaskSuccess") {
      let output: unknown;
      try {
        output = JSON.parse(String(input.output ?? "null"));
      } catch {
        entry.done = false;
        throw new StatesApiError("InvalidOutput", "Invalid output: not JSON");
      }
      entry.resolve(output);
    } else {
      entry.reject(new TaskError(String(input.error ?? ""), String(input.cause ?? "")));
    }
    return {};
  }

  private stopExecution(input: Record<string, unknown>) {
    const execution = this.execution(input.executionArn);
    if (execution.status === "RUNNING") {
      execution.status = "ABORTED";
      if (input.error !== undefined) execution.error = String(input.error);
      if (input.cause !== undefined) execution.cause = String(input.cause);
      execution.abort?.();
    }
    return { stopDate: (execution.stopDate ?? Date.now()) / 1000 };
  }

  private listExecutions(input: Record<string, unknown>) {
    const machine = this.machine(input.stateMachineArn);
    const filter = input.statusFilter === undefined ? undefined : String(input.statusFilter);
    const executions = [...machine.executions.values()]
      .filter((e) => filter === undefined || e.status === filter)
      .sort((a, b) => b.startDate - a.startDate);
    const start = input.nextToken === undefined ? 0 : Number(input.nextToken);
    const size =
      input.maxResults === undefined || Number(input.maxResults) === 0 ? 100 : Number(input.maxResults);
    const page = executions.slice(start, start + size);
    return {
      executions: page.map(executionSummary),
      ...(start + size < executions.length ? { nextToken: String(start + size) } : {}),
    };
  }

  private history(input: Record<string, unknown>) {
    const execution = this.execution(input.executionArn);
    const events = input.reverseOrder === true ? [...execution.history].reverse() : execution.history;
    const start = input.nextToken === undefined ? 0 : Number(input.nextToken);
    const size =
      input.maxResults === undefined || Number(input.maxResults) === 0 ? 1000 : Number(input.maxResults);
    return {
      events: events.slice(start, start + size),
      ...(start + size < events.length ? { nextToken: String(start + size) } : {}),
    };
  }
}
