import type { Duration, RemovalPolicy } from "aws-cdk-lib";
import type { ISecurityGroup, IVpc, SubnetSelection } from "aws-cdk-lib/aws-ec2";
import type { StartingPosition } from "aws-cdk-lib/aws-lambda";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { ITopic } from "aws-cdk-lib/aws-sns";

/**
 * How the cluster VPC reaches the AWS services the event source and the functions in the VPC call
 * (Lambda and STS for the event source, SQS for its on-failure destination, MSK's control plane
 * for `GetBootstrapBrokers`, S3 for custom resource responses).
 */
export enum MskNetworkAccess {
  /** Interface VPC endpoints (and a free S3 gateway endpoint) in isolated subnets: no internet path at all. */
  VPC_ENDPOINTS = "VPC_ENDPOINTS",
  /** One NAT gateway in a public subnet: cheaper at one AZ's worth of hours, but an internet path. */
  NAT_GATEWAY = "NAT_GATEWAY",
  /** A given `vpc` that already has endpoints or egress: the construct adds neither. */
  PROVIDED_BY_VPC = "PROVIDED_BY_VPC",
}

/** A provisioned MSK cluster instead of MSK Serverless (always TLS, IAM auth, broker logs, one broker per AZ). */
export interface MskProvisionedClusterProps {
  /** Broker instance type. @default "kafka.m7g.large" */
  readonly instanceType?: string;
  /** Kafka version. @default "3.8.x" */
  readonly kafkaVersion?: string;
  /** EBS storage per broker, GiB. @default 100 */
  readonly volumeSizeGiB?: number;
}

/** An existing cluster the construct consumes and produces to (it creates no cluster or VPC then). */
export interface MskExistingClusterProps {
  /** The cluster's ARN (`arn:…:kafka:…:cluster/<name>/<uuid>`); topic and group ARNs are derived from it. */
  readonly clusterArn: string;
  /**
   * The cluster's security group: the construct adds ingress on 9098 from its producer and topic
   * administrator; the event source uses this group itself, so it must admit itself on 9098.
   */
  readonly securityGroup: ISecurityGroup;
}

/** The topic the construct creates (custom resource) and streams through. */
export interface MskTopicProps {
  /** Topic name. @default "events" */
  readonly name?: string;
  /** Partitions; can only grow. @default 6 */
  readonly partitions?: number;
  /** `retention.ms` of the topic. @default Duration.days(7) */
  readonly retention?: Duration;
}

/** A function of the construct bundled from a TypeScript entry. */
export interface MskFunctionProps {
  /** TypeScript entry of the handler. */
  readonly entry?: string;
  /** Function timeout. */
  readonly timeout?: Duration;
  /** Memory in MB. @default 256 */
  readonly memorySize?: number;
  /** Extra environment, merged over the construct's own. @default - none */
  readonly environment?: Record<string, string>;
  /** Reserved concurrency. @default - unreserved */
  readonly reservedConcurrentExecutions?: number;
}

/** The event source mapping's settings: every error control is on and bounded. */
export interface MskEventSourceProps {
  /** Records per invocation (1-10,000). @default 100 */
  readonly batchSize?: number;
  /** Time to gather a batch (0-300 s). @default Duration.seconds(1) */
  readonly maxBatchingWindow?: Duration;
  /** Where a new consumer group starts. @default StartingPosition.TRIM_HORIZON */
  readonly startingPosition?: StartingPosition;
  /**
   * Retries of a failing batch (0-10,000) before its records go to the on-failure queue. −1
   * (infinite, Lambda's default) is rejected: it blocks the partition until the record expires.
   * @default 3
   */
  readonly retryAttempts?: number;
  /** Records older than this are not retried but sent to the on-failure queue (60 s-7 days). @default Duration.hours(6) */
  readonly maxRecordAge?: Duration;
  /** Split a failing batch in two and retry each half. @default true */
  readonly bisectBatchOnError?: boolean;
  /**
   * Provisioned pollers (required for every error control above); `false` asks for on-demand
   * pollers, which validation rejects because the error controls would fail at deploy.
   * @default { minimumPollers: 1, maximumPollers: 3 }
   */
  readonly provisionedPollers?:
    | { readonly minimumPollers?: number; readonly maximumPollers?: number }
    | false;
  /**
   * Consumer group ID (cannot change after creation); it scopes the group grants.
   * @default - `<stack name>-<construct id>`, stable across deployments
   */
  readonly consumerGroupId?: string;
}

/** Props of {@link MskLambdaStream}. */
export interface MskLambdaStreamProps {
  /** VPC of the cluster and of the functions that talk to it. @default - a new VPC, private subnets in 3 AZs */
  readonly vpc?: IVpc;
  /** Subnets of the cluster and functions. @default - the VPC's private (isolated or with egress) subnets */
  readonly vpcSubnets?: SubnetSelection;
  /** How the VPC reaches AWS services. @default MskNetworkAccess.VPC_ENDPOINTS (PROVIDED_BY_VPC with an existing cluster) */
  readonly networkAccess?: MskNetworkAccess;
  /** A provisioned cluster instead of MSK Serverless. @default - MSK Serverless (IAM auth) */
  readonly provisionedCluster?: MskProvisionedClusterProps;
  /** Use an existing cluster (requires `vpc`). @default - a new cluster */
  readonly existingCluster?: MskExistingClusterProps;
  /** The topic. @default "events", 6 partitions, 7 days */
  readonly topic?: MskTopicProps;
  /** The producer function. @default functions/msk-lambda-stream/producer.ts, 30 s */
  readonly producer?: MskFunctionProps;
  /** The consumer function (outside the VPC: the event source reaches the brokers, not the function). */
  readonly consumer: MskFunctionProps & { readonly entry: string };
  /** The event source. @default see {@link MskEventSourceProps} */
  readonly eventSource?: MskEventSourceProps;
  /** Retention of the on-failure queue. @default Duration.days(14) */
  readonly failureRetentionPeriod?: Duration;
  /** OffsetLag that raises the lag alarm. @default 1000 */
  readonly offsetLagAlarmThreshold?: number;
  /** Age of the on-failure queue's oldest message that raises its alarm. @default Duration.days(1) */
  readonly failureAgeAlarmThreshold?: Duration;
  /** Topic notified by every alarm. @default - alarms without actions */
  readonly alarmTopic?: ITopic;
  /** Log retention of the functions, broker logs and flow logs. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** Removal policy of the on-failure queue's KMS key. @default RemovalPolicy.RETAIN */
  readonly keyRemovalPolicy?: RemovalPolicy;
  /** Entry of the topic administrator (custom resource handler). @default functions/msk-lambda-stream/topic-admin.ts */
  readonly topicAdminEntry?: string;
}
