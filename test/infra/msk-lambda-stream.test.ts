import { Aspects, Duration, Stack } from "aws-cdk-lib";
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import { SecurityGroup, SubnetType, Vpc } from "aws-cdk-lib/aws-ec2";
import { StartingPosition } from "aws-cdk-lib/aws-lambda";
import { ManagedKafkaEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { CfnCluster, CfnServerlessCluster } from "aws-cdk-lib/aws-msk";
import { describe, expect, it } from "vitest";
import {
  ENI_ACTIONS,
  KAFKA_ACTIONS,
  MSK_CLUSTER_AUTH_RULE,
  MskClusterAuthRule,
  MskLambdaStream,
  type MskLambdaStreamProps,
  MskNetworkAccess,
  mskClusterAuthProblems,
} from "../../patterns/msk-lambda-stream/index.js";
import { PatternFunction } from "../../patterns/shared/node-function.js";
import { createTestApp, NOOP_HANDLER } from "../helpers/app.js";

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

const ENV = { account: "123456789012", region: "eu-west-1" };

function synth(
  props: Partial<MskLambdaStreamProps> = {},
  extra?: (stack: Stack) => Partial<MskLambdaStreamProps>,
) {
  const stack = new Stack(createTestApp(), "Test", { env: ENV });
  const construct = new MskLambdaStream(stack, "Stream", {
    consumer: { entry: NOOP_HANDLER },
    ...props,
    ...extra?.(stack),
  });
  return { stack, construct, template: Template.fromStack(stack) };
}

const resources = (template: Template, type: string) =>
  Object.entries(template.findResources(type) as Record<string, Resource>);

/** Every statement of the inline policies attached to `roleLogicalId`. */
function statementsOf(template: Template, roleLogicalId: string): Statement[] {
  return resources(template, "AWS::IAM::Policy")
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleLogicalId))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const actionsOf = (statements: Statement[]) =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

/**
 * What IAC-09 requires of a Kafka event source mapping and its role; returns the problems found so the
 * same check can be shown to fail on CDK's defaults.
 */
function iac09Problems(template: Template, roleLogicalId: string): string[] {
  const problems: string[] = [];
  const mappings = resources(template, "AWS::Lambda::EventSourceMapping");
  if (mappings.length !== 1) return [`expected one event source mapping, found ${mappings.length}`];
  const m = mappings[0]?.[1].Properties ?? {};
  const retries = m.MaximumRetryAttempts as number | undefined;
  if (retries === undefined || retries < 0) problems.push("retries unbounded");
  if (m.MaximumRecordAgeInSeconds === undefined || (m.MaximumRecordAgeInSeconds as number) < 0)
    problems.push("no maxRecordAge");
  if (m.BisectBatchOnFunctionError !== true) problems.push("no bisect");
  if (!JSON.stringify(m.DestinationConfig ?? {}).includes("OnFailure"))
    problems.push("no on-failure destination");
  if (!JSON.stringify(m.FunctionResponseTypes ?? []).includes("ReportBatchItemFailures"))
    problems.push("no partial batch responses");
  if (m.ProvisionedPollerConfig === undefined) problems.push("no provisioned pollers");
  const actions = new Set(actionsOf(statementsOf(template, roleLogicalId)));
  for (const a of [
    ...KAFKA_ACTIONS.eventSource.cluster,
    ...KAFKA_ACTIONS.eventSource.topic,
    ...KAFKA_ACTIONS.eventSource.group,
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
  ]) {
    if (!actions.has(a)) problems.push(`role lacks ${a}`);
  }
  return problems;
}

describe("MskLambdaStream with defaults (MSK Serverless, VPC endpoints)", () => {
  const { template, construct, stack } = synth();
  const consumerRole = stack.getLogicalId(construct.consumer.role.node.defaultChild as never);

  it("creates an MSK Serverless cluster with IAM auth in 3 private subnets", () => {
    template.resourceCountIs("AWS::MSK::ServerlessCluster", 1);
    template.hasResourceProperties("AWS::MSK::ServerlessCluster", {
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
      VpcConfigs: [{ SubnetIds: Match.anyValue(), SecurityGroups: Match.anyValue() }],
    });
    const cluster = resources(template, "AWS::MSK::ServerlessCluster")[0]?.[1].Properties as {
      VpcConfigs: { SubnetIds: unknown[] }[];
    };
    expect(cluster.VpcConfigs[0]?.SubnetIds).toHaveLength(3);
    expect(
      resources(template, "AWS::EC2::Subnet").every(([, s]) => s.Properties.MapPublicIpOnLaunch === false),
    ).toBe(true);
    template.resourceCountIs("AWS::EC2::FlowLog", 1);
  });

  it("IAC-09: the event source has bounded retries, maxRecordAge, bisect, an on-failure queue, partial batches and provisioned pollers", () => {
    expect(iac09Problems(template, consumerRole)).toEqual([]);
    const failureQueue = stack.getLogicalId(construct.failureQueue.node.defaultChild as never);
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      MaximumRetryAttempts: 3,
      MaximumRecordAgeInSeconds: 21600,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": [failureQueue, "Arn"] } } },
      ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 3 },
      StartingPosition: "TRIM_HORIZON",
      Topics: ["events"],
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: construct.consumerGroupId },
    });
  });

  it("IAC-09 and MSK-06 counter-test: CDK's ManagedKafkaEventSource defaults fail the same check (no ReadData, no DescribeClusterV2)", () => {
    const naive = new Stack(createTestApp(), "Naive", { env: ENV });
    const fn = new PatternFunction(naive, "Fn", { entry: NOOP_HANDLER });
    fn.function.addEventSource(
      new ManagedKafkaEventSource({
        clusterArn: "arn:aws:kafka:eu-west-1:123456789012:cluster/c/uuid-1",
        topic: "events",
        startingPosition: StartingPosition.TRIM_HORIZON,
      }),
    );
    const problems = iac09Problems(
      Template.fromStack(naive),
      naive.getLogicalId(fn.role.node.defaultChild as never),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        "retries unbounded",
        "no maxRecordAge",
        "no bisect",
        "no on-failure destination",
        "role lacks kafka-cluster:ReadData",
        "role lacks kafka:DescribeClusterV2",
      ]),
    );
  });

  it("grants the event source exactly the data-plane actions, scoped to the cluster, topic and group ARNs", () => {
    const statements = statementsOf(template, consumerRole);
    const kafka = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith("kafka")));
    const clusterArn = stack.resolve(construct.cluster.clusterArn);
    const byResource = (needle: string) =>
      kafka.filter((s) => JSON.stringify(s.Resource).includes(needle)).flatMap((s) => actionsOf([s]));
    expect(new Set(byResource(":group/"))).toEqual(new Set(KAFKA_ACTIONS.eventSource.group));
    expect(new Set(byResource(":topic/"))).toEqual(new Set(KAFKA_ACTIONS.eventSource.topic));
    expect(JSON.stringify(kafka.map((s) => s.Resource))).toContain(JSON.stringify(clusterArn));
    expect(JSON.stringify(kafka.map((s) => s.Resource))).toContain(`/events`);
    expect(JSON.stringify(kafka.map((s) => s.Resource))).toContain(`/${construct.consumerGroupId}`);
    // kafka-cluster actions never on "*", and no wildcard actions at all.
    expect(kafka.filter((s) => s.Resource === "*")).toEqual([]);
    expect(actionsOf(statements).filter((a) => a.endsWith("*") || a.endsWith(":*"))).toEqual([]);
    const star = statements.filter((s) => s.Resource === "*").flatMap((s) => actionsOf([s]));
    expect(new Set(star)).toEqual(
      new Set([...ENI_ACTIONS, "xray:PutTraceSegments", "xray:PutTelemetryRecords"]),
    );
  });

  it("sends skipped records to an encrypted queue with exactly SendMessage and the key actions", () => {
    const statements = statementsOf(template, consumerRole);
    expect(actionsOf(statements)).toEqual(
      expect.arrayContaining(["sqs:SendMessage", "kms:GenerateDataKey", "kms:Decrypt"]),
    );
    expect(
      actionsOf(statements)
        .filter((a) => a.startsWith("kms:"))
        .sort(),
    ).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
    template.hasResourceProperties("AWS::SQS::Queue", {
      KmsMasterKeyId: Match.anyValue(),
      MessageRetentionPeriod: 1209600,
    });
  });

  it("admits 9098 only from the producer, topic administrator and the cluster group itself; never a CIDR", () => {
    const inline = resources(template, "AWS::EC2::SecurityGroup").flatMap(
      ([, g]) => (g.Properties.SecurityGroupIngress as Record<string, unknown>[] | undefined) ?? [],
    );
    const separate = resources(template, "AWS::EC2::SecurityGroupIngress").map(([, r]) => r.Properties);
    const ingress = [...inline, ...separate];
    expect(ingress.length).toBeGreaterThan(0);
    expect(ingress.filter((r) => r.CidrIp !== undefined || r.CidrIpv6 !== undefined)).toEqual([]);
    expect(JSON.stringify(ingress)).not.toContain("0.0.0.0/0");
    const groupId = (sg: { node: { defaultChild?: unknown } }) =>
      stack.resolve((sg as SecurityGroup).securityGroupId);
    const kafkaIngress = ingress.filter((r) => r.FromPort === 9098);
    expect(kafkaIngress.every((r) => r.ToPort === 9098 && r.SourceSecurityGroupId !== undefined)).toBe(true);
    expect(new Set(kafkaIngress.map((r) => JSON.stringify(r.SourceSecurityGroupId)))).toEqual(
      new Set(
        [
          construct.network.clusterSecurityGroup,
          construct.network.producerSecurityGroup,
          construct.network.topicAdminSecurityGroup,
        ].map((sg) => JSON.stringify(groupId(sg as never))),
      ),
    );
    expect(ingress.filter((r) => r.FromPort !== 9098 && r.FromPort !== 443)).toEqual([]);
  });

  it("reaches Lambda, STS, SQS and MSK through interface endpoints and S3 through a gateway, with no NAT", () => {
    template.resourceCountIs("AWS::EC2::NatGateway", 0);
    template.resourceCountIs("AWS::EC2::InternetGateway", 0);
    const services = resources(template, "AWS::EC2::VPCEndpoint").map(([, e]) =>
      JSON.stringify(e.Properties.ServiceName),
    );
    for (const service of ["lambda", "sts", "sqs", "kafka", "s3"]) {
      expect(services.some((s) => s.includes(`.${service}"`))).toBe(true);
    }
    template.resourceCountIs("AWS::EC2::VPCEndpoint", 5);
  });

  it("creates the topic with a custom resource inside the VPC, after the network and the cluster", () => {
    const topic = resources(template, "Custom::KafkaTopic");
    expect(topic).toHaveLength(1);
    expect(topic[0]?.[1].Properties).toMatchObject({
      TopicName: "events",
      Partitions: "6",
      RetentionMs: String(7 * 86400 * 1000),
    });
    expect(topic[0]?.[1].DependsOn?.some((d) => d.includes("Endpoint"))).toBe(true);
    const admin = resources(template, "AWS::Lambda::Function").find(([, f]) =>
      String(f.Properties.Description).includes("topics"),
    );
    expect(admin?.[1].Properties.VpcConfig).toBeDefined();
    const mapping = resources(template, "AWS::Lambda::EventSourceMapping")[0]?.[1];
    expect(mapping?.DependsOn?.includes(topic[0]?.[0] ?? "?")).toBe(true);
  });

  it("runs the producer in the VPC and the consumer outside it, with the consumer timeout under 14 minutes", () => {
    const fns = resources(template, "AWS::Lambda::Function");
    const producer = fns.find(([, f]) => String(f.Properties.Description).includes("Publishes"));
    const consumer = fns.find(([, f]) => String(f.Properties.Description).includes("Consumes"));
    expect(producer?.[1].Properties.VpcConfig).toBeDefined();
    expect(consumer?.[1].Properties.VpcConfig).toBeUndefined();
    expect(consumer?.[1].Properties.Timeout as number).toBeLessThanOrEqual(840);
    const environment = consumer?.[1].Properties.Environment as
      | { Variables: Record<string, string> }
      | undefined;
    expect(environment?.Variables).toMatchObject({
      IDEMPOTENCY_EXPIRES_AFTER_SECONDS: String(7 * 86400),
    });
  });

  it("alarms on OffsetLag, consumer errors, and the failure queue's depth and age", () => {
    const metrics = resources(template, "AWS::CloudWatch::Alarm").map(([, a]) => a.Properties.MetricName);
    expect(metrics.sort()).toEqual([
      "ApproximateAgeOfOldestMessage",
      "ApproximateNumberOfMessagesVisible",
      "Errors",
      "OffsetLag",
    ]);
  });
});

describe("MskLambdaStream options", () => {
  it("provisioned: TLS in transit, IAM auth, unauthenticated off, broker logs, one broker per AZ", () => {
    const { template } = synth({ provisionedCluster: {} });
    template.resourceCountIs("AWS::MSK::ServerlessCluster", 0);
    template.hasResourceProperties("AWS::MSK::Cluster", {
      NumberOfBrokerNodes: 3,
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
      EncryptionInfo: { EncryptionInTransit: { ClientBroker: "TLS", InCluster: true } },
      LoggingInfo: { BrokerLogs: { CloudWatchLogs: { Enabled: true, LogGroup: Match.anyValue() } } },
    });
  });

  it("NAT_GATEWAY: one NAT gateway and no interface endpoints; still no ingress from a CIDR", () => {
    const { template } = synth({ networkAccess: MskNetworkAccess.NAT_GATEWAY });
    template.resourceCountIs("AWS::EC2::NatGateway", 1);
    template.resourceCountIs("AWS::EC2::VPCEndpoint", 0);
    const ingress = resources(template, "AWS::EC2::SecurityGroupIngress").map(([, r]) => r.Properties);
    expect(ingress.filter((r) => r.CidrIp !== undefined)).toEqual([]);
  });

  it("an existing cluster: no cluster or VPC created, 9098 opened on its group from the producer and administrator only", () => {
    const { template } = synth({}, (stack) => {
      const vpc = new Vpc(stack, "Given", {
        maxAzs: 3,
        natGateways: 1,
        subnetConfiguration: [
          { name: "Public", subnetType: SubnetType.PUBLIC },
          { name: "Private", subnetType: SubnetType.PRIVATE_WITH_EGRESS },
        ],
      });
      return {
        vpc,
        existingCluster: {
          clusterArn: "arn:aws:kafka:eu-west-1:123456789012:cluster/orders/abcd-1234",
          securityGroup: SecurityGroup.fromSecurityGroupId(stack, "ClusterSg", "sg-0123456789abcdef0"),
        },
      };
    });
    template.resourceCountIs("AWS::MSK::ServerlessCluster", 0);
    template.resourceCountIs("AWS::MSK::Cluster", 0);
    template.resourceCountIs("AWS::EC2::VPC", 1);
    template.resourceCountIs("AWS::EC2::VPCEndpoint", 0);
    const ingress = resources(template, "AWS::EC2::SecurityGroupIngress").map(([, r]) => r.Properties);
    expect(ingress.filter((r) => r.GroupId === "sg-0123456789abcdef0")).toHaveLength(3);
    expect(ingress.filter((r) => r.CidrIp !== undefined)).toEqual([]);
    const policies = JSON.stringify(resources(template, "AWS::IAM::Policy").map(([, p]) => p.Properties));
    expect(policies).toContain("arn:aws:kafka:eu-west-1:123456789012:topic/orders/abcd-1234/events");
    expect(policies).toContain("arn:aws:kafka:eu-west-1:123456789012:group/orders/abcd-1234/");
  });

  it("uses three AZs in an environment-agnostic stack too", () => {
    const stack = new Stack(createTestApp(), "Agnostic");
    new MskLambdaStream(stack, "Stream", { consumer: { entry: NOOP_HANDLER } });
    Template.fromStack(stack).resourceCountIs("AWS::EC2::Subnet", 3);
  });
});

describe("the MSK cluster authentication rule", () => {
  it("passes the construct's clusters (Serverless and provisioned)", () => {
    for (const props of [{}, { provisionedCluster: {} }]) {
      const { construct } = synth(props);
      expect(mskClusterAuthProblems(construct.cluster.resource as CfnCluster)).toEqual([]);
      expect(
        Annotations.fromStack(Stack.of(construct)).findError(
          "*",
          Match.stringLikeRegexp(MSK_CLUSTER_AUTH_RULE),
        ),
      ).toEqual([]);
    }
  });

  it("fails a cluster with IAM auth off or unauthenticated access on", () => {
    const stack = new Stack(createTestApp(), "Open", { env: ENV });
    Aspects.of(stack).add(new MskClusterAuthRule());
    const common = {
      kafkaVersion: "3.8.x",
      numberOfBrokerNodes: 3,
      brokerNodeGroupInfo: { instanceType: "kafka.m7g.large", clientSubnets: ["a", "b", "c"] },
    };
    new CfnCluster(stack, "Unauthenticated", {
      ...common,
      clusterName: "open",
      clientAuthentication: { sasl: { iam: { enabled: true } }, unauthenticated: { enabled: true } },
    });
    new CfnCluster(stack, "NoAuth", { ...common, clusterName: "none" });
    new CfnServerlessCluster(stack, "IamOff", {
      clusterName: "off",
      clientAuthentication: { sasl: { iam: { enabled: false } } },
      vpcConfigs: [{ subnetIds: ["a", "b"] }],
    });
    // Error annotations fail synthesis: the report names each cluster and problem.
    let report = "";
    try {
      Template.fromStack(stack);
    } catch (error) {
      report = String((error as Error).message);
    }
    expect(report).toMatch(/unauthenticated access is on[^\n]*\n\s*Open\/Unauthenticated/);
    expect(report).toMatch(/IAM access control is off[^\n]*\n\s*Open\/NoAuth/);
    expect(report).toMatch(/IAM access control is off[^\n]*\n\s*Open\/IamOff/);
  });
});

describe("MskLambdaStream validation", () => {
  const failures = (
    props: Partial<MskLambdaStreamProps>,
    extra?: (stack: Stack) => Partial<MskLambdaStreamProps>,
  ) => {
    try {
      synth(props, extra);
    } catch (error) {
      return String((error as Error).message);
    }
    return "";
  };

  it("MSK-05: rejects a consumer timeout of 15 minutes; accepts 14", () => {
    expect(failures({ consumer: { entry: NOOP_HANDLER, timeout: Duration.minutes(15) } })).toContain(
      "[consumer-timeout]",
    );
    expect(failures({ consumer: { entry: NOOP_HANDLER, timeout: Duration.minutes(14) } })).toBe("");
  });

  it("rejects unbounded retries, infinite or out-of-range record age, and error controls without provisioned pollers", () => {
    expect(failures({ eventSource: { retryAttempts: -1 } })).toContain("[retry-attempts]");
    expect(failures({ eventSource: { retryAttempts: 10_001 } })).toContain("[retry-attempts]");
    expect(failures({ eventSource: { maxRecordAge: Duration.seconds(30) } })).toContain("[max-record-age]");
    expect(failures({ eventSource: { provisionedPollers: false } })).toContain(
      "[error-controls-need-provisioned-pollers]",
    );
    expect(
      failures({ eventSource: { provisionedPollers: { minimumPollers: 5, maximumPollers: 2 } } }),
    ).toContain("[pollers]");
    expect(failures({ eventSource: { bisectBatchOnError: false } })).toContain("[bisect]");
  });

  it("rejects impossible cluster and network combinations", () => {
    const existing = {
      clusterArn: "arn:aws:kafka:eu-west-1:123456789012:cluster/c/u",
      securityGroup: undefined as never,
    };
    expect(failures({ existingCluster: existing })).toContain("[cluster-source]");
    expect(failures({ networkAccess: MskNetworkAccess.PROVIDED_BY_VPC })).toContain("[network-access]");
    expect(
      failures({ networkAccess: MskNetworkAccess.NAT_GATEWAY }, (stack) => ({ vpc: new Vpc(stack, "V") })),
    ).toContain("[network-access]");
  });

  it("reports every failure at once", () => {
    const message = failures({
      topic: { name: "bad name!", partitions: 0 },
      eventSource: { retryAttempts: -1, batchSize: 0, consumerGroupId: "has space" },
      consumer: { entry: NOOP_HANDLER, timeout: Duration.minutes(15) },
    });
    for (const rule of ["topic", "retry-attempts", "batch", "consumer-group-id", "consumer-timeout"]) {
      expect(message).toContain(`[${rule}]`);
    }
  });
});
