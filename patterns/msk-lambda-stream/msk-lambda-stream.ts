import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Aspects, CustomResource, Duration, Names, Stack } from "aws-cdk-lib";
import { type Alarm, ComparisonOperator, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { IVpc } from "aws-cdk-lib/aws-ec2";
import { type IGrantable, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Key } from "aws-cdk-lib/aws-kms";
import {
  type DlqDestinationConfig,
  type IEventSourceDlq,
  type IEventSourceMapping,
  type IFunction,
  StartingPosition,
} from "aws-cdk-lib/aws-lambda";
import { ManagedKafkaEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { IDEMPOTENCY_EXPIRES_AFTER_SECONDS } from "../shared/idempotency-window.js";
import { createKey } from "../shared/kms.js";
import { acknowledgeNag } from "../shared/nag.js";
import { PatternFunction } from "../shared/node-function.js";
import { dlqDepthAlarm, messageAgeAlarm } from "../shared/queue-alarms.js";
import { validateProps } from "../shared/validation.js";
import { createCluster, dataPlaneArns, type MskClusterRef } from "./cluster.js";
import { MskClusterAuthRule } from "./cluster-auth-rule.js";
import { MSK_STREAM_DEFAULTS as D } from "./defaults.js";
import { createNetwork, type MskNetwork } from "./network.js";
import type { MskLambdaStreamProps } from "./props.js";
import { MSK_STREAM_RULES, networkAccess, pollers } from "./validate.js";

const FUNCTIONS = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "functions", "msk-lambda-stream");
/** The default producer entry (the construct references the path only, never the code). */
export const DEFAULT_PRODUCER_ENTRY = join(FUNCTIONS, "producer.ts");
/** The default topic administrator entry (custom resource handler). */
export const DEFAULT_TOPIC_ADMIN_ENTRY = join(FUNCTIONS, "topic-admin.ts");

/**
 * The IAM data-plane actions each role gets, scoped to the cluster, topic and group ARNs. CDK's
 * `ManagedKafkaEventSource` adds none of the `kafka-cluster:*` ones (PITFALLS, Kafka / MSK).
 */
export const KAFKA_ACTIONS = {
  /** The event source's pollers, which run with the consumer's execution role. */
  eventSource: {
    cluster: [
      "kafka-cluster:Connect",
      "kafka-cluster:DescribeClusterDynamicConfiguration",
      "kafka:DescribeClusterV2",
      "kafka:GetBootstrapBrokers",
    ],
    topic: ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"],
    group: ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"],
  },
  /** The producer: idempotent writes (`WriteDataIdempotently` is a cluster action). */
  producer: {
    cluster: ["kafka-cluster:Connect", "kafka-cluster:WriteDataIdempotently", "kafka:GetBootstrapBrokers"],
    topic: ["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"],
  },
  /** The topic administrator. */
  topicAdmin: {
    cluster: ["kafka-cluster:Connect", "kafka:GetBootstrapBrokers"],
    topic: [
      "kafka-cluster:CreateTopic",
      "kafka-cluster:DescribeTopic",
      "kafka-cluster:AlterTopic",
      "kafka-cluster:DeleteTopic",
      "kafka-cluster:DescribeTopicDynamicConfiguration",
      "kafka-cluster:AlterTopicDynamicConfiguration",
    ],
  },
} as const;

/**
 * Bundling of the two Kafka clients (producer, topic administrator): everything bundled, so the
 * MSK IAM signer runs with the @smithy/@aws-sdk versions it was tested with rather than whatever the
 * runtime ships; and @platformatic/kafka's wasm helpers from their `bundled` entry, because the
 * default one reads `../dist/native.wasm` from disk, which a bundle does not have.
 */
export const KAFKA_CLIENT_BUNDLING = {
  bundleAwsSDK: true,
  esbuildArgs: { "--alias:@platformatic/wasm-utils": "@platformatic/wasm-utils/bundled" },
} as const;

/** What a Lambda function needs to create, describe and delete its ENIs in a VPC (no resource-level permissions). */
export const ENI_ACTIONS = [
  "ec2:CreateNetworkInterface",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeSubnets",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeVpcs",
  "ec2:DeleteNetworkInterface",
  "ec2:AssignPrivateIpAddresses",
  "ec2:UnassignPrivateIpAddresses",
] as const;

/** The alarms of a {@link MskLambdaStream}. */
export interface MskLambdaStreamAlarms {
  /** The consumer group is behind the head of the topic (consumer failing, slow or stopped). */
  readonly offsetLag: Alarm;
  /** The consumer returned errors (whole-batch failures: retried, bisected, then sent to the failure queue). */
  readonly consumerErrors: Alarm;
  /** A record was skipped: its metadata is in the on-failure queue. */
  readonly failureQueueDepth: Alarm;
  /** Nobody looked at the on-failure queue; its retention will delete the only trace of the skipped offsets. */
  readonly failureQueueAge: Alarm;
}

/**
 * A Kafka stream on Amazon MSK with IAM auth, a Lambda producer and a Lambda consumer:
 * - MSK Serverless by default (a provisioned cluster, or an existing one, as options), in a VPC with
 *   private subnets in 3 AZs and flow logs; security groups admit 9098 only from the producer, the
 *   topic administrator and the event source's pollers (the cluster's own group), never a CIDR;
 *   interface VPC endpoints for Lambda, STS, SQS and MSK plus an S3 gateway endpoint (no NAT);
 * - the topic, made by a custom resource inside the VPC (CloudFormation has no Serverless topics);
 * - a producer function in the VPC (`PRODUCER_*` environment: cluster ARN and topic);
 * - the consumer behind a `ManagedKafkaEventSource` in provisioned mode with bounded retries,
 *   bisect, maximum record age, partial batch responses and an encrypted SQS on-failure queue,
 *   plus the data-plane grants CDK does not add;
 * - alarms on OffsetLag, consumer errors, and the failure queue's depth and age.
 */
export class MskLambdaStream extends Construct {
  public readonly network: MskNetwork;
  public readonly vpc: IVpc;
  /** The cluster (its ARN; the L1 resource when created here). */
  public readonly cluster: MskClusterRef;
  public readonly topicName: string;
  public readonly consumerGroupId: string;
  /** The topic custom resource. */
  public readonly topic: CustomResource;
  public readonly topicAdmin: PatternFunction;
  public readonly producer: PatternFunction;
  public readonly consumer: PatternFunction;
  public readonly eventSource: ManagedKafkaEventSource;
  /** Encrypts the on-failure queue. */
  public readonly failureKey: Key;
  /** Receives the metadata (topic, partition, offsets; no payload) of every record the event source skipped. */
  public readonly failureQueue: Queue;
  public readonly alarms: MskLambdaStreamAlarms;

  constructor(scope: Construct, id: string, props: MskLambdaStreamProps) {
    super(scope, id);
    validateProps(this, props, MSK_STREAM_RULES);
    const stack = Stack.of(this);

    this.network = createNetwork(new Construct(this, "Network"), {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      access: networkAccess(props),
      existingClusterSecurityGroup: props.existingCluster?.securityGroup,
      logRetention: props.logRetention,
    });
    this.vpc = this.network.vpc;
    this.cluster = props.existingCluster
      ? { clusterArn: props.existingCluster.clusterArn }
      : createCluster(this, {
          vpc: this.vpc,
          subnets: this.network.subnets,
          securityGroup: this.network.clusterSecurityGroup,
          provisioned: props.provisionedCluster,
          logRetention: props.logRetention,
        });
    this.topicName = props.topic?.name ?? "events";
    this.consumerGroupId =
      props.eventSource?.consumerGroupId ?? `${stack.stackName}-${Names.uniqueId(this)}`.slice(0, 200);
    const arns = dataPlaneArns(this.cluster.clusterArn, this.topicName, this.consumerGroupId);
    const inVpc = (securityGroup: MskNetwork["producerSecurityGroup"]) => ({
      vpc: this.vpc,
      vpcSubnets: this.network.subnets,
      securityGroups: [securityGroup],
    });

    // Topic administrator and the topic (custom resource, its response PUT through the S3 endpoint).
    this.topicAdmin = new PatternFunction(this, "TopicAdmin", {
      entry: props.topicAdminEntry ?? DEFAULT_TOPIC_ADMIN_ENTRY,
      timeout: D.topicAdminTimeout,
      environment: { POWERTOOLS_SERVICE_NAME: "kafka-topic-admin", CLUSTER_ARN: this.cluster.clusterArn },
      logRetention: props.logRetention,
      description: `Creates, updates and deletes the Kafka topics of ${this.node.path} (custom resource)`,
      ...inVpc(this.network.topicAdminSecurityGroup),
      bundling: KAFKA_CLIENT_BUNDLING,
    });
    grantKafka(this.topicAdmin.function, arns, KAFKA_ACTIONS.topicAdmin);
    grantEni(this.topicAdmin.function);
    this.topic = new CustomResource(this, "Topic", {
      serviceToken: this.topicAdmin.function.functionArn,
      resourceType: "Custom::KafkaTopic",
      properties: {
        ClusterArn: this.cluster.clusterArn,
        TopicName: this.topicName,
        Partitions: String(props.topic?.partitions ?? D.partitions),
        RetentionMs: String((props.topic?.retention ?? D.topicRetention).toMilliseconds()),
        // A topic of an existing cluster (and its data) outlives the stack; a cluster made here goes with it.
        DeleteOnRemoval: props.existingCluster ? "false" : "true",
      },
    });
    // The administrator must reach the brokers and the endpoints before CloudFormation calls it.
    this.topic.node.addDependency(this.node.findChild("Network"));
    if (this.cluster.resource) this.topic.node.addDependency(this.cluster.resource);

    this.producer = new PatternFunction(this, "Producer", {
      entry: props.producer?.entry ?? DEFAULT_PRODUCER_ENTRY,
      timeout: props.producer?.timeout ?? D.producerTimeout,
      memorySize: props.producer?.memorySize,
      environment: {
        POWERTOOLS_SERVICE_NAME: "kafka-producer",
        CLUSTER_ARN: this.cluster.clusterArn,
        TOPIC_NAME: this.topicName,
        ...props.producer?.environment,
      },
      reservedConcurrentExecutions: props.producer?.reservedConcurrentExecutions,
      logRetention: props.logRetention,
      description: `Publishes CloudEvents keyed by entity ID to ${this.node.path}`,
      ...inVpc(this.network.producerSecurityGroup),
      bundling: KAFKA_CLIENT_BUNDLING,
    });
    grantKafka(this.producer.function, arns, KAFKA_ACTIONS.producer);
    grantEni(this.producer.function);

    // The on-failure queue: the event source sends each skipped batch's metadata here.
    this.failureKey = createKey(
      this,
      "FailureKey",
      `Encrypts the on-failure queue of ${this.node.path}`,
      props.keyRemovalPolicy,
    );
    const failureRetention = props.failureRetentionPeriod ?? D.failureRetentionPeriod;
    this.failureQueue = new Queue(this, "FailureQueue", {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.failureKey,
      enforceSSL: true,
      retentionPeriod: failureRetention,
    });

    const consumerTimeout = props.consumer.timeout ?? D.consumerTimeout;
    this.consumer = new PatternFunction(this, "Consumer", {
      entry: props.consumer.entry,
      timeout: consumerTimeout,
      memorySize: props.consumer.memorySize,
      environment: {
        POWERTOOLS_SERVICE_NAME: "kafka-consumer",
        TOPIC_NAME: this.topicName,
        // Records live in the topic for its retention; a redelivery can come that late.
        [IDEMPOTENCY_EXPIRES_AFTER_SECONDS]: String((props.topic?.retention ?? D.topicRetention).toSeconds()),
        ...props.consumer.environment,
      },
      reservedConcurrentExecutions: props.consumer.reservedConcurrentExecutions,
      logRetention: props.logRetention,
      description: `Consumes the Kafka topic of ${this.node.path}`,
    });
    const eventSource = props.eventSource ?? {};
    const pollerConfig = pollers(props);
    this.eventSource = new ManagedKafkaEventSource({
      clusterArn: this.cluster.clusterArn,
      topic: this.topicName,
      consumerGroupId: this.consumerGroupId,
      startingPosition: eventSource.startingPosition ?? StartingPosition.TRIM_HORIZON,
      batchSize: eventSource.batchSize ?? D.batchSize,
      maxBatchingWindow: eventSource.maxBatchingWindow ?? D.maxBatchingWindow,
      retryAttempts: eventSource.retryAttempts ?? D.retryAttempts,
      maxRecordAge: eventSource.maxRecordAge ?? D.maxRecordAge,
      bisectBatchOnError: eventSource.bisectBatchOnError ?? true,
      reportBatchItemFailures: true,
      onFailure: new SqsFailureDestination(this.failureQueue, this.failureKey),
      provisionedPollerConfig: pollerConfig,
    });
    this.consumer.function.addEventSource(this.eventSource);
    // The mapping starts polling at creation: the topic must exist by then.
    const mapping = this.consumer.function.node.children.find((c) =>
      c.node.id.startsWith("KafkaEventSource:"),
    );
    mapping?.node.addDependency(this.topic);
    // The pollers run with the consumer's role and create ENIs in the cluster's subnets.
    grantKafka(this.consumer.function, arns, KAFKA_ACTIONS.eventSource);
    grantEni(this.consumer.function);

    acknowledgeFindings(this);
    Aspects.of(this).add(new MskClusterAuthRule());
    this.alarms = this.createAlarms(props);
  }

  /** Lets `grantee` (a function in this construct's VPC with the producer's security group) write to the topic. */
  public grantProduce(grantee: IGrantable): void {
    grantKafka(
      grantee,
      dataPlaneArns(this.cluster.clusterArn, this.topicName, this.consumerGroupId),
      KAFKA_ACTIONS.producer,
    );
  }

  private createAlarms(props: MskLambdaStreamProps): MskLambdaStreamAlarms {
    const fn = this.consumer.function;
    const withAction = (alarm: Alarm) => {
      if (props.alarmTopic) alarm.addAlarmAction(new SnsAction(props.alarmTopic));
      return alarm;
    };
    return {
      offsetLag: withAction(
        fn
          .metric("OffsetLag", { period: Duration.minutes(1), statistic: "Maximum" })
          .createAlarm(this, "OffsetLagAlarm", {
            alarmDescription: `${this.node.path}: the consumer group is behind the topic (consumer failing, slow, or the event source stopped)`,
            threshold: props.offsetLagAlarmThreshold ?? D.offsetLagAlarmThreshold,
            evaluationPeriods: 5,
            datapointsToAlarm: 3,
            comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          }),
      ),
      consumerErrors: withAction(
        fn
          .metricErrors({ period: Duration.minutes(1), statistic: "Sum" })
          .createAlarm(this, "ConsumerErrorsAlarm", {
            alarmDescription: `${this.node.path}: the consumer failed whole batches (retried, bisected, then skipped to the failure queue)`,
            threshold: 1,
            evaluationPeriods: 1,
            comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          }),
      ),
      failureQueueDepth: dlqDepthAlarm(
        this,
        "FailureQueueDepthAlarm",
        this.failureQueue,
        `${this.node.path}: records were skipped; their topic, partition and offsets are in the failure queue`,
        props.alarmTopic,
      ),
      failureQueueAge: messageAgeAlarm(
        this,
        "FailureQueueAgeAlarm",
        this.failureQueue,
        props.failureAgeAlarmThreshold ?? D.failureAgeAlarmThreshold,
        `${this.node.path}: the failure queue's oldest record is getting old; replay or discard it before retention deletes it`,
        props.alarmTopic,
      ),
    };
  }
}

function grantKafka(
  grantee: IGrantable,
  arns: ReturnType<typeof dataPlaneArns>,
  actions: { cluster: readonly string[]; topic: readonly string[]; group?: readonly string[] },
): void {
  const add = (list: readonly string[] | undefined, resource: string) => {
    if (list?.length)
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({ actions: [...list], resources: [resource] }),
      );
  };
  add(actions.cluster, arns.cluster);
  add(actions.topic, arns.topic);
  add(actions.group, arns.group);
}

function grantEni(grantee: IGrantable): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: [...ENI_ACTIONS], resources: ["*"] }),
  );
}

/**
 * An SQS on-failure destination granting exactly what the event source uses (`sqs:SendMessage` and
 * the key's `kms:GenerateDataKey`/`kms:Decrypt`), not `SqsDlq`'s `grantSendMessages` wildcards.
 */
class SqsFailureDestination implements IEventSourceDlq {
  constructor(
    private readonly queue: Queue,
    private readonly key: Key,
  ) {}

  bind(_target: IEventSourceMapping, targetHandler: IFunction): DlqDestinationConfig {
    this.queue.grant(targetHandler, "sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl");
    this.key.grant(targetHandler, "kms:GenerateDataKey", "kms:Decrypt");
    return { destination: this.queue.queueArn };
  }
}

/** cdk-nag findings inherent to the pattern, each with why it is acceptable. */
function acknowledgeFindings(s: MskLambdaStream): void {
  acknowledgeNag(
    s.failureQueue,
    "AwsSolutions-SQS3",
    "This queue is itself the terminal on-failure destination of the Kafka event source; a DLQ behind it would only hide skipped offsets from the depth alarm",
  );
  acknowledgeNag(
    s.failureQueue,
    "Serverless-SQSRedrivePolicy",
    "This queue is itself the terminal on-failure destination of the Kafka event source; nothing consumes it automatically, so a redrive policy has no receives to count",
  );
  acknowledgeNag(
    s.consumer.role,
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole]",
    "ManagedKafkaEventSource.bind attaches AWSLambdaMSKExecutionRole unconditionally; the scoped kafka-cluster, kafka and ENI grants the pollers need are added explicitly beside it",
  );
  for (const fn of [s.producer, s.topicAdmin]) {
    acknowledgeNag(
      fn.role,
      "AwsSolutions-IAM5[Resource::*]",
      "X-Ray (PutTraceSegments, PutTelemetryRecords) and the VPC ENI actions Lambda uses for a function in a VPC (Create/Describe/DeleteNetworkInterface, Assign/UnassignPrivateIpAddresses) support no resource-level permissions",
    );
  }
  acknowledgeNag(
    s.consumer.role,
    "AwsSolutions-IAM5[Resource::*]",
    "X-Ray (PutTraceSegments, PutTelemetryRecords) and the ENI actions the Kafka event source pollers need in the cluster VPC (Create/Describe/DeleteNetworkInterface, DescribeVpcs/Subnets/SecurityGroups) support no resource-level permissions",
  );
  acknowledgeNag(
    s.consumer.function,
    "Serverless-LambdaDLQ",
    "Invoked synchronously by the Kafka event source mapping; skipped records go to its on-failure SQS destination, a Lambda DLQ applies only to async invocations",
  );
  acknowledgeNag(
    s.producer.function,
    "Serverless-LambdaDLQ",
    "Invoked synchronously (RequestResponse) by the application, which sees every error in the response; a Lambda DLQ applies only to async invocations",
  );
  acknowledgeNag(
    s.topicAdmin.function,
    "Serverless-LambdaDLQ",
    "Invoked by CloudFormation for the topic custom resource, which reports a failure through the stack event naming the topic; a DLQ would hold requests nobody replays",
  );
}
