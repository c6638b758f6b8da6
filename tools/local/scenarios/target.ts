import type { LocalService } from "../services/local-service.ts";

/** The AWS services a scenario talks to. */
export type ScenarioService = "sqs" | "sns" | "dynamodb" | "lambda" | "stepfunctions" | "kafka";

/** SDK client configuration for one service on a target. */
export interface ClientConfig {
  readonly region: string;
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/**
 * A deployed stack a scenario runs against: the embedded cloud, LocalStack or AWS. Scenarios only
 * use its outputs and AWS SDK clients built from `clientConfig`, so the same code runs on all three.
 */
export interface ScenarioTarget {
  /** `local`, `localstack` or `aws`. */
  readonly name: string;
  readonly outputs: Readonly<Record<string, string>>;
  clientConfig(service: ScenarioService): ClientConfig;
  /** How long to wait for messages to settle: retries take one visibility timeout (180 s on AWS). */
  readonly settleTimeoutMs: number;
  /**
   * The services the local target started beyond the built-ins, for a scenario that drives one
   * directly (the bridge's Pub/Sub emulator). @default none (always empty on deployed targets)
   */
  readonly localServices?: readonly LocalService[];
  stop(): Promise<void>;
}

/** Returns a reader of `target`'s stack outputs that fails, naming the output and target, when one is missing. */
export function outputReader(target: ScenarioTarget): (name: string) => string {
  return (name) => {
    const value = target.outputs[name];
    if (!value) throw new Error(`stack output ${name} is missing on target ${target.name}`);
    return value;
  };
}
