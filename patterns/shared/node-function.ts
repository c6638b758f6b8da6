import { Duration, RemovalPolicy } from "aws-cdk-lib";
import type { ISecurityGroup, IVpc, SubnetSelection } from "aws-cdk-lib/aws-ec2";
import { Policy, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import { type BundlingOptions, NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { acknowledgeNag } from "./nag.js";
import { LAMBDA_ARCHITECTURE, LAMBDA_BUNDLING, LAMBDA_RUNTIME } from "./runtime.js";

/** Props of {@link PatternFunction}: one Node.js Lambda function bundled from a TypeScript entry. */
export interface PatternFunctionProps {
  /** Path of the handler's TypeScript entry file (exports `handler`). */
  readonly entry: string;
  /**
   * Maximum run time of one invocation.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Memory (and so CPU share) in MB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Environment variables, merged over the pattern's own.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Retention of the function's log group, created explicitly so it is visible to cdk-nag and
   * deleted with the stack's retention rules instead of living forever.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Reserved concurrency, a hard cap on concurrent executions of this function.
   * @default - unreserved (shares the account's pool)
   */
  readonly reservedConcurrentExecutions?: number;
  /** Description shown in the Lambda console. @default - none */
  readonly description?: string;
  /**
   * Run in this VPC (the role then needs the ENI actions: the caller grants them).
   * @default - not in a VPC
   */
  readonly vpc?: IVpc;
  /** Subnets, with `vpc`. @default - the VPC's private subnets */
  readonly vpcSubnets?: SubnetSelection;
  /** Security groups, with `vpc`. @default - a new group */
  readonly securityGroups?: ISecurityGroup[];
  /** Bundling options merged over the project's {@link LAMBDA_BUNDLING}. @default - none */
  readonly bundling?: BundlingOptions;
}

/**
 * A Lambda function with the project's one runtime (Node.js 24, arm64, local esbuild bundling),
 * active X-Ray tracing, an explicit log group with retention, and a role that may write only to
 * that log group (instead of the managed `AWSLambdaBasicExecutionRole`, which allows every log
 * group in the account).
 *
 * The X-Ray permissions (`xray:PutTraceSegments`, `xray:PutTelemetryRecords`, which support no
 * resource-level permissions, so `Resource: *`) live in a policy of their own, `TracingPolicy`, and
 * only that policy's `AwsSolutions-IAM5[Resource::*]` finding is acknowledged. CDK would put them in
 * the role's default policy, where one acknowledgement would also hide every later grant on `*`.
 */
export class PatternFunction extends Construct {
  /** Default timeout of every pattern function. */
  static readonly DEFAULT_TIMEOUT = Duration.seconds(30);
  /** Default memory of every pattern function, in MB. */
  static readonly DEFAULT_MEMORY_MB = 256;

  /** The function. */
  public readonly function: NodejsFunction;
  /** Its log group. */
  public readonly logGroup: LogGroup;
  /** Its execution role. */
  public readonly role: Role;
  /** The role's X-Ray permissions (the only statement on `Resource: *`). */
  public readonly tracingPolicy: Policy;

  constructor(scope: Construct, id: string, props: PatternFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, "LogGroup", {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, "Role", { assumedBy: new ServicePrincipal("lambda.amazonaws.com") });
    this.logGroup.grantWrite(this.role);
    this.function = new NodejsFunction(this, "Function", {
      role: this.role,
      entry: props.entry,
      handler: "handler",
      runtime: LAMBDA_RUNTIME,
      architecture: LAMBDA_ARCHITECTURE,
      bundling: { ...LAMBDA_BUNDLING, ...props.bundling },
      timeout: props.timeout ?? PatternFunction.DEFAULT_TIMEOUT,
      memorySize: props.memorySize ?? PatternFunction.DEFAULT_MEMORY_MB,
      environment: { NODE_OPTIONS: "--enable-source-maps", ...props.environment },
      logGroup: this.logGroup,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      description: props.description,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
    });
    // Active tracing set on the L1, so CDK adds no X-Ray statement to the role's default policy.
    (this.function.node.defaultChild as CfnFunction).tracingConfig = { mode: "Active" };
    this.tracingPolicy = new Policy(this, "TracingPolicy", {
      roles: [this.role],
      statements: [
        new PolicyStatement({
          actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
          resources: ["*"],
        }),
      ],
    });
    this.function.node.addDependency(this.tracingPolicy);
    acknowledgeNag(
      this.tracingPolicy,
      "AwsSolutions-IAM5[Resource::*]",
      "X-Ray tracing only: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so they need Resource *",
    );
  }
}
