import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { SnsSqsFanoutOutputs } from "../../stacks/sns-sqs-fanout-outputs.js";
import { SnsSqsFanoutStack } from "../../stacks/sns-sqs-fanout-stack.js";
import { SqsDlqRedriveOutputs } from "../../stacks/sqs-dlq-redrive-outputs.js";
import { SqsDlqRedriveStack } from "../../stacks/sqs-dlq-redrive-stack.js";
import { createTestApp } from "../helpers/app.js";

/** Every output name in a `<Pascal>Outputs` constant, nested groups included. */
function namesOf(contract: object): string[] {
  return Object.values(contract).flatMap((v) => (typeof v === "string" ? [v] : namesOf(v as object)));
}

/**
 * `stacks/<slug>-outputs.ts` is the one place output names are written: the stack declares exactly
 * those outputs (no more, no fewer), so a scenario reading a constant always finds its output.
 */
describe("stack outputs match their contracts", () => {
  it("SnsSqsFanoutStack", () => {
    const outputs = Template.fromStack(new SnsSqsFanoutStack(createTestApp(), "SnsSqsFanoutStack")).toJSON()
      .Outputs;
    expect(Object.keys(outputs).sort()).toEqual(namesOf(SnsSqsFanoutOutputs).sort());
  });

  it("SqsDlqRedriveStack", () => {
    const outputs = Template.fromStack(new SqsDlqRedriveStack(createTestApp(), "SqsDlqRedriveStack")).toJSON()
      .Outputs;
    expect(Object.keys(outputs).sort()).toEqual(namesOf(SqsDlqRedriveOutputs).sort());
  });
});
