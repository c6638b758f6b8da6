import { describe, expect, it } from "vitest";
import { formatParity, NOT_EMULATED } from "../../../tools/local/parity.ts";
import { physicalName } from "../../../tools/local/resources/names.ts";
import { planNoOp, UnsupportedResourceError } from "../../../tools/local/resources/plan.ts";
import { builtInServices, registryOf } from "../../../tools/local/services/index.ts";

const ctx = {
  stackName: "S",
  region: "eu-west-1",
  accountId: "000000000000",
  literal: (v: unknown) => String(v),
};
const registry = registryOf(builtInServices().services);
const plan = (logicalId: string, resource: { Type: string; Properties?: Record<string, never> }) => {
  const decision = registry.require(logicalId, resource.Type);
  return decision.kind === "emulated"
    ? decision.handler.plan(logicalId, resource, ctx)
    : planNoOp(logicalId, resource, ctx);
};

describe("resource planning", () => {
  it("gives queues CloudFormation-style names, ARNs and fauxqs URLs, keeping .fifo", () => {
    const planned = plan("Orders1234ABCD", {
      Type: "AWS::SQS::Queue",
      Properties: { FifoQueue: true } as unknown as Record<string, never>,
    });
    expect(planned.attributes.QueueName).toMatch(/^S-Orders1234ABCD-[0-9A-F]{12}\.fifo$/);
    expect(planned.ref).toMatch(
      new RegExp(`^http://sqs\\.eu-west-1\\.localhost:\\d+/000000000000/${planned.attributes.QueueName}$`),
    );
    expect(planned.attributes.Arn).toBe(`arn:aws:sqs:eu-west-1:000000000000:${planned.attributes.QueueName}`);
  });

  it("honours explicit names and service limits", () => {
    expect(
      plan("T", {
        Type: "AWS::DynamoDB::Table",
        Properties: { TableName: "orders" } as unknown as Record<string, never>,
      }).ref,
    ).toBe("orders");
    const name = physicalName("AVeryLongStackNameIndeed".repeat(3), "AVeryLongLogicalId".repeat(4), 64);
    expect(name.length).toBeLessThanOrEqual(64);
    expect(physicalName("S", "A", 64)).toBe(physicalName("S", "A", 64));
    expect(physicalName("S", "A", 64)).not.toBe(physicalName("S", "B", 64));
  });

  it("accepts parity-table types as no-ops and fails loudly on unknown types with logical ID, type and what to do", () => {
    for (const { type } of NOT_EMULATED) {
      expect(registry.decide(type).kind).toBe("no-op");
      expect(() => plan("X", { Type: type })).not.toThrow();
    }
    for (const type of ["AWS::SQS::QueuePolicy", "AWS::Lambda::Permission"]) {
      expect(registry.decide(type).kind).toBe("no-op");
    }
    expect(() => plan("Bucket83908E77", { Type: "AWS::S3::Bucket" })).toThrow(UnsupportedResourceError);
    expect(() => plan("Bucket83908E77", { Type: "AWS::S3::Bucket" })).toThrow(
      /Bucket83908E77 \(AWS::S3::Bucket\).*add a LocalService/,
    );
  });

  it("renders the parity table for the types present", () => {
    const lines = formatParity(new Map([["AWS::IAM::Role", ["A", "B"]]]));
    expect(lines.join("\n")).toMatch(/AWS::IAM::Role ×2\s+IAM is not enforced/);
  });
});
