/**
 * The test-deployment deploy context: `cdk deploy -c serverless-messaging:test-deployment=true`
 * shortens the example stacks' retry loops so a scenario against LocalStack or a throwaway AWS
 * account settles in seconds instead of minutes. It changes only how long a failed receive waits
 * before SQS delivers it again; the production defaults (and the construct validation,
 * visibility timeout ≥ 6 × function timeout) are untouched. `npm run verify -- <slug> --target
 * localstack|aws` passes it and prints {@link testDeploymentSummary}.
 *
 * No CDK import here: the verify CLI reads these values without loading aws-cdk-lib.
 */
import type { IConstruct } from "constructs";

/** The context key. Only `true` (or the string `"true"`) turns it on; `false`/absent leaves production values. */
export const TEST_DEPLOYMENT_CONTEXT = "serverless-messaging:test-deployment";

/**
 * What a test deployment uses, in seconds. Why these values: on AWS a failed record comes back
 * after the queue's visibility timeout (6 × the 30 s default function timeout = 180 s); a
 * 3 s function timeout still covers a warm batch of 10 with DynamoDB writes (tens of ms each),
 * and 18 s is the smallest visibility timeout the construct validation accepts for it.
 */
export const TEST_DEPLOYMENT_SETTINGS = {
  /** Consumer function timeout (production default 30 s). */
  consumerTimeoutSeconds: 3,
  /** Queue visibility timeout: exactly 6 × the consumer timeout (production default 180 s). */
  visibilityTimeoutSeconds: 18,
  /** sqs-dlq-redrive backoff base (example stack default 1 s). */
  backoffBaseSeconds: 1,
  /** sqs-dlq-redrive backoff cap (example stack default 60 s). */
  backoffMaxSeconds: 5,
} as const;

/** Thrown for a context value other than true/false, so a typo never silently deploys production values. */
export class TestDeploymentContextError extends Error {
  override readonly name = "TestDeploymentContextError";
}

/** Whether `scope`'s app was given `-c serverless-messaging:test-deployment=true`. */
export function isTestDeployment(scope: IConstruct): boolean {
  const value: unknown = scope.node.tryGetContext(TEST_DEPLOYMENT_CONTEXT);
  if (value === undefined || value === false || value === "false") return false;
  if (value === true || value === "true") return true;
  throw new TestDeploymentContextError(
    `context ${TEST_DEPLOYMENT_CONTEXT} is ${JSON.stringify(value)}; allowed: true or false`,
  );
}

/**
 * The tag every stack (and so every resource) of a test deployment carries: key = the context key,
 * value `true`. `npm run verify -- <slug> --target aws` deploys over an existing stack only when
 * it carries this tag (or with `--force`), so it never puts short retry loops and fault injection on
 * a production stack of the same name. stacks/test-deployment-tag.ts applies it.
 */
export const TEST_DEPLOYMENT_TAG = { key: TEST_DEPLOYMENT_CONTEXT, value: "true" } as const;

/** The CLI arguments that turn a test deployment on. */
export const TEST_DEPLOYMENT_ARGS = ["-c", `${TEST_DEPLOYMENT_CONTEXT}=true`] as const;

/** One line saying which values a test deployment uses (printed by the deployed verify targets). */
export function testDeploymentSummary(): string {
  const s = TEST_DEPLOYMENT_SETTINGS;
  return (
    `test deployment (-c ${TEST_DEPLOYMENT_CONTEXT}=true): consumer timeout ${s.consumerTimeoutSeconds} s ` +
    `(production 30 s), visibility timeout ${s.visibilityTimeoutSeconds} s (production 180 s), ` +
    `sqs-dlq-redrive backoff ${s.backoffBaseSeconds}-${s.backoffMaxSeconds} s (example stack 1-60 s)`
  );
}
