import { join } from "node:path";
import { SingleBar } from "cli-progress";
import { REPO_ROOT } from "./cloud-assembly.ts";
import type { PatternEntry } from "./patterns.ts";
import type { Ledger } from "./scenarios/kit/ledger.ts";
import { formatProgressLine, percentOf } from "./scenarios/kit/progress.ts";
import type { ScenarioTarget } from "./scenarios/target.ts";
import type { StartLocalOptions } from "./start-local.ts";
import { awsTarget, localstackTarget } from "./targets/deployed.ts";
import { localTarget } from "./targets/local.ts";

/** Where a scenario runs. */
export type TargetName = "local" | "localstack" | "aws";

/** Options of {@link runOnTarget}. */
export interface RunOptions {
  readonly messages?: number;
  readonly faults: boolean;
  readonly outputsFile?: string;
  /** aws: deploy over an existing stack that is not tagged as a test deployment. @default false */
  readonly force?: boolean;
  /** localstack: LocalStack's endpoint. @default `LOCALSTACK_ENDPOINT`, else http://localhost:4566 */
  readonly endpoint?: string;
  /** Directory for the local functions' output. */
  readonly logs?: string;
  /** Print progress on stderr: a cli-progress bar on a TTY, plain lines otherwise. */
  readonly progress: boolean;
}

/** Thrown when a local-only pattern is asked to run on a deployed target. */
export class LocalOnlyPatternError extends Error {
  override readonly name = "LocalOnlyPatternError";
}

/**
 * What `startLocal` needs beyond the stack for `pattern`: its extra services (fresh instances) and its
 * local visibility timeout, when it sets them.
 */
export function patternLocalOptions(
  pattern: PatternEntry,
): Pick<StartLocalOptions, "services" | "visibilityTimeoutSeconds"> {
  const local = pattern.local;
  return {
    ...(local?.services ? { services: local.services() } : {}),
    ...(local?.visibilityTimeoutSeconds !== undefined
      ? { visibilityTimeoutSeconds: local.visibilityTimeoutSeconds }
      : {}),
  };
}

/** Opens the target, runs the pattern's scenario with live progress, stops the target, returns the ledger. */
export async function runOnTarget(
  pattern: PatternEntry,
  targetName: TargetName,
  options: RunOptions,
): Promise<Ledger> {
  if (targetName !== "local" && pattern.localOnly) {
    throw new LocalOnlyPatternError(
      `${pattern.slug} runs on --target local only for now: ${pattern.localOnly}`,
    );
  }
  const say = (line: string) => {
    if (options.progress) console.error(line);
  };
  const started = performance.now();
  let target: ScenarioTarget;
  if (targetName === "local") {
    target = await localTarget({
      stack: pattern.stack,
      environment: options.faults ? pattern.faultEnvironment : {},
      logs: { dir: options.logs ?? join(REPO_ROOT, ".local-cloud", "logs") },
      onProgress: say,
      ...patternLocalOptions(pattern),
    });
    say(
      `started in ${((performance.now() - started) / 1000).toFixed(1)} s; function output: ${options.logs ?? ".local-cloud/logs"}`,
    );
  } else if (targetName === "localstack") {
    target = await localstackTarget(pattern, {
      faults: options.faults,
      endpoint: options.endpoint,
      progress: say,
    });
  } else {
    target = await awsTarget(pattern, {
      faults: options.faults,
      outputsFile: options.outputsFile,
      force: options.force,
      progress: say,
    });
  }
  const bar =
    options.progress && process.stderr.isTTY
      ? new SingleBar({
          format: " {bar} {percentage}% | {status}",
          hideCursor: true,
          stream: process.stderr,
          clearOnComplete: true,
        })
      : undefined;
  bar?.start(100, 0, { status: "starting" });
  let lastPlain = -1;
  try {
    return await pattern.scenario(target, {
      messages: options.messages ?? pattern.defaultMessages,
      faults: options.faults,
      onProgress: (line, fraction) => {
        const percent = percentOf(fraction);
        if (bar) bar.update(percent, { status: line });
        else if (options.progress && Math.floor(percent / 20) !== lastPlain) {
          lastPlain = Math.floor(percent / 20);
          say(formatProgressLine(line, fraction));
        }
      },
    });
  } finally {
    bar?.stop();
    await target.stop();
  }
}
