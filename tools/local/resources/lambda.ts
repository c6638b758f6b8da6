import { existsSync } from "node:fs";
import { join } from "node:path";
import type { LocalFunction } from "../lambda/environment-pool.ts";
import type { Json, TemplateResource } from "../template.ts";
import { isObject } from "../template.ts";
import { UnsupportedResourceError } from "./plan.ts";

/** The file assets of a stack: S3 object key → asset directory in cdk.out (from `<Stack>.assets.json`). */
export type AssetIndex = ReadonlyMap<string, string>;

/** Endpoints and identity every function gets, so its AWS SDK clients talk to the local emulators. */
export interface FunctionHost {
  readonly region: string;
  readonly accountId: string;
  /**
   * What the services add to every function (`AWS_ENDPOINT_URL_<SERVICE>`, …), then `overrides`.
   */
  readonly environment: Readonly<Record<string, string>>;
  /** Variables that override or extend every function's environment (e.g. `FAULT_INJECTION`). */
  readonly overrides: Readonly<Record<string, string>>;
  /** Local cap on concurrent execution environments per function. */
  readonly maxEnvironments: number;
}

const HANDLED = new Set([
  "Code",
  "Handler",
  "Runtime",
  "Timeout",
  "MemorySize",
  "Environment",
  "FunctionName",
  "Role",
  "Architectures",
  "LoggingConfig",
  "TracingConfig",
  "Description",
  "Tags",
  "ReservedConcurrentExecutions",
  "VpcConfig",
  "DeadLetterConfig",
  "EphemeralStorage",
  "RuntimeManagementConfig",
  "KmsKeyArn",
]);

/**
 * Turns a resolved `AWS::Lambda::Function` into a {@link LocalFunction}: the bundled asset in cdk.out,
 * the handler, timeout (default 3 s) and memory (default 128 MB), and the environment the function
 * sees: its own variables, then the Lambda runtime's reserved variables and dummy credentials, then
 * what the services add (the `AWS_ENDPOINT_URL_*` of the emulators), then `host.overrides`.
 */
export function buildLocalFunction(
  logicalId: string,
  resource: TemplateResource,
  props: Record<string, Json>,
  names: { functionName: string; functionArn: string },
  cdkOut: string,
  assets: AssetIndex,
  host: FunctionHost,
): LocalFunction {
  for (const key of Object.keys(props)) {
    if (!HANDLED.has(key)) {
      throw new UnsupportedResourceError(
        logicalId,
        "AWS::Lambda::Function",
        `uses property ${key}, which is not emulated`,
      );
    }
  }
  const runtime = String(props.Runtime ?? "");
  if (!runtime.startsWith("nodejs")) {
    throw new UnsupportedResourceError(
      logicalId,
      "AWS::Lambda::Function",
      `uses runtime ${runtime || "(none)"}; only Node.js runs locally`,
    );
  }
  const codeDir = assetDirectory(logicalId, resource, props, cdkOut, assets);
  const variables =
    isObject(props.Environment) && isObject(props.Environment.Variables) ? props.Environment.Variables : {};
  const memoryMb = Number(props.MemorySize ?? 128);
  const logGroupName = `/aws/lambda/${names.functionName}`;
  const environment: Record<string, string> = {};
  for (const [key, value] of Object.entries(variables))
    environment[key] = typeof value === "string" ? value : JSON.stringify(value);
  Object.assign(environment, {
    AWS_REGION: host.region,
    AWS_DEFAULT_REGION: host.region,
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_SESSION_TOKEN: "local",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_LAMBDA_FUNCTION_NAME: names.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]${logicalId}`,
    AWS_EXECUTION_ENV: `AWS_Lambda_${runtime}`,
    AWS_LAMBDA_RUNTIME_API: "127.0.0.1:9001",
    LAMBDA_TASK_ROOT: codeDir,
    LAMBDA_RUNTIME_DIR: codeDir,
    TZ: ":UTC",
  });
  Object.assign(environment, host.environment, host.overrides);
  const reserved = props.ReservedConcurrentExecutions;
  const maxEnvironments =
    typeof reserved === "number" && reserved > 0
      ? Math.min(reserved, host.maxEnvironments)
      : host.maxEnvironments;
  return {
    logicalId,
    functionName: names.functionName,
    functionArn: names.functionArn,
    codeDir,
    handler: String(props.Handler ?? "index.handler"),
    runtime,
    timeoutSeconds: Number(props.Timeout ?? 3),
    memoryMb,
    variables: {
      ...Object.fromEntries(
        Object.entries(variables).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
      ),
      ...host.overrides,
    },
    environment,
    maxEnvironments,
  };
}

function assetDirectory(
  logicalId: string,
  resource: TemplateResource,
  props: Record<string, Json>,
  cdkOut: string,
  assets: AssetIndex,
): string {
  const code = isObject(props.Code) ? props.Code : {};
  if (code.ZipFile !== undefined || code.ImageUri !== undefined) {
    throw new UnsupportedResourceError(
      logicalId,
      "AWS::Lambda::Function",
      "uses inline or container image code; only bundled assets run locally",
    );
  }
  const key = typeof code.S3Key === "string" ? code.S3Key : undefined;
  const fromManifest = key ? assets.get(key) : undefined;
  const fromMetadata = resource.Metadata?.["aws:asset:path"];
  const dir = fromManifest ?? (typeof fromMetadata === "string" ? fromMetadata : undefined);
  if (!dir) {
    throw new UnsupportedResourceError(
      logicalId,
      "AWS::Lambda::Function",
      `has code ${JSON.stringify(code)} that is not an asset of this cloud assembly`,
    );
  }
  const absolute = join(cdkOut, dir);
  if (!existsSync(absolute)) {
    throw new UnsupportedResourceError(
      logicalId,
      "AWS::Lambda::Function",
      `asset directory ${absolute} is missing; synthesize again`,
    );
  }
  return absolute;
}
