import { TEST_DEPLOYMENT_ARGS } from "../../../stacks/test-deployment.ts";
import type { PatternEntry } from "../patterns.ts";

/**
 * Where each deployed target synthesizes (`cdk --output`): never the repository's `cdk.out`, which
 * belongs to the embedded cloud and the tests (a bootstrap synthesizes without bundling, a deploy
 * with faults bakes `FAULT_INJECTION` into the functions). Both are gitignored.
 */
export const DEPLOYED_OUTPUT_DIRS = { localstack: "cdk.out.localstack", aws: "cdk.out.aws" } as const;

/**
 * `cdk deploy` (or `cdklocal deploy`) arguments: no approval prompt, outputs to a file, the
 * target's own cloud assembly directory, the test-deployment context (short retry loops) and,
 * with `faults`, the pattern's fault-injection context.
 */
export function deployArgs(
  pattern: PatternEntry,
  options: { outputsFile: string; outputDir: string; faults: boolean },
): string[] {
  return [
    "deploy",
    pattern.stack,
    "--require-approval",
    "never",
    "--outputs-file",
    options.outputsFile,
    "--output",
    options.outputDir,
    ...TEST_DEPLOYMENT_ARGS,
    ...(options.faults ? pattern.faultContext : []),
  ];
}

/** `cdklocal bootstrap` of LocalStack's account in `region`, synthesizing into the target's directory. */
export function bootstrapArgs(region: string, outputDir: string): string[] {
  return ["bootstrap", `aws://000000000000/${region}`, "--output", outputDir];
}
