/**
 * The subset of a CloudFormation template (as synthesized by the CDK into `cdk.out`) the embedded
 * local cloud reads. Values are JSON with intrinsic functions left in place.
 */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** One resource of a template: its type, properties and the CloudFormation resource options we honour. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
  readonly Condition?: string;
  readonly DependsOn?: string | string[];
  readonly Metadata?: Record<string, Json>;
}

/** A template parameter; CDK stacks only declare `BootstrapVersion` (an SSM parameter) by default. */
export interface TemplateParameter {
  readonly Type: string;
  readonly Default?: Json;
}

/** A stack output: its value may be any intrinsic expression. */
export interface TemplateOutput {
  readonly Value: Json;
  readonly Description?: string;
  readonly Condition?: string;
}

/** A synthesized CloudFormation template. */
export interface Template {
  readonly Resources: Record<string, TemplateResource>;
  readonly Parameters?: Record<string, TemplateParameter>;
  readonly Conditions?: Record<string, Json>;
  readonly Mappings?: Record<string, Record<string, Record<string, Json>>>;
  readonly Outputs?: Record<string, TemplateOutput>;
  readonly Rules?: Record<string, Json>;
}

/** True when `value` is a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
