import { Fn, RemovalPolicy, Stack, Token } from "aws-cdk-lib";
import {
  FlowLogDestination,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpointAwsService,
  type ISecurityGroup,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from "aws-cdk-lib/aws-ec2";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { MSK_STREAM_LIMITS as L } from "./defaults.js";
import { MskNetworkAccess } from "./props.js";

/** The network of a {@link MskLambdaStream}. */
export interface MskNetwork {
  readonly vpc: IVpc;
  readonly subnets: SubnetSelection;
  /** The cluster's group; the Kafka event source's pollers use it too, so it admits itself on 9098. */
  readonly clusterSecurityGroup: ISecurityGroup;
  readonly producerSecurityGroup: SecurityGroup;
  readonly topicAdminSecurityGroup: SecurityGroup;
  /** The interface endpoints' group (only with {@link MskNetworkAccess.VPC_ENDPOINTS}). */
  readonly endpointSecurityGroup?: SecurityGroup;
}

/** The interface endpoints the event source and the VPC functions need (a gateway endpoint for S3 is added too). */
export const INTERFACE_ENDPOINTS = {
  /** The event source invokes the consumer through Lambda's API from the cluster VPC. */
  Lambda: InterfaceVpcEndpointAwsService.LAMBDA,
  /** The event source assumes the consumer's execution role. */
  Sts: InterfaceVpcEndpointAwsService.STS,
  /** The on-failure destination is an SQS queue. */
  Sqs: InterfaceVpcEndpointAwsService.SQS,
  /** The producer and topic administrator call `GetBootstrapBrokers`. */
  Kafka: InterfaceVpcEndpointAwsService.KAFKA,
} as const;

/**
 * Three AZs even in an environment-agnostic stack (where `Stack.availabilityZones` offers only two):
 * `Fn::GetAZs` tokens resolve at deploy time in the target region.
 */
function threeAzs(scope: Construct): { availabilityZones?: string[]; maxAzs?: number } {
  const stack = Stack.of(scope);
  if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
    return { availabilityZones: [0, 1, 2].map((i) => Fn.select(i, Fn.getAzs())) };
  }
  return { maxAzs: 3 };
}

/**
 * The VPC (given, or new with private subnets in 3 AZs and flow logs), the security groups (each
 * admits 9098 only from named groups, never from a CIDR) and the VPC endpoints.
 */
export function createNetwork(
  scope: Construct,
  options: {
    vpc?: IVpc;
    vpcSubnets?: SubnetSelection;
    access: MskNetworkAccess;
    existingClusterSecurityGroup?: ISecurityGroup;
    logRetention?: RetentionDays;
  },
): MskNetwork {
  const nat = options.access === MskNetworkAccess.NAT_GATEWAY;
  let vpc = options.vpc;
  if (!vpc) {
    const flowLogs = new LogGroup(scope, "FlowLogs", {
      retention: options.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    vpc = new Vpc(scope, "Vpc", {
      ...threeAzs(scope),
      natGateways: nat ? 1 : 0,
      subnetConfiguration: nat
        ? [
            { name: "Public", subnetType: SubnetType.PUBLIC, cidrMask: 24 },
            { name: "Kafka", subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
          ]
        : [{ name: "Kafka", subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 22 }],
      flowLogs: { All: { destination: FlowLogDestination.toCloudWatchLogs(flowLogs) } },
    });
  }
  const subnets = options.vpcSubnets ?? {
    subnetType: options.vpc
      ? SubnetType.PRIVATE_WITH_EGRESS
      : nat
        ? SubnetType.PRIVATE_WITH_EGRESS
        : SubnetType.PRIVATE_ISOLATED,
  };

  const group = (id: string, description: string) =>
    new SecurityGroup(scope, id, { vpc, description, allowAllOutbound: false });
  const clusterSecurityGroup =
    options.existingClusterSecurityGroup ??
    group(
      "ClusterSecurityGroup",
      "MSK brokers and the Kafka event source pollers: 9098 from named groups only",
    );
  const producerSecurityGroup = group(
    "ProducerSecurityGroup",
    "The producer function: out to the brokers and AWS APIs",
  );
  const topicAdminSecurityGroup = group(
    "TopicAdminSecurityGroup",
    "The topic administrator: out to the brokers and AWS APIs",
  );

  const kafka = Port.tcp(L.iamPort);
  // Pollers of the event source run with the cluster's own group: it admits itself.
  for (const [client, label] of [
    [clusterSecurityGroup, "the Kafka event source pollers (the cluster group itself)"],
    [producerSecurityGroup, "the producer"],
    [topicAdminSecurityGroup, "the topic administrator"],
  ] as const) {
    clusterSecurityGroup.addIngressRule(client, kafka, `Kafka (IAM auth) from ${label}`);
    client.addEgressRule(clusterSecurityGroup, kafka, "Kafka (IAM auth) to the brokers");
  }

  let endpointSecurityGroup: SecurityGroup | undefined;
  const clients = [clusterSecurityGroup, producerSecurityGroup, topicAdminSecurityGroup];
  if (options.access === MskNetworkAccess.VPC_ENDPOINTS) {
    endpointSecurityGroup = group(
      "EndpointSecurityGroup",
      "Interface VPC endpoints: HTTPS from the Kafka clients only",
    );
    for (const client of clients) {
      endpointSecurityGroup.addIngressRule(client, Port.HTTPS, "HTTPS to AWS APIs from a Kafka client");
    }
    for (const [id, service] of Object.entries(INTERFACE_ENDPOINTS)) {
      vpc.addInterfaceEndpoint(`${id}Endpoint`, {
        service,
        subnets,
        securityGroups: [endpointSecurityGroup],
        open: false,
        privateDnsEnabled: true,
      });
    }
    // Custom resource responses are PUT to a pre-signed S3 URL: a gateway endpoint costs nothing.
    vpc.addGatewayEndpoint("S3Endpoint", { service: GatewayVpcEndpointAwsService.S3, subnets: [subnets] });
  }
  // Egress only, never ingress from a CIDR: in isolated subnets HTTPS reaches nothing but the
  // endpoints and the S3 gateway (the S3 prefix list ID has no CloudFormation intrinsic); with a
  // NAT gateway or a given VPC it reaches the AWS APIs that way.
  for (const client of clients) client.addEgressRule(Peer.anyIpv4(), Port.HTTPS, "HTTPS to AWS APIs");
  return {
    vpc,
    subnets,
    clusterSecurityGroup,
    producerSecurityGroup,
    topicAdminSecurityGroup,
    endpointSecurityGroup,
  };
}
