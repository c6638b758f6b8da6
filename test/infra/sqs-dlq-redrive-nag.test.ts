import type { App } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { acknowledgeNag } from "../../patterns/shared/nag.js";
import { SqsDlqRedriveStack } from "../../stacks/sqs-dlq-redrive-stack.js";
import { createTestApp } from "../helpers/app.js";
import { nagAcknowledgements, nagFindings, staleAcknowledgements } from "../helpers/nag.js";

/** cdk-nag 3 (AwsSolutions + Serverless) on the stack, with the lead's helpers in test/helpers/nag.ts. */
const build = (app: App) => new SqsDlqRedriveStack(app, "SqsDlqRedriveStack");

describe("cdk-nag on SqsDlqRedriveStack", () => {
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

  it("has no stale acknowledgement", () => {
    expect(staleAcknowledgements(build)).toEqual([]);
  });

  it("flags a stale acknowledgement (the check can fail)", () => {
    const stale = staleAcknowledgements((app) => {
      const stack = build(app);
      acknowledgeNag(
        stack.jobsTable,
        "AwsSolutions-DDB3",
        "Point-in-time recovery is on, so this matches nothing",
      );
    });
    expect(stale.map((a) => a.id)).toEqual(["AwsSolutions-DDB3"]);
  });
});
