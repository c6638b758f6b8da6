import { App, Stack } from "aws-cdk-lib";
import { Queue } from "aws-cdk-lib/aws-sqs";
import { describe, expect, it } from "vitest";
import { TEST_DEPLOYMENT_CONTEXT, TEST_DEPLOYMENT_TAG } from "../../stacks/test-deployment.js";
import { tagTestDeployment } from "../../stacks/test-deployment-tag.js";

/** A one-queue app tagged like stacks/app.ts; returns the stack's CloudFormation stack tags and the queue's tags. */
function synth(context: Record<string, unknown>) {
  const app = new App({ context });
  tagTestDeployment(app);
  const stack = new Stack(app, "S");
  new Queue(stack, "Q");
  const artifact = app.synth().getStackByName("S");
  const queue = Object.values(
    artifact.template.Resources as Record<string, { Properties?: { Tags?: unknown } }>,
  )[0];
  return { stackTags: artifact.tags, queueTags: queue?.Properties?.Tags };
}

describe("test-deployment stack tag", () => {
  it("tags every stack (a CloudFormation stack tag) and its resources when the context is on", () => {
    const { stackTags, queueTags } = synth({ [TEST_DEPLOYMENT_CONTEXT]: "true" });
    expect(stackTags).toEqual({ [TEST_DEPLOYMENT_TAG.key]: "true" });
    expect(queueTags).toEqual([{ Key: TEST_DEPLOYMENT_TAG.key, Value: "true" }]);
  });

  it("adds nothing to a production deployment", () => {
    expect(synth({})).toEqual({ stackTags: {}, queueTags: undefined });
    expect(synth({ [TEST_DEPLOYMENT_CONTEXT]: false })).toEqual({ stackTags: {}, queueTags: undefined });
  });
});
