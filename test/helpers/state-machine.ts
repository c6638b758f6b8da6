/**
 * Reads a state machine's definition out of a synthesized template, with its deploy-time tokens
 * (`Ref`, `Fn::GetAtt`, pseudo parameters) replaced by stand-ins that look like what CloudFormation
 * would put there, so tests can assert on plain ASL and validate it with asl-validator.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One state of an ASL definition, as tests read it. */
export interface AslState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly ResultPath?: string | null;
  readonly TimeoutSeconds?: number;
  readonly Parameters?: Record<string, Json>;
  readonly Retry?: {
    ErrorEquals: string[];
    IntervalSeconds?: number;
    MaxAttempts?: number;
    BackoffRate?: number;
    MaxDelaySeconds?: number;
    JitterStrategy?: string;
  }[];
  readonly Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string | null }[];
  readonly Error?: string;
  readonly ErrorPath?: string;
  readonly CausePath?: string;
}

/** An ASL definition. */
export interface AslDefinition {
  readonly StartAt: string;
  readonly QueryLanguage?: string;
  readonly TimeoutSeconds?: number;
  readonly States: Record<string, AslState>;
}

type Resources = Record<string, { Type: string; Properties?: Json }>;

function standIn(value: Json, resources: Resources): string {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    if ("Ref" in value) {
      const ref = String(value.Ref);
      if (ref === "AWS::Partition") return "aws";
      if (ref === "AWS::Region") return "us-east-1";
      if (ref === "AWS::AccountId") return "123456789012";
      if (ref === "AWS::URLSuffix") return "amazonaws.com";
      return resources[ref]?.Type === "AWS::SNS::Topic" ? `arn:aws:sns:us-east-1:123456789012:${ref}` : ref;
    }
    if ("Fn::GetAtt" in value) {
      const [logicalId, attribute] = value["Fn::GetAtt"] as [string, string];
      const type = resources[logicalId]?.Type;
      if (attribute === "Arn" && type === "AWS::Lambda::Function") {
        return `arn:aws:lambda:us-east-1:123456789012:function:${logicalId}`;
      }
      if (attribute === "Arn" && type === "AWS::DynamoDB::Table") {
        return `arn:aws:dynamodb:us-east-1:123456789012:table/${logicalId}`;
      }
      return `${logicalId}.${attribute}`;
    }
    if ("Fn::Join" in value) {
      const [separator, parts] = value["Fn::Join"] as [string, Json[]];
      return parts.map((part) => standIn(part, resources)).join(separator);
    }
  }
  if (typeof value === "string") return value;
  throw new Error(`unsupported token in a definition: ${JSON.stringify(value)}`);
}

/**
 * The definition of a template's state machine: the one whose logical ID contains `logicalIdPart`, else
 * the only one that is not an SfnSaga resume state machine.
 */
export function definitionOf(template: { Resources: Resources }, logicalIdPart?: string): AslDefinition {
  const machines = Object.entries(template.Resources).filter(
    ([id, r]) =>
      r.Type === "AWS::StepFunctions::StateMachine" &&
      (logicalIdPart === undefined ? !id.includes("ResumeStateMachine") : id.includes(logicalIdPart)),
  );
  if (machines.length !== 1) throw new Error(`expected one state machine, found ${machines.length}`);
  const properties = (machines[0] as unknown as [string, { Properties: { DefinitionString: Json } }])[1]
    .Properties;
  return JSON.parse(standIn(properties.DefinitionString, template.Resources)) as AslDefinition;
}
