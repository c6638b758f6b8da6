import type { SynthMode } from "./cloud-assembly.ts";
import type { FunctionLogs } from "./services/lambda.ts";
import type { LocalResource, LocalService } from "./services/local-service.ts";
import type { Spy } from "./spy.ts";

/** Options of {@link startLocal}. */
export interface StartLocalOptions {
  /** Stack name as in `stacks/app.ts` (the template is `cdk.out/<stack>.template.json`). */
  readonly stack: string;
  /** Cloud assembly directory. @default `<repo>/cdk.out` */
  readonly cdkOut?: string;
  /** When to synthesize: `auto` only when cdk.out is missing or stale. @default "auto" (`never` when `cdkOut` is given) */
  readonly synth?: SynthMode;
  /** Variables that override or extend every function's environment, e.g. `{ FAULT_INJECTION: "transient=0.05" }`. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** Region of the local deployment. @default "us-east-1" */
  readonly region?: string;
  /** Most execution environments (worker threads) per function at once. @default 2 */
  readonly concurrency?: number;
  /** Where function output goes: the terminal, nowhere, a directory of per-function files, or a callback. @default "silent" */
  readonly logs?: FunctionLogs;
  /** Progress lines (synth, emulators, parity table). @default none */
  readonly onProgress?: (line: string) => void;
  /**
   * Overrides every queue's `VisibilityTimeout` (seconds). A failed SQS record is retried only when
   * its visibility timeout expires (180 s for a 30 s function at the recommended 6×), so scenarios
   * that inject failures shorten it locally to see retries in seconds. Reported in the progress output.
   * @default - the template's values
   */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * Every Step Functions retry waits this many milliseconds instead of its backoff (printed at start).
   * @default - the definitions' IntervalSeconds, BackoffRate, MaxDelaySeconds and jitter
   */
  readonly stepFunctionsRetryDelayMs?: number;
  /**
   * Services added to the built-ins (SQS/SNS, DynamoDB, Lambda, Step Functions), started after them
   * in this order: a Kafka broker, … (see `services/local-service.ts`). @default []
   */
  readonly services?: readonly LocalService[];
  /** @deprecated the former name of {@link StartLocalOptions.services}. @default [] */
  readonly extensions?: readonly LocalService[];
  /** Spy events retained in memory (counters keep counting past it). @default 10000 */
  readonly spyCapacity?: number;
}

/** Endpoints of the local services; point AWS SDK clients here (`endpoint`, or `AWS_ENDPOINT_URL_<SERVICE>`). */
export interface LocalEndpoints {
  readonly sqs: string;
  readonly sns: string;
  readonly dynamodb: string;
  readonly lambda: string;
}

/** Thrown by {@link LocalCloud.invoke} when the function fails (error, timeout, crash). */
export class FunctionError extends Error {
  override readonly name = "FunctionError";
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(`${errorType}: ${message}`);
  }
}

/** A running local deployment of one stack. */
export interface LocalCloud {
  readonly stack: string;
  readonly region: string;
  /** The stack's Outputs, resolved. */
  readonly outputs: Readonly<Record<string, string>>;
  /** The built-in endpoints, plus any a service adds under its own key. */
  readonly endpoints: LocalEndpoints & Readonly<Record<string, string>>;
  /** Dummy credentials the emulators accept: `new SQSClient({ region, endpoint: endpoints.sqs, credentials })`. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly resources: ReadonlyMap<string, LocalResource>;
  /** The documented no-op resources of this template, by type (the parity table). */
  readonly notEmulated: ReadonlyMap<string, readonly string[]>;
  readonly spy: Spy;
  /** Whether this start synthesized the stack or reused cdk.out. */
  readonly synthesized: boolean;
  /**
   * Invokes a function synchronously with `event` and returns its parsed result. The function is
   * named by logical ID (`Worker11F36D0F`), its construct ID (`Worker`), a unique logical-ID
   * prefix (`Publisher`) or its name.
   */
  invoke(functionId: string, event: unknown): Promise<unknown>;
  /**
   * CPU time, in microseconds (user + system), that the function's live execution environments
   * (worker threads) have used since they started, named as for {@link LocalCloud.invoke}. With
   * `process.cpuUsage()` (every thread) it separates a function's CPU from the emulators' and the
   * event sources'. Environments discarded after a timeout or crash are not counted.
   */
  functionCpuMicros(functionId: string): Promise<number>;
  /** Stops pollers, functions and emulators. */
  stop(): Promise<void>;
}
