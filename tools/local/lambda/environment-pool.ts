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
  /** The environment's V8 heap after the invocation, in bytes (for the REPORT line). */
  heapBytes?: number;
  payload?: string;
  error?: { errorType: string; errorMessage: string; trace?: string[] };
}

interface Environment {
  readonly worker: Worker;
  /** Resolves when the init phase (loading the handler module) is over. */
  readonly ready: Promise<void>;
  busy: boolean;
  warm: boolean;
  /** How long the init phase took (ms), once it is over. */
  initMs?: number;
  /** Peak heap seen after an invocation, in MB. */
  maxMemoryMb: number;
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
    const log = this.runtimeLog();
    log?.(`START RequestId: ${requestId} Version: $LATEST\n`);
    const handlerStarted = performance.now();
    let outcome: WorkerResult | "timeout" | "crashed" | undefined;
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
      outcome = result;
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
      if (log)
        this.report(log, requestId, environment, coldStart, performance.now() - handlerStarted, outcome);
      this.release(environment);
    }
  }

  /** Where the runtime's own lines go (the function's log sink), or undefined when output is discarded. */
  private runtimeLog(): ((line: string) => void) | undefined {
    const sink = this.logs;
    if (sink === DISCARD) return undefined;
    if (sink === "inherit") return (line) => process.stdout.write(line);
    return (line) => sink(this.fn.functionName, "stdout", line);
  }

  /**
   * The lines the Lambda runtime writes after an invocation: `ERROR Invoke Error` with the error (or
   * `Task timed out`), `END`, and `REPORT` with duration, billed duration (rounded up to the
   * millisecond; a cold start also bills its init phase, as Lambda does since August 2025), memory
   * size, max memory used (the environment's V8 heap, worker threads share one process) and, on a
   * cold start, the init duration.
   */
  private report(
    log: (line: string) => void,
    requestId: string,
    environment: Environment,
    coldStart: boolean,
    durationMs: number,
    outcome: WorkerResult | "timeout" | "crashed" | undefined,
  ): void {
    const at = new Date().toISOString();
    if (outcome === "timeout") {
      log(`${at} ${requestId} Task timed out after ${this.fn.timeoutSeconds.toFixed(2)} seconds\n`);
    } else if (outcome === "crashed") {
      log(`${at} ${requestId} Error: Runtime exited unexpectedly\n`);
    } else if (outcome && !outcome.ok) {
      const error = outcome.error ?? { errorType: "Error", errorMessage: "unknown error", trace: [] };
      const shape = {
        errorType: error.errorType,
        errorMessage: error.errorMessage,
        stack: error.trace ?? [],
      };
      log(`${at}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(shape)}\n`);
    }
    if (outcome && typeof outcome === "object" && outcome.heapBytes) {
      environment.maxMemoryMb = Math.max(environment.maxMemoryMb, Math.ceil(outcome.heapBytes / 1048576));
    }
    const init = coldStart && environment.initMs !== undefined ? environment.initMs : undefined;
    const billed = Math.ceil(durationMs + (init ?? 0));
    log(`END RequestId: ${requestId}\n`);
    log(
      `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${billed} ms\t` +
        `Memory Size: ${this.fn.memoryMb} MB\tMax Memory Used: ${environment.maxMemoryMb} MB` +
        `${init !== undefined ? `\tInit Duration: ${init.toFixed(2)} ms` : ""}\n`,
    );
  }

  /**
   * CPU time (user + system, µs) of this function's live execution environments: their worker
   * threads, from `Worker.cpuUsage()`. Environments already discarded (after a timeout or a crash)
   * are not counted (so the figure can drop); benchmarks read it to separate the function's CPU from
   * the rest of the process. 0 on Node.js before 24.6, which has no `Worker.cpuUsage()`.
   */
  async cpuMicros(): Promise<number> {
    const usages = await Promise.all(
      [...this.environments].map((e) =>
        (typeof e.worker.cpuUsage === "function"
          ? e.worker.cpuUsage()
          : Promise.resolve({ user: 0, system: 0 })
        ).then(
          (usage) => usage.user + usage.system,
          () => 0,
        ),
      ),
    );
    return usages.reduce((sum, micros) => sum + micros, 0);
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
      // Old space capped at the function's memory; the young generation's ceiling is V8's default for a
      // worker (192 MB here; it starts at 16 MB, worker-heap.ts), larger than the tenth of the memory Lambda's runtime gives it. Lambda's sizing
      // would make the local heap faithful but cost 10-30 % more CPU per event in scavenges
      // (`npm run bench -- local`), so a function can hold more than its memory locally (parity table).
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
    const initStarted = performance.now();
    const environment: Environment = { worker, ready, busy: false, warm: false, maxMemoryMb: 0 };
    worker.on("message", (message: WorkerResult | { type: "ready" }) => {
      if (message.type === "ready") {
        environment.initMs = performance.now() - initStarted;
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
