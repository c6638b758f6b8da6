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

/** What the stacks' deploy and scenarios use: CloudFormation and what it creates. */
export const REQUIRED_SERVICES = [
  "cloudformation",
  "iam",
  "sts",
  "ssm",
  "s3",
  "logs",
  "lambda",
  "sqs",
  "sns",
  "dynamodb",
  "kms",
] as const;

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
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const health = body as
    | { services?: Record<string, string>; version?: string; edition?: string }
    | undefined;
  if (!response.ok || typeof health?.services !== "object" || health.services === null) {
    return {
      kind: "not-localstack",
      reason: `${endpoint}/_localstack/health answered HTTP ${response.status} without LocalStack's service list`,
    };
  }
  const services = health.services;
  // Only what certainly cannot serve: other states (starting, initialized, …) come and go.
  const unavailable = REQUIRED_SERVICES.filter((s) => ["disabled", "error"].includes(String(services[s])));
  return {
    kind: "running",
    version: String(health.version ?? "unknown"),
    edition: String(health.edition ?? "unknown"),
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
