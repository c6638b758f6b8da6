import { randomUUID } from "node:crypto";
import { Worker } from "node:worker_threads";
import { workerExecArgv } from "../profiling.ts";

/** Everything needed to run one function locally, resolved from the template and the cloud assembly. */
export interface LocalFunction {
  /** Logical ID in the template. */
  readonly logicalId: string;
  /** Physical name (what `Ref` returns and what the Invoke API accepts). */
  readonly functionName: string;
  readonly functionArn: string;
  /** Directory of the bundled asset in cdk.out. */
  readonly codeDir: string;
  /** `Handler` property, e.g. `index.handler`. */
  readonly handler: string;
  readonly runtime: string;
  /** Timeout in seconds (Lambda default 3). */
  readonly timeoutSeconds: number;
  /** Memory in MB (Lambda default 128); caps the worker's V8 old generation. */
  readonly memoryMb: number;
  /** The function's own variables (template `Environment.Variables` plus overrides), as `GetFunctionConfiguration` shows them. */
  readonly variables: Readonly<Record<string, string>>;
  /** The complete environment the function sees: its variables plus the runtime's and the local endpoints. */
  readonly environment: Readonly<Record<string, string>>;
  /** At most this many execution environments run at once (reserved concurrency or the local cap). */
  readonly maxEnvironments: number;
}

/** The outcome of one invocation, as the Lambda Invoke API reports it. */
export type InvocationResult =
  | { readonly ok: true; readonly payload: string; readonly durationMs: number; readonly coldStart: boolean }
  | {
      readonly ok: false;
      readonly error: {
        readonly errorType: string;
        readonly errorMessage: string;
        readonly trace?: string[];
      };
      readonly durationMs: number;
      readonly coldStart: boolean;
    };

/** Where the functions' console output goes. */
export type LogSink = (functionName: string, stream: "stdout" | "stderr", chunk: string) => void;

/** A sink that drops output inside the worker (nothing is copied to the parent thread). */
export const DISCARD: LogSink = () => undefined;

interface WorkerResult {
  type: "result";
  id: number;
  ok: boolean;
  payload?: string;
  error?: { errorType: string; errorMessage: string; trace?: string[] };
}

interface Environment {
  readonly worker: Worker;
  /** Resolves when the init phase (loading the handler module) is over. */
  readonly ready: Promise<void>;
  busy: boolean;
  warm: boolean;
  pending?: { id: number; resolve: (result: WorkerResult | "crashed") => void };
}

/**
 * The execution environments of one function. Like Lambda, an environment serves one invocation at
 * a time; a new one is started (a cold start) when all are busy and fewer than `maxEnvironments`
 * exist, otherwise the invocation waits for a free one. An invocation that outlives the function's
 * timeout terminates its environment (the next invocation cold-starts) and fails with
 * `Sandbox.Timedout`, as on Lambda.
 */
export class EnvironmentPool {
  private readonly environments = new Set<Environment>();
  private readonly waiting: Array<() => void> = [];
  private nextId = 1;
  private stopped = false;

  constructor(
    readonly fn: LocalFunction,
    private readonly sdkRoot: string,
    private readonly logs: LogSink | "inherit",
  ) {}

  /** Invokes the function with a JSON payload and resolves with its result or error (never rejects). */
  async invoke(payload: string, requestId: string = randomUUID()): Promise<InvocationResult> {
    const started = performance.now();
    const environment = await this.acquire();
    const coldStart = !environment.warm;
    environment.warm = true;
    await environment.ready;
    const id = this.nextId++;
    const timeoutMs = this.fn.timeoutSeconds * 1000;
    const deadline = Date.now() + timeoutMs;
    try {
      const result = await new Promise<WorkerResult | "timeout" | "crashed">((resolve) => {
        const timer = setTimeout(() => resolve("timeout"), timeoutMs);
        environment.pending = {
          id,
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        environment.worker.postMessage({ type: "invoke", id, requestId, payload, deadline });
      });
      const durationMs = performance.now() - started;
      if (result === "timeout" || result === "crashed") {
        this.discard(environment);
        const errorMessage =
          result === "timeout"
            ? `Task timed out after ${this.fn.timeoutSeconds.toFixed(2)} seconds`
            : "Runtime exited unexpectedly";
        const errorType = result === "timeout" ? "Sandbox.Timedout" : "Runtime.ExitError";
        return { ok: false, error: { errorType, errorMessage }, durationMs, coldStart };
      }
      if (result.ok) return { ok: true, payload: result.payload ?? "null", durationMs, coldStart };
      return {
        ok: false,
        error: result.error ?? { errorType: "Error", errorMessage: "unknown error" },
        durationMs,
        coldStart,
      };
    } finally {
      environment.pending = undefined;
      this.release(environment);
    }
  }

  /** Terminates every environment. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.environments].map((e) => e.worker.terminate()));
    this.environments.clear();
  }

  private async acquire(): Promise<Environment> {
    for (;;) {
      if (this.stopped) throw new Error(`function ${this.fn.functionName} is stopped`);
      for (const environment of this.environments) {
        if (!environment.busy) {
          environment.busy = true;
          return environment;
        }
      }
      if (this.environments.size < this.fn.maxEnvironments) {
        const environment = this.start();
        environment.busy = true;
        return environment;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private release(environment: Environment): void {
    environment.busy = false;
    this.waiting.shift()?.();
  }

  private discard(environment: Environment): void {
    this.environments.delete(environment);
    void environment.worker.terminate();
  }

  private start(): Environment {
    const fn = this.fn;
    const inherit = this.logs === "inherit";
    const worker = new Worker(new URL("./worker.ts", import.meta.url), {
      env: { ...fn.environment },
      workerData: {
        codeDir: fn.codeDir,
        handler: fn.handler,
        functionName: fn.functionName,
        functionArn: fn.functionArn,
        memoryMb: fn.memoryMb,
        logGroupName: fn.environment.AWS_LAMBDA_LOG_GROUP_NAME,
        logStreamName: fn.environment.AWS_LAMBDA_LOG_STREAM_NAME,
        sdkRoot: this.sdkRoot,
        discardOutput: this.logs === DISCARD,
      },
      resourceLimits: { maxOldGenerationSizeMb: Math.max(fn.memoryMb, 128) },
      stdout: !inherit,
      stderr: !inherit,
      // Node strips the worker's types itself: no TypeScript loader of the parent in the environment
      // (only `--cpu-prof` when LOCAL_CLOUD_CPU_PROF asks for profiles).
      execArgv: workerExecArgv(),
      name: `lambda:${fn.functionName}`,
    });
    const sink = this.logs;
    if (sink !== "inherit") {
      worker.stdout.setEncoding("utf8").on("data", (chunk: string) => sink(fn.functionName, "stdout", chunk));
      worker.stderr.setEncoding("utf8").on("data", (chunk: string) => sink(fn.functionName, "stderr", chunk));
    }
    let markReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => {
      markReady = resolve;
    });
    // Lambda's init phase may take up to 10 s; the handler's timeout starts after it.
    const initTimer = setTimeout(markReady, 10_000);
    const environment: Environment = { worker, ready, busy: false, warm: false };
    worker.on("message", (message: WorkerResult | { type: "ready" }) => {
      if (message.type === "ready") {
        clearTimeout(initTimer);
        markReady();
      } else if (environment.pending?.id === message.id) environment.pending.resolve(message);
    });
    worker.on("error", () => this.discard(environment));
    worker.on("exit", () => {
      clearTimeout(initTimer);
      markReady();
      this.environments.delete(environment);
      environment.pending?.resolve("crashed");
    });
    worker.unref();
    this.environments.add(environment);
    return environment;
  }
}
