/**
 * The cloud-wide part of the parity table: resource types no service emulates and the embedded cloud
 * accepts as documented no-ops, and why. Each service adds its own no-ops and emulated types
 * (`services/*.ts`); the {@link ServiceRegistry} of `services/registry.ts` combines them. Any
 * resource type that is neither fails loudly at start-up with its logical ID.
 */
export interface ParityEntry {
  /** CloudFormation resource type. */
  readonly type: string;
  /** What is not emulated, in a few words. */
  readonly note: string;
}

/** Resource types that are accepted as no-ops (nothing is created; `Ref`/`Arn` still resolve). */
export const NOT_EMULATED: readonly ParityEntry[] = [
  { type: "AWS::IAM::Role", note: "IAM is not enforced: every local call is allowed" },
  { type: "AWS::IAM::Policy", note: "IAM is not enforced" },
  { type: "AWS::IAM::ManagedPolicy", note: "IAM is not enforced" },
  { type: "AWS::KMS::Key", note: "no encryption at rest; key IDs are stored, never used" },
  { type: "AWS::KMS::Alias", note: "no encryption at rest" },
  {
    type: "AWS::Logs::LogGroup",
    note: "function output goes to the terminal or .local-cloud/logs; no retention",
  },
  { type: "AWS::Logs::MetricFilter", note: "no CloudWatch metrics" },
  { type: "AWS::CloudWatch::Alarm", note: "no CloudWatch metrics or alarms" },
  { type: "AWS::CloudWatch::CompositeAlarm", note: "no CloudWatch alarms" },
  { type: "AWS::CloudWatch::Dashboard", note: "no CloudWatch dashboards" },
  { type: "AWS::CDK::Metadata", note: "CDK analytics metadata" },
  { type: "AWS::EC2::VPC", note: "no VPC networking: functions reach the emulators on 127.0.0.1" },
  { type: "AWS::EC2::Subnet", note: "no VPC networking" },
  { type: "AWS::EC2::SecurityGroup", note: "no VPC networking (security groups not enforced)" },
  { type: "AWS::EC2::SecurityGroupIngress", note: "no VPC networking" },
  { type: "AWS::EC2::SecurityGroupEgress", note: "no VPC networking" },
  { type: "AWS::EC2::RouteTable", note: "no VPC networking" },
  { type: "AWS::EC2::Route", note: "no VPC networking" },
  { type: "AWS::EC2::SubnetRouteTableAssociation", note: "no VPC networking" },
  { type: "AWS::EC2::InternetGateway", note: "no VPC networking" },
  { type: "AWS::EC2::VPCGatewayAttachment", note: "no VPC networking" },
  { type: "AWS::EC2::NatGateway", note: "no VPC networking" },
  { type: "AWS::EC2::EIP", note: "no VPC networking" },
  { type: "AWS::EC2::VPCEndpoint", note: "no VPC networking" },
  { type: "AWS::EC2::FlowLog", note: "no VPC networking" },
];

/** Semantics that differ from AWS in every service (each service lists its own gaps too). */
export const SEMANTIC_GAPS: readonly string[] = ["Quotas, throttling and billing are not emulated"];

/** The cloud-wide no-ops as the registry takes them: type → note. */
export const CLOUD_NO_OPS: Readonly<Record<string, string>> = Object.fromEntries(
  NOT_EMULATED.map((entry) => [entry.type, entry.note]),
);

/**
 * Renders the no-op resources of a template (type → logical IDs, with the registry's note for each
 * type) and the semantic gaps as aligned text lines.
 */
export function formatParity(
  present: ReadonlyMap<string, readonly string[]>,
  noteOf: (type: string) => string = (type) => CLOUD_NO_OPS[type] ?? "",
  gaps: readonly string[] = SEMANTIC_GAPS,
): string[] {
  const rows = [...present.entries()].map(([type, ids]) => ({ type, count: ids.length, note: noteOf(type) }));
  const width = Math.max(4, ...rows.map((r) => r.type.length + String(r.count).length + 3));
  const lines = rows.map((r) => `  ${`${r.type} ×${r.count}`.padEnd(width)}  ${r.note}`);
  return ["not emulated (no-ops in this template):", ...lines, ...gaps.map((gap) => `  · ${gap}`)];
}
