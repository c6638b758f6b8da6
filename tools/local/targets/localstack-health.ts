import { z } from "zod";
import { describeIssues } from "./schema-issues.ts";

/**
 * LocalStack's health endpoint (`GET <endpoint>/_localstack/health`): `{ services: { sqs: "running",
 * … }, edition, version }`. It answers as soon as the gateway is up; a service is `available`
 * (starts on first use), `running`, `disabled` (excluded by `SERVICES`) or `error`.
 */
export type LocalStackHealth =
  | {
      readonly kind: "running";
      readonly version: string;
      readonly edition: string;
      readonly unavailable: readonly string[];
    }
  | { readonly kind: "not-localstack"; readonly reason: string }
  | { readonly kind: "absent"; readonly reason: string };

/**
 * What the stacks' deploy and scenarios use: CloudFormation and what it creates (`cloudwatch` for the
 * stacks' `AWS::CloudWatch::Alarm`s: without it the deploy fails half-way and rolls back).
 */
export const REQUIRED_SERVICES = [
  "cloudformation",
  "iam",
  "sts",
  "ssm",
  "s3",
  "logs",
  "cloudwatch",
  "lambda",
  "sqs",
  "sns",
  "dynamodb",
  "kms",
] as const;

/**
 * The part of the health answer the target reads, validated (the endpoint is whatever answers on a
 * port: a proxy, another tool, an older LocalStack): each service's state is a string.
 */
const healthSchema = z.object({
  services: z.record(z.string(), z.string()),
  version: z.string().optional(),
  edition: z.string().optional(),
});

/** How long the probe waits for an answer. */
export const HEALTH_TIMEOUT_MS = 2000;

/** Probes `endpoint`: a LocalStack that answers (with the required services it lacks), something else, or nothing. */
export async function probeLocalStack(
  endpoint: string,
  timeoutMs: number = HEALTH_TIMEOUT_MS,
): Promise<LocalStackHealth> {
  let response: Response;
  try {
    response = await fetch(`${endpoint}/_localstack/health`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return { kind: "absent", reason: describeFetchError(error, timeoutMs) };
  }
  const where = `${endpoint}/_localstack/health`;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return {
      kind: "not-localstack",
      reason: `${where} answered HTTP ${response.status} without LocalStack's service list (not JSON)`,
    };
  }
  const parsed = healthSchema.safeParse(body);
  if (!response.ok || !parsed.success) {
    const problem = parsed.success ? "" : ` (${describeIssues(parsed.error)})`;
    return {
      kind: "not-localstack",
      reason: `${where} answered HTTP ${response.status} without LocalStack's service list${problem}`,
    };
  }
  const health = parsed.data;
  const services = health.services;
  // Only what certainly cannot serve: other states (starting, initialized, …) come and go.
  const unavailable = REQUIRED_SERVICES.filter((s) => ["disabled", "error"].includes(services[s] ?? ""));
  return {
    kind: "running",
    version: health.version ?? "unknown",
    edition: health.edition ?? "unknown",
    unavailable,
  };
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"))
    return `no answer within ${timeoutMs / 1000} s`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === "ECONNREFUSED") return "connection refused";
  if (cause?.code) return cause.code;
  return error instanceof Error ? (cause?.message ?? error.message) : String(error);
}
