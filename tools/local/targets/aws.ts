import { join } from "node:path";
import { TEST_DEPLOYMENT_TAG, testDeploymentSummary } from "../../../stacks/test-deployment.ts";
import { REPO_ROOT } from "../cloud-assembly.ts";
import type { PatternEntry } from "../patterns.ts";
import type { ScenarioTarget } from "../scenarios/target.ts";
import { type ExistingStack, probeAwsAccount } from "./aws-account.ts";
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
  /**
   * Environment of `cdk deploy`, and of the credential, region and stack checks before it. The
   * scenario's own SDK clients run in this process and use its credential chain with the region
   * found here, so pass something other than `process.env` only in tests. @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Deploy even over an existing stack that is not tagged as a test deployment
   * (`serverless-messaging:test-deployment=true`), replacing its retry settings (and, with `faults`,
   * its functions' behaviour): the CLI's `--force`. @default false
   */
  readonly force?: boolean;
  /** Repository root. @default the repository */
  readonly root?: string;
  /** Programs to run. @default the pinned cdk */
  readonly commands?: Partial<TargetCommands>;
  readonly progress?: (line: string) => void;
}

/**
 * The `aws` target: your account through the default credential chain. With `outputsFile` it uses
 * an existing deployment; otherwise it runs `cdk deploy <Stack> --outputs-file outputs-<slug>.json`
 * into `cdk.out.aws` (never the repository's `cdk.out`) as a test deployment (short retry loops,
 * every stack tagged `serverless-messaging:test-deployment=true`), with the fault-injection context
 * when `faults`, in the region the scenario's clients use. Before running anything it checks, with
 * the environment the deploy gets ({@link probeAwsAccount}), that credentials and a region resolve,
 * and that the stack either does not exist yet or is tagged as a test deployment: it refuses to
 * redeploy a stack of the same name that may be someone's production one, unless `force`.
 */
export async function awsTarget(pattern: PatternEntry, options: AwsTargetOptions): Promise<ScenarioTarget> {
  const env = options.env ?? process.env;
  const root = options.root ?? REPO_ROOT;
  const commands = { ...defaultCommands(root), ...options.commands };
  const say = options.progress ?? (() => undefined);
  const probe = await probeAwsAccount(pattern.stack, env);
  if (probe.kind === "no-credentials") {
    throw new TargetError(
      "no AWS credentials or region found (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, and AWS_REGION), or use --target local",
    );
  }
  const region = probe.region;
  if (!options.outputsFile && !options.force) {
    if (probe.kind === "stack-check-failed") {
      throw new TargetError(
        `could not check whether ${pattern.stack} already exists in ${region} (${probe.reason}); grant cloudformation:DescribeStacks, or pass --force to deploy without the check`,
      );
    }
    if (probe.stack && !isTestDeployment(probe.stack)) {
      throw new TargetError(
        `${pattern.stack} already exists in ${region} (${probe.stack.status}) and is not a test deployment (no tag ${TEST_DEPLOYMENT_TAG.key}=${TEST_DEPLOYMENT_TAG.value}): deploying would give it short retry loops${options.faults ? " and fault injection" : ""}; use --outputs-file to run against it as is, another account or region, or --force to deploy over it`,
      );
    }
  }
  if (!options.outputsFile && probe.kind === "ready" && probe.stack) {
    say(
      isTestDeployment(probe.stack)
        ? `${pattern.stack} exists in ${region} as a test deployment: updating it`
        : `--force: deploying test settings over ${pattern.stack} in ${region}, which is not tagged as a test deployment`,
    );
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

function isTestDeployment(stack: ExistingStack): boolean {
  return stack.tags[TEST_DEPLOYMENT_TAG.key] === TEST_DEPLOYMENT_TAG.value;
}
