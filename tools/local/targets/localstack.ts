import { existsSync, mkdirSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { testDeploymentSummary } from "../../../stacks/test-deployment.ts";
import { REPO_ROOT } from "../cloud-assembly.ts";
import type { PatternEntry } from "../patterns.ts";
import type { ScenarioTarget } from "../scenarios/target.ts";
import { cdklocalEnvironment } from "./cdklocal-environment.ts";
import { defaultCommands, dockerEngineAnswers, runCommand, type TargetCommands } from "./commands.ts";
import { bootstrapArgs, DEPLOYED_OUTPUT_DIRS, deployArgs } from "./deploy-args.ts";
import { composePort, localstackEndpoint, PINNED_LOCALSTACK_VERSION } from "./localstack-endpoint.ts";
import { HEALTH_TIMEOUT_MS, type LocalStackHealth, probeLocalStack } from "./localstack-health.ts";
import { readOutputsFile } from "./outputs-file.ts";
import { localstackRegion } from "./region.ts";
import { TargetError } from "./target-error.ts";

/** Options of {@link localstackTarget}. */
export interface LocalStackTargetOptions {
  /** Deploy with the pattern's fault-injection context. */
  readonly faults: boolean;
  /** LocalStack's endpoint. @default `LOCALSTACK_ENDPOINT`, else http://localhost:4566 */
  readonly endpoint?: string;
  /** Environment of the commands it runs (and where the endpoint and region are read). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Repository root: docker-compose.yml, cdk.json, the output directory. @default the repository */
  readonly root?: string;
  /** Programs to run. @default the pinned cdklocal and `docker` from PATH */
  readonly commands?: Partial<TargetCommands>;
  /**
   * How long the health probe waits for `<endpoint>/_localstack/health` before taking LocalStack as
   * absent. A running LocalStack answers in milliseconds; a host that drops packets never does.
   * @default 2000
   */
  readonly probeTimeoutMs?: number;
  readonly progress?: (line: string) => void;
}

/** Printed when nothing answers and Docker cannot start LocalStack: both ways to get one. */
export function noLocalStackMessage(endpoint: string, reason: string): string {
  return (
    `no LocalStack answers at ${endpoint} (${reason}) and no Docker engine is there to start one: ` +
    `either start LocalStack yourself (\`localstack start\` with the LocalStack CLI, or a CI service container; ` +
    `images after ${PINNED_LOCALSTACK_VERSION} need LOCALSTACK_AUTH_TOKEN) and pass --endpoint or LOCALSTACK_ENDPOINT if it is not ${endpoint}, ` +
    `or start Docker and rerun (this target then runs \`docker compose up -d --wait localstack\`, pinned ${PINNED_LOCALSTACK_VERSION}); ` +
    `--target local needs neither`
  );
}

/**
 * The `localstack` target. Uses a LocalStack that already answers `<endpoint>/_localstack/health`
 * (2 s probe by default: the LocalStack CLI, a CI service container, another host, Podman) as is; only when
 * nothing answers on this machine's loopback does it start docker-compose.yml's pinned
 * `localstack/localstack:4.14.0` (`docker compose up -d --wait`, `LOCALSTACK_AUTH_TOKEN` passed
 * through), which is the only step that needs Docker. It then bootstraps and deploys the stack with
 * `cdklocal` into `cdk.out.localstack` (never the repository's `cdk.out`), as a test deployment
 * (short retry loops) and with the fault-injection context when `faults`, in one region
 * ({@link localstackRegion}) that the scenario's clients use too.
 */
export async function localstackTarget(
  pattern: PatternEntry,
  options: LocalStackTargetOptions,
): Promise<ScenarioTarget> {
  const env = options.env ?? process.env;
  const root = options.root ?? REPO_ROOT;
  const commands = { ...defaultCommands(root), ...options.commands };
  const say = options.progress ?? (() => undefined);
  const endpoint = localstackEndpoint(options.endpoint, env);
  const region = localstackRegion(env);
  const probeTimeoutMs = options.probeTimeoutMs ?? HEALTH_TIMEOUT_MS;

  let health = await probeLocalStack(endpoint, probeTimeoutMs);
  if (health.kind === "absent") {
    const port = composePort(endpoint);
    if (port === undefined) {
      throw new TargetError(
        `no LocalStack answers at ${endpoint} (${health.reason}); start it there, or drop --endpoint/LOCALSTACK_ENDPOINT so this target can start docker-compose.yml's on http://localhost:4566`,
      );
    }
    if (!dockerEngineAnswers(commands.docker, env))
      throw new TargetError(noLocalStackMessage(endpoint, health.reason));
    say(
      `no LocalStack answers at ${endpoint} (${health.reason}): starting localstack/localstack:${PINNED_LOCALSTACK_VERSION} with docker compose`,
    );
    await runCommand(
      commands.docker,
      ["compose", "-f", join(root, "docker-compose.yml"), "up", "-d", "--wait", "localstack"],
      { cwd: root, env: { ...env, LOCALSTACK_PORT: String(port) }, progress: say },
    );
    health = await probeLocalStack(endpoint, probeTimeoutMs);
    if (health.kind === "absent")
      throw new TargetError(
        `docker compose started LocalStack but ${endpoint} does not answer (${health.reason})`,
      );
  } else if (health.kind === "running") {
    say(`LocalStack ${health.version} (${health.edition}) answers at ${endpoint}: using it as is`);
    if (health.version !== PINNED_LOCALSTACK_VERSION)
      say(`note: this project is verified against LocalStack ${PINNED_LOCALSTACK_VERSION}`);
  }
  checkHealth(health, endpoint);

  if (isAbsolute(commands.cdklocal) && !existsSync(commands.cdklocal)) {
    throw new TargetError(
      "the localstack target needs cdklocal (the aws-cdk-local devDependency): run npm ci",
    );
  }
  const cdkEnv = cdklocalEnvironment(env, endpoint, region);
  const outputDir = DEPLOYED_OUTPUT_DIRS.localstack;
  mkdirSync(join(root, ".local-cloud"), { recursive: true });
  const outputsFile = join(root, ".local-cloud", "outputs-localstack.json");
  say(`region ${region} for bootstrap, deploy and the scenario's clients; cloud assembly in ${outputDir}/`);
  say(testDeploymentSummary());
  await runCommand(commands.cdklocal, bootstrapArgs(region, outputDir), {
    cwd: root,
    env: cdkEnv,
    progress: say,
  });
  await runCommand(
    commands.cdklocal,
    deployArgs(pattern, { outputsFile, outputDir, faults: options.faults }),
    {
      cwd: root,
      env: cdkEnv,
      progress: say,
    },
  );
  const credentials = { accessKeyId: "test", secretAccessKey: "test" };
  return {
    name: "localstack",
    outputs: readOutputsFile(outputsFile, pattern.stack),
    // A test deployment retries after 18 s; leave room for Lambda container cold starts.
    settleTimeoutMs: 300_000,
    clientConfig: () => ({ region, endpoint, credentials }),
    stop: async () => undefined,
  };
}

function checkHealth(health: LocalStackHealth, endpoint: string): void {
  if (health.kind === "not-localstack")
    throw new TargetError(
      `${health.reason}: is something else listening there? Point --endpoint at LocalStack`,
    );
  if (health.kind !== "running") return;
  if (health.unavailable.length > 0) {
    throw new TargetError(
      `LocalStack at ${endpoint} lacks ${health.unavailable.join(", ")} (disabled or failed): start it with these services (docker-compose.yml's SERVICES lists them all)`,
    );
  }
}
