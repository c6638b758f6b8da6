/**
 * The parity table: resource types the embedded cloud accepts without emulating them, and why.
 * Any resource type that is neither here nor emulated fails loudly at start-up with its logical ID.
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
  { type: "AWS::Lambda::Permission", note: "resource policies are not enforced" },
  { type: "AWS::SQS::QueuePolicy", note: "resource policies are not enforced" },
  { type: "AWS::SNS::TopicPolicy", note: "resource policies are not enforced" },
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
  {
    type: "AWS::Lambda::EventInvokeConfig",
    note: "asynchronous invocation retries and destinations are not emulated",
  },
];

/** Semantics of emulated resources that differ from AWS (reported with the table). */
export const SEMANTIC_GAPS: readonly string[] = [
  "X-Ray tracing (TracingConfig) is accepted and ignored",
  "DynamoDB TTL is recorded but items never expire; DynamoDB Streams are not emulated",
  "Lambda: reserved concurrency caps local execution environments; layers, VPC config and async retries are not emulated",
  "SQS FIFO: a receive returns at most one message per message group (fauxqs); order per group is kept",
  "SNS: delivery retry policies are not emulated; a subscription DLQ receives messages only when the subscribed queue no longer exists",
  "Quotas, throttling and billing are not emulated",
];

const byType = new Map(NOT_EMULATED.map((entry) => [entry.type, entry]));

/** The parity entry for a type, if the type is accepted as a no-op. */
export function parityEntry(type: string): ParityEntry | undefined {
  return byType.get(type);
}

/** Renders the parity table (for the types present in a template) as aligned text lines. */
export function formatParity(present: ReadonlyMap<string, readonly string[]>): string[] {
  const rows = [...present.entries()].map(([type, ids]) => ({
    type,
    count: ids.length,
    note: parityEntry(type)?.note ?? "",
  }));
  const width = Math.max(4, ...rows.map((r) => r.type.length + String(r.count).length + 3));
  const lines = rows.map((r) => `  ${`${r.type} ×${r.count}`.padEnd(width)}  ${r.note}`);
  return ["not emulated (no-ops in this template):", ...lines, ...SEMANTIC_GAPS.map((gap) => `  · ${gap}`)];
}
