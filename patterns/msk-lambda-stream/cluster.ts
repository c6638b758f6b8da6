import { Fn, Names, RemovalPolicy } from "aws-cdk-lib";
import type { ISecurityGroup, IVpc, SubnetSelection } from "aws-cdk-lib/aws-ec2";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { CfnCluster, CfnServerlessCluster } from "aws-cdk-lib/aws-msk";
import type { Construct } from "constructs";
import { MSK_STREAM_DEFAULTS as D } from "./defaults.js";
import type { MskProvisionedClusterProps } from "./props.js";

/** The cluster a {@link MskLambdaStream} created (or was given). */
export interface MskClusterRef {
  readonly clusterArn: string;
  /** The L1 resource, unless an existing cluster was given. */
  readonly resource?: CfnServerlessCluster | CfnCluster;
  /** Broker logs of a provisioned cluster. */
  readonly brokerLogs?: LogGroup;
}

/**
 * An MSK Serverless cluster (IAM auth is its only mode), or a provisioned cluster with TLS between
 * clients and brokers and inside the cluster, IAM auth on, unauthenticated access off, broker logs
 * to CloudWatch and one broker per subnet's AZ.
 */
export function createCluster(
  scope: Construct,
  options: {
    vpc: IVpc;
    subnets: SubnetSelection;
    securityGroup: ISecurityGroup;
    provisioned?: MskProvisionedClusterProps;
    logRetention?: RetentionDays;
  },
): MskClusterRef {
  const subnetIds = options.vpc.selectSubnets(options.subnets).subnetIds;
  // MSK cluster names: 1-64 characters of [a-zA-Z0-9-], unique per account and region.
  const clusterName = Names.uniqueResourceName(scope, { maxLength: 64, separator: "-" }).replace(
    /[^a-zA-Z0-9-]/g,
    "-",
  );
  if (!options.provisioned) {
    const resource = new CfnServerlessCluster(scope, "Cluster", {
      clusterName,
      clientAuthentication: { sasl: { iam: { enabled: true } } },
      vpcConfigs: [{ subnetIds, securityGroups: [options.securityGroup.securityGroupId] }],
    });
    return { clusterArn: resource.attrArn, resource };
  }
  const brokerLogs = new LogGroup(scope, "BrokerLogs", {
    retention: options.logRetention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const resource = new CfnCluster(scope, "Cluster", {
    clusterName,
    kafkaVersion: options.provisioned.kafkaVersion ?? D.kafkaVersion,
    numberOfBrokerNodes: subnetIds.length,
    brokerNodeGroupInfo: {
      instanceType: options.provisioned.instanceType ?? D.brokerInstanceType,
      clientSubnets: subnetIds,
      securityGroups: [options.securityGroup.securityGroupId],
      storageInfo: {
        ebsStorageInfo: { volumeSize: options.provisioned.volumeSizeGiB ?? D.brokerVolumeSizeGiB },
      },
    },
    clientAuthentication: { sasl: { iam: { enabled: true } }, unauthenticated: { enabled: false } },
    encryptionInfo: { encryptionInTransit: { clientBroker: "TLS", inCluster: true } },
    loggingInfo: { brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: brokerLogs.logGroupName } } },
    enhancedMonitoring: "PER_TOPIC_PER_BROKER",
  });
  return { clusterArn: resource.attrArn, resource, brokerLogs };
}

/**
 * The data-plane ARNs IAM access control checks, derived from the cluster ARN
 * (`arn:…:kafka:<region>:<account>:cluster/<name>/<uuid>`): topics are
 * `…:topic/<name>/<uuid>/<topic>` and consumer groups `…:group/<name>/<uuid>/<group>`.
 */
export function dataPlaneArns(clusterArn: string, topic: string, groupId: string) {
  const parts = Fn.split(":cluster/", clusterArn, 2);
  const prefix = Fn.select(0, parts);
  const nameAndUuid = Fn.select(1, parts);
  return {
    cluster: clusterArn,
    topic: Fn.join("", [prefix, ":topic/", nameAndUuid, "/", topic]),
    group: Fn.join("", [prefix, ":group/", nameAndUuid, "/", groupId]),
  };
}
