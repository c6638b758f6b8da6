import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SQSClient } from "@aws-sdk/client-sqs";
import { REPO_ROOT } from "../cloud-assembly.ts";
import type { PatternEntry } from "../patterns.ts";
import type { ScenarioTarget } from "../scenarios/target.ts";

/** Thrown when a deployed target cannot be used (no Docker, no credentials, failed deploy). */
export class TargetError extends Error {
  override readonly name = "TargetError";
}

/** LocalStack's edge endpoint and the compose service started by `docker compose up`. */
export const LOCALSTACK_ENDPOINT = "http://localhost:4566";

/** Reads `{ <Stack>: { <Output>: value } }` as written by `cdk deploy --outputs-file`. */
export function readOutputsFile(file: string, stack: string): Record<string, string> {
  if (!existsSync(file))
    throw new TargetError(`outputs file ${file} does not exist; deploy first or drop --outputs-file`);
  const all = JSON.parse(readFileSync(file, "utf8")) as Record<string, Record<string, string>>;
  const outputs = all[stack];
  if (!outputs)
    throw new TargetError(
      `${file} has no outputs for ${stack} (found: ${Object.keys(all).join(", ") || "none"})`,
    );
  return outputs;
}

function run(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  progress?: (line: string) => void,
): Promise<void> {
  progress?.(`$ ${command} ${args.join(" ")}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    const collect = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", (error) => reject(new TargetError(`${command}: ${error.message}`)));
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new TargetError(`${command} ${args[0]} failed (exit ${code}):\n${tail.trim()}`)),
    );
  });
}

/**
 * The `localstack` target: starts the pinned LocalStack container of docker-compose.yml (passing
 * `LOCALSTACK_AUTH_TOKEN` through when set), bootstraps and deploys the stack with `cdklocal`
 * (with the pattern's fault-injection context when `faults`), and reads the outputs file.
 */
export async function localstackTarget(
  pattern: PatternEntry,
  options: { faults: boolean; progress?: (line: string) => void },
): Promise<ScenarioTarget> {
  const docker = spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], { encoding: "utf8" });
  if (docker.error || docker.status !== 0) {
    throw new TargetError(
      "the localstack target needs a running Docker engine (`docker info` failed); start Docker, or use --target local (no Docker needed)",
    );
  }
  const cdklocal = join(REPO_ROOT, "node_modules", ".bin", "cdklocal");
  if (!existsSync(cdklocal)) {
    throw new TargetError(
      "the localstack target needs cdklocal (the aws-cdk-local devDependency): run npm ci",
    );
  }
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL: LOCALSTACK_ENDPOINT,
    AWS_REGION: process.env.AWS_REGION ?? "us-east-1",
  };
  await run("docker", ["compose", "up", "-d", "--wait", "localstack"], env, options.progress);
  const outputsFile = join(REPO_ROOT, ".local-cloud", "outputs-localstack.json");
  await run(cdklocal, ["bootstrap", "--quiet"], env, options.progress);
  await run(cdklocal, deployArgs(pattern, outputsFile, options.faults), env, options.progress);
  const credentials = { accessKeyId: "test", secretAccessKey: "test" };
  return {
    name: "localstack",
    outputs: readOutputsFile(outputsFile, pattern.stack),
    settleTimeoutMs: 600_000,
    clientConfig: () => ({ region: env.AWS_REGION, endpoint: LOCALSTACK_ENDPOINT, credentials }),
    stop: async () => undefined,
  };
}

/**
 * The `aws` target: your account through the default credential chain. With `outputsFile` it uses
 * an existing deployment; otherwise it runs `cdk deploy <Stack> --outputs-file` (with the
 * fault-injection context when `faults`). Fails early with one line when no credentials resolve.
 */
export async function awsTarget(
  pattern: PatternEntry,
  options: { faults: boolean; outputsFile?: string; progress?: (line: string) => void },
): Promise<ScenarioTarget> {
  const probe = new SQSClient({});
  let region: string;
  try {
    await probe.config.credentials();
    region = await probe.config.region();
  } catch {
    throw new TargetError(
      "no AWS credentials or region found (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, and AWS_REGION), or use --target local",
    );
  } finally {
    probe.destroy();
  }
  let outputsFile = options.outputsFile;
  if (!outputsFile) {
    outputsFile = join(REPO_ROOT, `outputs-${pattern.slug}.json`);
    await run(
      join(REPO_ROOT, "node_modules", ".bin", "cdk"),
      deployArgs(pattern, outputsFile, options.faults),
      process.env,
      options.progress,
    );
  }
  return {
    name: "aws",
    outputs: readOutputsFile(outputsFile, pattern.stack),
    settleTimeoutMs: 900_000,
    clientConfig: () => ({ region }),
    stop: async () => undefined,
  };
}

/** `cdk deploy` (or `cdklocal deploy`) arguments: no approval prompt, outputs to a file, faults as context. */
function deployArgs(pattern: PatternEntry, outputsFile: string, faults: boolean): string[] {
  return [
    "deploy",
    pattern.stack,
    "--require-approval",
    "never",
    "--outputs-file",
    outputsFile,
    ...(faults ? pattern.faultContext : []),
  ];
}
