import { randomUUID } from "node:crypto";
import type { Spy } from "../spy.ts";
import {
  EnvironmentPool,
  type InvocationResult,
  type LocalFunction,
  type LogSink,
} from "./environment-pool.ts";

/** Thrown when an invocation names a function the stack does not declare. */
export class FunctionNotFoundError extends Error {
  override readonly name = "ResourceNotFoundException";
}

/**
 * The functions of a local stack, found by logical ID, name, ARN or partial ARN (with an optional
 * `:$LATEST` qualifier), each with its own pool of worker-thread execution environments. Every
 * invocation and its result are recorded on the spy.
 */
export class LambdaService {
  private readonly pools = new Map<string, EnvironmentPool>();
  private readonly byName = new Map<string, EnvironmentPool>();

  constructor(
    private readonly spy: Spy,
    private readonly sdkRoot: string,
    private readonly logs: LogSink | "inherit",
  ) {}

  /** Registers a function (no environment starts until its first invocation). */
  add(fn: LocalFunction): void {
    const pool = new EnvironmentPool(fn, this.sdkRoot, this.logs);
    this.pools.set(fn.logicalId, pool);
    this.byName.set(fn.functionName, pool);
  }

  /** Every registered function. */
  get functions(): LocalFunction[] {
    return [...this.pools.values()].map((pool) => pool.fn);
  }

  /** The function named by logical ID, name, ARN or partial ARN. */
  find(identifier: string): LocalFunction | undefined {
    return this.pool(identifier)?.fn;
  }

  /** Invokes synchronously; `source` labels the caller on the spy (`api` or a mapping's logical ID). */
  async invoke(
    identifier: string,
    payload: string,
    source = "api",
  ): Promise<InvocationResult & { requestId: string }> {
    const pool = this.pool(identifier);
    if (!pool) throw new FunctionNotFoundError(`Function not found: ${identifier}`);
    const { logicalId: functionLogicalId, functionName } = pool.fn;
    const requestId = randomUUID();
    this.spy.record({
      kind: "lambda.invoke",
      functionLogicalId,
      functionName,
      requestId,
      source,
      payload,
      at: Date.now(),
    });
    const result = await pool.invoke(payload, requestId);
    this.spy.record({
      kind: "lambda.result",
      functionLogicalId,
      functionName,
      requestId,
      source,
      ok: result.ok,
      ...(result.ok
        ? { payload: result.payload }
        : { errorType: result.error.errorType, errorMessage: result.error.errorMessage }),
      durationMs: result.durationMs,
      coldStart: result.coldStart,
      at: Date.now(),
    });
    return { ...result, requestId };
  }

  /** CPU time (µs) of the function's live execution environments (see `EnvironmentPool.cpuMicros`). */
  async cpuMicros(identifier: string): Promise<number> {
    const pool = this.pool(identifier);
    if (!pool) throw new FunctionNotFoundError(`Function not found: ${identifier}`);
    return pool.cpuMicros();
  }

  /** Terminates every execution environment. */
  async stop(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.stop()));
  }

  private pool(identifier: string): EnvironmentPool | undefined {
    const direct = this.pools.get(identifier) ?? this.byName.get(identifier);
    if (direct) return direct;
    // arn:aws:lambda:region:account:function:name[:qualifier] or account:function:name
    const match = /(?:^|:)function:([^:]+)(?::(\$LATEST))?$/.exec(identifier);
    const bare = identifier.replace(/:\$LATEST$/, "");
    return match?.[1] ? this.byName.get(match[1]) : this.byName.get(bare);
  }
}
