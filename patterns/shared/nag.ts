import { Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

/**
 * Context key that turns every acknowledgement made through {@link acknowledgeNag} off. The test
 * suite synthesizes each stack once with it set to check that every acknowledgement still matches a
 * real cdk-nag finding (a stale acknowledgement would silently hide a future one).
 */
export const NAG_ACKNOWLEDGEMENTS_OFF = "serverless-messaging:nag-acknowledgements-off";

/**
 * Acknowledges a cdk-nag rule (or one finding, `Rule[Finding]`) on a construct and its children,
 * with the specific reason the finding is acceptable. Use this instead of calling
 * `Validations.of(...).acknowledge` directly so the stale-acknowledgement check sees every one.
 */
export function acknowledgeNag(scope: IConstruct, id: string, reason: string): void {
  if (scope.node.tryGetContext(NAG_ACKNOWLEDGEMENTS_OFF) === true) return;
  Validations.of(scope).acknowledge({ id, reason });
}
