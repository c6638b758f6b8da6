import { describe, expect, it } from "vitest";
import { formatParity, NOT_EMULATED } from "../../../tools/local/parity.ts";
import { physicalName } from "../../../tools/local/resources/names.ts";
import { planAttributes, UnsupportedResourceError } from "../../../tools/local/resources/plan.ts";

const ctx = {
  stackName: "S",
  region: "eu-west-1",
  accountId: "000000000000",
  sqsPort: 4566,
  literal: (v: unknown) => String(v),
};

describe("resource planning", () => {
  it("gives queues CloudFormation-style names, ARNs and fauxqs URLs, keeping .fifo", () => {
    const plan = planAttributes(
      "Orders1234ABCD",
      { Type: "AWS::SQS::Queue", Properties: { FifoQueue: true } },
      ctx,
    );
    expect(plan.attributes.QueueName).toMatch(/^S-Orders1234ABCD-[0-9A-F]{12}\.fifo$/);
    expect(plan.ref).toBe(`http://sqs.eu-west-1.localhost:4566/000000000000/${plan.attributes.QueueName}`);
    expect(plan.attributes.Arn).toBe(`arn:aws:sqs:eu-west-1:000000000000:${plan.attributes.QueueName}`);
  });

  it("honours explicit names and service limits", () => {
    expect(
      planAttributes("T", { Type: "AWS::DynamoDB::Table", Properties: { TableName: "orders" } }, ctx).ref,
    ).toBe("orders");
    const name = physicalName("AVeryLongStackNameIndeed".repeat(3), "AVeryLongLogicalId".repeat(4), 64);
    expect(name.length).toBeLessThanOrEqual(64);
    expect(physicalName("S", "A", 64)).toBe(physicalName("S", "A", 64));
    expect(physicalName("S", "A", 64)).not.toBe(physicalName("S", "B", 64));
  });

  it("accepts parity-table types as no-ops and fails loudly on unknown types with logical ID and type", () => {
    for (const { type } of NOT_EMULATED) expect(() => planAttributes("X", { Type: type }, ctx)).not.toThrow();
    expect(() => planAttributes("Bucket83908E77", { Type: "AWS::S3::Bucket" }, ctx)).toThrow(
      UnsupportedResourceError,
    );
    expect(() => planAttributes("Bucket83908E77", { Type: "AWS::S3::Bucket" }, ctx)).toThrow(
      /Bucket83908E77 \(AWS::S3::Bucket\)/,
    );
  });

  it("renders the parity table for the types present", () => {
    const lines = formatParity(new Map([["AWS::IAM::Role", ["A", "B"]]]));
    expect(lines.join("\n")).toMatch(/AWS::IAM::Role ×2\s+IAM is not enforced/);
  });
});
