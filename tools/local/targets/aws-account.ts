import { spawn } from "node:child_process";
import { join } from "node:path";
import { z } from "zod";
import { describeIssues } from "./schema-issues.ts";
import { TargetError } from "./target-error.ts";

/** A stack that already exists in the account and region: its status and its stack-level tags. */
export interface ExistingStack {
  readonly status: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** What the account check found, with the environment `cdk deploy` gets. */
export type AwsAccountProbe =
  /** The default credential chain resolved no credentials, or no region. */
  | { readonly kind: "no-credentials"; readonly reason: string }
  /** Credentials and region resolve; `stack` is the deployed stack of that name, if any. */
  | { readonly kind: "ready"; readonly region: string; readonly stack: ExistingStack | undefined }
  /** Credentials and region resolve, but DescribeStacks failed (permissions, network). */
  | { readonly kind: "stack-check-failed"; readonly region: string; readonly reason: string };

const probeSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("no-credentials"), reason: z.string() }),
  z.object({
    kind: z.literal("ready"),
    region: z.string().min(1),
    stack: z.object({ status: z.string(), tags: z.record(z.string(), z.string()) }).nullable(),
  }),
  z.object({ kind: z.literal("stack-check-failed"), region: z.string().min(1), reason: z.string() }),
]);

const PROBE = join(import.meta.dirname, "aws-account-probe.mjs");

/**
 * Resolves credentials and region and looks up `stackName` (CloudFormation DescribeStacks) with
 * exactly `env`, the environment `cdk deploy` will run with. The SDK's default credential and region
 * chain reads `process.env` and offers no way to hand it another environment, so the check runs in a
 * child Node process started with `env` (a few hundred milliseconds, against a deploy of minutes):
 * an `AWS_PROFILE` given only to the deploy is the one checked, and one exported only in this process
 * is not. Set `AWS_ENDPOINT_URL_CLOUDFORMATION` in `env` to point the lookup elsewhere (tests do).
 */
export function probeAwsAccount(stackName: string, env: NodeJS.ProcessEnv): Promise<AwsAccountProbe> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PROBE, stackName], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.on("error", (error) =>
      reject(new TargetError(`the AWS account check did not start: ${error.message}`)),
    );
    child.on("close", (code) => {
      const line = stdout.trim().split("\n").at(-1) ?? "";
      let data: unknown;
      try {
        data = JSON.parse(line);
      } catch {
        reject(
          new TargetError(`the AWS account check failed (exit ${code}): ${stderr.trim() || "no output"}`),
        );
        return;
      }
      const parsed = probeSchema.safeParse(data);
      if (!parsed.success) {
        reject(
          new TargetError(`the AWS account check answered unexpectedly: ${describeIssues(parsed.error)}`),
        );
        return;
      }
      const result = parsed.data;
      resolve(result.kind === "ready" ? { ...result, stack: result.stack ?? undefined } : result);
    });
  });
}
