import type { App } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { MskLambdaStreamStack } from "../../stacks/msk-lambda-stream-stack.js";
import { SnsSqsFanoutStack } from "../../stacks/sns-sqs-fanout-stack.js";
import { SqsDlqRedriveStack } from "../../stacks/sqs-dlq-redrive-stack.js";
import { createTestApp } from "../helpers/app.js";
import { nagAcknowledgements, nagFindings, staleAcknowledgements } from "../helpers/nag.js";

/**
 * Every deployable stack, built the way stacks/app.ts builds it. cdk-nag's AwsSolutions and
 * Serverless packs must report nothing unacknowledged, and every acknowledgement must carry a
 * specific reason and still match a finding.
 */
const STACKS: [string, (app: App) => void][] = [
  ["SnsSqsFanoutStack", (app) => new SnsSqsFanoutStack(app, "SnsSqsFanoutStack")],
  ["SqsDlqRedriveStack", (app) => new SqsDlqRedriveStack(app, "SqsDlqRedriveStack")],
  ["MskLambdaStreamStack", (app) => new MskLambdaStreamStack(app, "MskLambdaStreamStack")],
];

describe.each(STACKS)("cdk-nag on %s", (_name, build) => {
  it("reports no unacknowledged AwsSolutions or Serverless finding", () => {
    expect(nagFindings(build).map((f) => `${f.rule} at ${f.path}: ${f.description}`)).toEqual([]);
  });

  it("gives every acknowledgement a specific reason of at least 20 characters", () => {
    const app = createTestApp();
    build(app);
    const acknowledgements = nagAcknowledgements(app);
    expect(acknowledgements.length).toBeGreaterThan(0);
    expect(acknowledgements.filter((a) => a.reason.trim().length < 20)).toEqual([]);
  });

  it("has no stale acknowledgement (each one matches a finding when acknowledgements are off)", () => {
    expect(staleAcknowledgements(build)).toEqual([]);
  });
});

describe("the staleness check itself", () => {
  it("flags an acknowledgement that matches no finding", async () => {
    const { acknowledgeNag } = await import("../../patterns/shared/nag.js");
    const stale = staleAcknowledgements((app) => {
      const stack = new SnsSqsFanoutStack(app, "Stale");
      acknowledgeNag(
        stack.effectsTable,
        "AwsSolutions-DDB3",
        "Point-in-time recovery is enabled, so this matches nothing",
      );
    });
    expect(stale.map((a) => a.id)).toEqual(["AwsSolutions-DDB3"]);
  });
});
