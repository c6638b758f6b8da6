import { join } from "node:path";
import { SQSClient } from "@aws-sdk/client-sqs";
import { testDeploymentSummary } from "../../../stacks/test-deployment.ts";
import { REPO_ROOT } from "../cloud-assembly.ts";
import type { PatternEntry } from "../patterns.ts";
import type { ScenarioTarget } from "../scenarios/target.ts";
import { defaultCommands, runCommand, type TargetCommands } from "./commands.ts";
import { DEPLOYED_OUTPUT_DIRS, deployArgs } from "./deploy-args.ts";
import { readOutputsFile } from "./outputs-file.ts";
import { TargetError } from "./target-error.ts";

/** Options of {@link awsTarget}. */
export interface AwsTargetOptions {
  /** Deploy with the pattern's fault-injection context. */
  readonly faults: boolean;
  /** Use this existing `cdk deploy --outputs-file` file instead of deploying. @default - deploy */
  readonly outputsFile?: string;
  /** Environment of `cdk deploy`. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Repository root. @default the repository */
  readonly root?: string;
  /** Programs to run. @default the pinned cdk */
  readonly commands?: Partial<TargetCommands>;
  readonly progress?: (line: string) => void;
}

/**
 * The `aws` target: your account through the default credential chain. With `outputsFile` it uses
 * an existing deployment; otherwise it runs `cdk deploy <Stack> --outputs-file outputs-<slug>.json`
 * into `cdk.out.aws` (never the repository's `cdk.out`) as a test deployment (short retry loops),
 * with the fault-injection context when `faults`, in the region the scenario's clients use. Fails
 * early with one line when no credentials or region resolve.
 */
export async function awsTarget(pattern: PatternEntry, options: AwsTargetOptions): Promise<ScenarioTarget> {
  const env = options.env ?? process.env;
  const root = options.root ?? REPO_ROOT;
  const commands = { ...defaultCommands(root), ...options.commands };
  const say = options.progress ?? (() => undefined);
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
  if (outputsFile) {
    say(
      `region ${region}; using the deployment in ${outputsFile} as is (with the retry loops it was deployed with)`,
    );
  } else {
    outputsFile = join(root, `outputs-${pattern.slug}.json`);
    const outputDir = DEPLOYED_OUTPUT_DIRS.aws;
    say(`region ${region} for the deploy and the scenario's clients; cloud assembly in ${outputDir}/`);
    say(testDeploymentSummary());
    await runCommand(commands.cdk, deployArgs(pattern, { outputsFile, outputDir, faults: options.faults }), {
      cwd: root,
      env: { ...env, AWS_REGION: region, AWS_DEFAULT_REGION: region, CDK_DISABLE_VERSION_CHECK: "1" },
      progress: say,
    });
  }
  return {
    name: "aws",
    outputs: readOutputsFile(outputsFile, pattern.stack),
    // An existing deployment may have the production 180 s visibility timeout.
    settleTimeoutMs: options.outputsFile ? 900_000 : 300_000,
    clientConfig: () => ({ region }),
    stop: async () => undefined,
  };
}
