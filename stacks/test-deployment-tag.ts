import { Tags } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { isTestDeployment, TEST_DEPLOYMENT_TAG } from "./test-deployment.js";

/**
 * Tags everything under `scope` (the app: every stack, as a CloudFormation stack tag, and every
 * taggable resource) with {@link TEST_DEPLOYMENT_TAG} when `-c serverless-messaging:test-deployment=true`
 * is on; does nothing otherwise, so production deployments are unchanged. The tag is how the `aws`
 * verify target tells a stack it may redeploy with test settings from one it must not touch.
 */
export function tagTestDeployment(scope: Construct): void {
  if (isTestDeployment(scope)) Tags.of(scope).add(TEST_DEPLOYMENT_TAG.key, TEST_DEPLOYMENT_TAG.value);
}
