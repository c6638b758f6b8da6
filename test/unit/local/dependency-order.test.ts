// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub templates, not JS template strings
import { describe, expect, it } from "vitest";
import { DependencyCycleError, dependencyWaves } from "../../../tools/local/dependency-order.ts";
import type { TemplateResource } from "../../../tools/local/template.ts";

const waves = (resources: Record<string, TemplateResource>) =>
  dependencyWaves(new Map(Object.entries(resources)));

describe("dependency order of a template", () => {
  it("puts every resource after what it references by Ref, GetAtt, Sub and DependsOn", () => {
    const order = waves({
      LogGroup: {
        Type: "AWS::Logs::LogGroup",
        Properties: { LogGroupName: { "Fn::Sub": "/aws/lambda/${Fn}" } },
      },
      Fn: {
        Type: "AWS::Lambda::Function",
        Properties: { Role: { "Fn::GetAtt": ["Role", "Arn"] } },
        DependsOn: ["Policy"],
      },
      Queue: {
        Type: "AWS::SQS::Queue",
        Properties: { RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": "Dlq.Arn" } } },
      },
      Policy: {
        Type: "AWS::IAM::Policy",
        Properties: { Roles: [{ Ref: "Role" }], Region: { Ref: "AWS::Region" } },
      },
      Dlq: { Type: "AWS::SQS::Queue" },
      Role: { Type: "AWS::IAM::Role" },
    });
    expect(order).toEqual([["Dlq", "Role"], ["Queue", "Policy"], ["Fn"], ["LogGroup"]]);
  });

  it("ignores ${!Literal} escapes and references to parameters or pseudo parameters", () => {
    const order = waves({
      A: { Type: "T", Properties: { Name: { "Fn::Sub": ["${!B}-${AWS::StackName}-${X}", { X: "x" }] } } },
      B: { Type: "T" },
    });
    expect(order).toEqual([["A", "B"]]);
  });

  it("refuses a cycle, naming the resources in it", () => {
    expect(() =>
      waves({ A: { Type: "T", Properties: { P: { Ref: "B" } } }, B: { Type: "T", DependsOn: "A" } }),
    ).toThrow(DependencyCycleError);
  });
});
