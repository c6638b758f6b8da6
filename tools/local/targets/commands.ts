import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../cloud-assembly.ts";
import { TargetError } from "./target-error.ts";

/** The programs a deployed target runs; tests replace them with fakes that record their calls. */
export interface TargetCommands {
  /** @default `<repo>/node_modules/.bin/cdk` (the pinned CLI) */
  readonly cdk: string;
  /** @default `<repo>/node_modules/.bin/cdklocal` (aws-cdk-local, pinned) */
  readonly cdklocal: string;
  /** @default `docker`, looked up on the environment's PATH */
  readonly docker: string;
}

/** The pinned programs of `root`'s node_modules, and `docker` from PATH. */
export function defaultCommands(root: string = REPO_ROOT): TargetCommands {
  return {
    cdk: join(root, "node_modules", ".bin", "cdk"),
    cdklocal: join(root, "node_modules", ".bin", "cdklocal"),
    docker: "docker",
  };
}

/** Whether a Docker engine answers `docker info` (the CLI alone is not enough for `docker compose up`). */
export function dockerEngineAnswers(docker: string, env: NodeJS.ProcessEnv): boolean {
  const result = spawnSync(docker, ["info", "--format", "{{.ServerVersion}}"], {
    encoding: "utf8",
    env,
    timeout: 20_000,
  });
  return !result.error && result.status === 0;
}

/** Runs `command` in `cwd`, printing the command line; rejects with the output's tail when it fails. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; progress?: (line: string) => void },
): Promise<void> {
  options.progress?.(
    `$ ${command.startsWith(options.cwd) ? command.slice(options.cwd.length + 1) : command} ${args.join(" ")}`,
  );
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
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
