// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub templates, not JavaScript ones
import { describe, expect, it } from "vitest";
import {
  IntrinsicError,
  IntrinsicResolver,
  type ResourceAttributes,
} from "../../../tools/local/intrinsics.ts";
import type { Json, Template } from "../../../tools/local/template.ts";

const template: Template = {
  Resources: { Queue: { Type: "AWS::SQS::Queue" }, Table: { Type: "AWS::DynamoDB::Table" } },
  Parameters: {
    BootstrapVersion: { Type: "String", Default: "/cdk-bootstrap/version" },
    Stage: { Type: "String" },
  },
  Conditions: {
    InEurope: { "Fn::Equals": [{ Ref: "AWS::Region" }, "eu-west-1"] },
    NotEurope: { "Fn::Not": [{ Condition: "InEurope" }] },
    Both: { "Fn::And": [{ Condition: "NotEurope" }, { "Fn::Equals": ["a", "a"] }] },
    Either: { "Fn::Or": [{ Condition: "InEurope" }, { "Fn::Equals": [1, 2] }] },
  },
  Mappings: { Sizes: { small: { memory: 128 } } },
};
const resources = new Map<string, ResourceAttributes>([
  [
    "Queue",
    { ref: "http://sqs/q", attributes: { Arn: "arn:aws:sqs:us-east-1:000000000000:q", QueueName: "q" } },
  ],
  ["Table", { ref: "t", attributes: { Arn: "arn:aws:dynamodb:us-east-1:000000000000:table/t" } }],
]);
const resolver = new IntrinsicResolver(
  template,
  { region: "us-east-1", accountId: "000000000000", stackName: "S" },
  resources,
  { Stage: "dev" },
);
const resolve = (value: Json) => resolver.resolve(value);

describe("IntrinsicResolver", () => {
  it("resolves Ref to resources, parameters (value or default) and pseudo parameters", () => {
    expect(resolve({ Ref: "Queue" })).toBe("http://sqs/q");
    expect(resolve({ Ref: "Stage" })).toBe("dev");
    expect(resolve({ Ref: "BootstrapVersion" })).toBe("/cdk-bootstrap/version");
    expect(resolve({ Ref: "AWS::Region" })).toBe("us-east-1");
    expect(resolve({ Ref: "AWS::AccountId" })).toBe("000000000000");
    expect(resolve({ Ref: "AWS::StackName" })).toBe("S");
    expect(resolve({ Ref: "AWS::Partition" })).toBe("aws");
    expect(resolve({ Ref: "AWS::URLSuffix" })).toBe("amazonaws.com");
  });

  it("resolves Fn::GetAtt in list and dotted form", () => {
    expect(resolve({ "Fn::GetAtt": ["Queue", "Arn"] })).toBe("arn:aws:sqs:us-east-1:000000000000:q");
    expect(resolve({ "Fn::GetAtt": "Queue.QueueName" })).toBe("q");
  });

  it("resolves Fn::Join, Fn::Select and Fn::Split, nested", () => {
    expect(
      resolve({ "Fn::Join": ["/", [{ Ref: "Table" }, "x", { "Fn::GetAtt": ["Queue", "QueueName"] }]] }),
    ).toBe("t/x/q");
    expect(resolve({ "Fn::Select": [5, { "Fn::Split": [":", { "Fn::GetAtt": ["Queue", "Arn"] }] }] })).toBe(
      "q",
    );
  });

  it("resolves both forms of Fn::Sub, with GetAtt references, variables and ${!Literal} escapes", () => {
    expect(resolve({ "Fn::Sub": "${AWS::Region}-${Queue}-${Queue.QueueName}-${!Literal}" })).toBe(
      "us-east-1-http://sqs/q-q-${Literal}",
    );
    expect(resolve({ "Fn::Sub": ["${Name}@${AWS::AccountId}", { Name: { Ref: "Table" } }] })).toBe(
      "t@000000000000",
    );
  });

  it("evaluates Fn::If with Fn::Equals, Fn::Not, Fn::And, Fn::Or and Condition", () => {
    expect(resolve({ "Fn::If": ["InEurope", "eu", "elsewhere"] })).toBe("elsewhere");
    expect(resolve({ "Fn::If": ["NotEurope", "yes", "no"] })).toBe("yes");
    expect(resolver.condition("Both")).toBe(true);
    expect(resolver.condition("Either")).toBe(false);
  });

  it("removes properties and list items that resolve to AWS::NoValue", () => {
    expect(
      resolve({
        keep: 1,
        drop: { "Fn::If": ["InEurope", "x", { Ref: "AWS::NoValue" }] },
        list: ["a", { Ref: "AWS::NoValue" }],
      }),
    ).toEqual({ keep: 1, list: ["a"] });
  });

  it("resolves Fn::FindInMap and Fn::Base64", () => {
    expect(resolve({ "Fn::FindInMap": ["Sizes", "small", "memory"] })).toBe(128);
    expect(resolve({ "Fn::Base64": "hi" })).toBe("aGk=");
  });

  it("fails loudly on unknown references, attributes and intrinsics, naming where", () => {
    expect(() => resolver.resolve({ Ref: "Missing" }, "Outputs.X")).toThrow(
      /Outputs.X: Ref to unknown resource or parameter Missing/,
    );
    expect(() => resolve({ "Fn::GetAtt": ["Queue", "StreamArn"] })).toThrow(
      /attribute StreamArn of Queue is not emulated/,
    );
    expect(() => resolve({ "Fn::ImportValue": "shared" })).toThrow(IntrinsicError);
    expect(() => resolve({ "Fn::Select": [3, ["a"]] })).toThrow(/out of range/);
  });
});
