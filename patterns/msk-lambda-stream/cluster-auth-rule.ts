import { Annotations, type IAspect, Stack } from "aws-cdk-lib";
import { CfnCluster, CfnServerlessCluster } from "aws-cdk-lib/aws-msk";
import type { IConstruct } from "constructs";

/** Rule ID of {@link MskClusterAuthRule}'s errors (greppable in `cdk synth` output). */
export const MSK_CLUSTER_AUTH_RULE = "serverless-messaging:msk-cluster-auth";

type ClientAuthentication = {
  sasl?: { iam?: { enabled?: unknown } };
  unauthenticated?: { enabled?: unknown };
};

/**
 * The problems of one cluster's client authentication: IAM auth must be on (the pattern's grants
 * and the event source rely on it) and unauthenticated access off. `[]` when it is fine.
 */
export function mskClusterAuthProblems(cluster: CfnCluster | CfnServerlessCluster): string[] {
  const stack = Stack.of(cluster);
  const auth = stack.resolve(cluster.clientAuthentication) as ClientAuthentication | undefined;
  const problems: string[] = [];
  if (stack.resolve(auth?.sasl?.iam?.enabled) !== true)
    problems.push("IAM access control is off (ClientAuthentication.Sasl.Iam.Enabled must be true)");
  if (stack.resolve(auth?.unauthenticated?.enabled) === true)
    problems.push(
      "unauthenticated access is on (ClientAuthentication.Unauthenticated.Enabled must be false)",
    );
  if (cluster instanceof CfnCluster && auth === undefined)
    problems.push("no ClientAuthentication: the cluster would accept unauthenticated clients");
  return problems;
}

/**
 * An aspect that fails synthesis (an error annotation) for any MSK cluster in scope whose client
 * authentication is not IAM-only: the project's cdk-nag-style rule of its own, because cdk-nag's
 * AwsSolutions pack checks TLS and logging on MSK clusters but not the authentication mode.
 */
export class MskClusterAuthRule implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof CfnCluster || node instanceof CfnServerlessCluster)) return;
    for (const problem of mskClusterAuthProblems(node)) {
      Annotations.of(node).addError(`[${MSK_CLUSTER_AUTH_RULE}] ${problem}`);
    }
  }
}
