import { z } from "zod";

/**
 * Reads a synthesized CloudFormation template (`cdk.out/<Stack>.template.json`) into the few
 * facts the cost model needs: topics, queues, subscriptions and their filter policies, functions'
 * memory, architecture and timeout, event source mappings' batch sizes, tables and state machines.
 */

const resourceSchema = z.object({
  Type: z.string(),
  Properties: z.record(z.string(), z.unknown()).optional(),
});
const templateSchema = z.object({ Resources: z.record(z.string(), resourceSchema) });

export interface TopicModel {
  readonly id: string;
  readonly fifo: boolean;
}
export interface QueueModel {
  readonly id: string;
  readonly fifo: boolean;
  /** Logical id of the queue this one is the DLQ of, when referenced by a RedrivePolicy. */
  readonly deadLetterQueueId?: string;
}
export interface SubscriptionModel {
  readonly id: string;
  readonly topicId?: string;
  readonly protocol: string;
  readonly queueId?: string;
  readonly filterPolicy?: unknown;
  readonly filterPolicyScope: "MessageAttributes" | "MessageBody";
  readonly rawDelivery: boolean;
}
export interface FunctionModel {
  readonly id: string;
  /** @default 128 (CloudFormation default) */
  readonly memoryMb: number;
  /** @default "x86_64" (CloudFormation default) */
  readonly arch: "arm64" | "x86_64";
  /** @default 3 */
  readonly timeoutSeconds: number;
  /** Environment variables whose value is a plain string. */
  readonly env: Readonly<Record<string, string>>;
  /** Environment variable name → logical id of the resource it references (`Ref`/`Fn::GetAtt`). */
  readonly envRefs: Readonly<Record<string, string>>;
}
export interface EventSourceMappingModel {
  readonly id: string;
  readonly sourceId?: string;
  readonly functionId?: string;
  /** @default 10 (SQS) */
  readonly batchSize: number;
  /** @default 0 */
  readonly batchWindowSeconds: number;
  readonly reportBatchItemFailures: boolean;
}
export interface TableModel {
  readonly id: string;
  readonly billingMode: "PAY_PER_REQUEST" | "PROVISIONED";
}
export interface StateMachineModel {
  readonly id: string;
  readonly type: "STANDARD" | "EXPRESS";
  /** Number of states when the definition is readable (a plain or joined string), else undefined. */
  readonly states?: number;
  /**
   * The definition's JSON text when readable; a `Ref`/`Fn::GetAtt` inside it becomes `@ref:<LogicalId>`
   * (so a Task's `Resource` still names its function), any other token `TOKEN`.
   */
  readonly definition?: string;
}

/** An EventBridge rule: its pattern's sources and detail-types (or its schedule) and its targets. */
export interface RuleModel {
  readonly id: string;
  /** Logical id of the bus, undefined for the default bus. */
  readonly busId?: string;
  readonly sources: readonly string[];
  readonly detailTypes: readonly string[];
  /** `rate(…)`/`cron(…)` for a scheduled rule. */
  readonly schedule?: string;
  readonly targets: readonly { readonly targetId?: string; readonly inputPath?: string }[];
}

/** An MSK cluster: Serverless, or provisioned with its brokers as synthesized. */
export interface KafkaClusterModel {
  readonly id: string;
  readonly kind: "serverless" | "provisioned";
  /** Provisioned: `NumberOfBrokerNodes`. */
  readonly brokers?: number;
  /** Provisioned: `BrokerNodeGroupInfo.InstanceType`, e.g. `kafka.m7g.large`. */
  readonly instanceType?: string;
  /** Provisioned: EBS volume per broker in GiB. */
  readonly volumeGiB?: number;
  /** Subnets (one per AZ) the cluster is in. */
  readonly subnets: number;
}

/** A Kafka topic created by a custom resource (`Custom::KafkaTopic` or any with TopicName + Partitions). */
export interface KafkaTopicModel {
  readonly id: string;
  readonly name: string;
  readonly partitions: number;
  /** `RetentionMs` in hours, when set. */
  readonly retentionHours?: number;
}

/** A Lambda event source mapping on a Kafka cluster, with its provisioned pollers if set. */
export interface KafkaMappingModel {
  readonly id: string;
  readonly clusterId?: string;
  readonly functionId?: string;
  readonly batchSize: number;
  readonly batchWindowSeconds: number;
  /** `ProvisionedPollerConfig`, when the mapping is in provisioned mode. */
  readonly pollers?: { readonly minimum: number; readonly maximum: number };
  /** Logical id of the on-failure destination (`DestinationConfig.OnFailure`). */
  readonly onFailureId?: string;
}

/** The networking that is billed by the hour: interface endpoints (per AZ) and NAT gateways. */
export interface NetworkModel {
  readonly interfaceEndpoints: readonly {
    readonly id: string;
    readonly service: string;
    readonly azs: number;
  }[];
  readonly natGateways: number;
}

export interface StackModel {
  readonly stackName: string;
  readonly topics: readonly TopicModel[];
  readonly queues: readonly QueueModel[];
  readonly subscriptions: readonly SubscriptionModel[];
  readonly functions: readonly FunctionModel[];
  readonly eventSourceMappings: readonly EventSourceMappingModel[];
  readonly tables: readonly TableModel[];
  readonly stateMachines: readonly StateMachineModel[];
  /** @default [] */
  readonly rules?: readonly RuleModel[];
  /** MSK clusters. @default [] */
  readonly kafkaClusters?: readonly KafkaClusterModel[];
  /** @default [] */
  readonly kafkaTopics?: readonly KafkaTopicModel[];
  /** Event source mappings on MSK clusters. @default [] */
  readonly kafkaMappings?: readonly KafkaMappingModel[];
  /** @default no endpoints, no NAT */
  readonly network?: NetworkModel;
}

/** Logical id referenced by `{Ref: X}` or `{"Fn::GetAtt": [X, ...]}` (or `"X.Arn"`), else undefined. */
export function referencedId(value: unknown): string | undefined {
  if (!value || typeof value !== "object") return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === "string") return v.Ref;
  const att = v["Fn::GetAtt"];
  if (Array.isArray(att) && typeof att[0] === "string") return att[0];
  if (typeof att === "string") return att.split(".")[0];
  return undefined;
}

function bool(value: unknown, fallback: boolean): boolean {
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  return fallback;
}

function num(value: unknown, fallback: number): number {
  const n = typeof value === "string" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? n : fallback;
}

function json(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Joins a definition given as a string or `Fn::Join` of strings (tokens, which CDK puts inside JSON strings, become `TOKEN`). */
function definitionText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && "Fn::Join" in value) {
    const [sep, parts] = (value as { "Fn::Join": [string, unknown[]] })["Fn::Join"];
    if (!Array.isArray(parts)) return undefined;
    return parts
      .map((p) => {
        if (typeof p === "string") return p;
        const id = referencedId(p);
        return id && !id.startsWith("AWS::") ? `@ref:${id}` : "TOKEN";
      })
      .join(sep);
  }
  return undefined;
}

function countStates(definition: unknown): number | undefined {
  const text = definitionText(definition);
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as {
      States?: Record<
        string,
        {
          Branches?: { States?: object }[];
          Iterator?: { States?: object };
          ItemProcessor?: { States?: object };
        }
      >;
    };
    const count = (states: Record<string, unknown> | undefined): number =>
      Object.values(states ?? {}).reduce<number>((n, s) => {
        const st = s as {
          Branches?: { States?: Record<string, unknown> }[];
          Iterator?: { States?: Record<string, unknown> };
          ItemProcessor?: { States?: Record<string, unknown> };
        };
        const nested = [...(st.Branches ?? []), st.Iterator, st.ItemProcessor]
          .filter((b): b is { States?: Record<string, unknown> } => b !== undefined)
          .reduce((m, b) => m + count(b.States), 0);
        return n + 1 + nested;
      }, 0);
    return count(parsed.States);
  } catch {
    return undefined;
  }
}

/** Builds the stack model from a parsed template; throws if it is not a CloudFormation template. */
export function readTemplate(stackName: string, template: unknown): StackModel {
  const parsed = templateSchema.safeParse(template);
  if (!parsed.success)
    throw new Error(`--stack: ${stackName} is not a CloudFormation template (no Resources)`);
  const entries = Object.entries(parsed.data.Resources);
  const of = (type: string) =>
    entries.filter(([, r]) => r.Type === type).map(([id, r]) => ({ id, p: r.Properties ?? {} }));

  const dlqOf = new Map<string, string>();
  for (const { id, p } of of("AWS::SQS::Queue")) {
    const redrive = json(p.RedrivePolicy) as { deadLetterTargetArn?: unknown } | undefined;
    const target = referencedId(redrive?.deadLetterTargetArn);
    if (target) dlqOf.set(target, id);
  }
  const queues = of("AWS::SQS::Queue").map(({ id, p }) => {
    const source = dlqOf.get(id);
    return { id, fifo: bool(p.FifoQueue, false), ...(source ? { deadLetterQueueId: source } : {}) };
  });
  const topics = of("AWS::SNS::Topic").map(({ id, p }) => ({ id, fifo: bool(p.FifoTopic, false) }));
  const subscriptions = of("AWS::SNS::Subscription").map(({ id, p }) => {
    const protocol = String(p.Protocol ?? "");
    const topicId = referencedId(p.TopicArn);
    const queueId = protocol === "sqs" ? referencedId(p.Endpoint) : undefined;
    const filterPolicy = p.FilterPolicy === undefined ? undefined : json(p.FilterPolicy);
    return {
      id,
      protocol,
      ...(topicId ? { topicId } : {}),
      ...(queueId ? { queueId } : {}),
      ...(filterPolicy === undefined ? {} : { filterPolicy }),
      filterPolicyScope:
        p.FilterPolicyScope === "MessageBody" ? ("MessageBody" as const) : ("MessageAttributes" as const),
      rawDelivery: bool(p.RawMessageDelivery, false),
    };
  });
  const functions = of("AWS::Lambda::Function").map(({ id, p }) => {
    const variables = ((p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
      {}) as Record<string, unknown>;
    const env: Record<string, string> = {};
    const envRefs: Record<string, string> = {};
    for (const [k, v] of Object.entries(variables)) {
      if (typeof v === "string") env[k] = v;
      const ref = referencedId(v);
      if (ref) envRefs[k] = ref;
    }
    const arch = Array.isArray(p.Architectures) && p.Architectures[0] === "arm64" ? "arm64" : "x86_64";
    return {
      id,
      memoryMb: num(p.MemorySize, 128),
      arch: arch as "arm64" | "x86_64",
      timeoutSeconds: num(p.Timeout, 3),
      env,
      envRefs,
    };
  });
  const eventSourceMappings = of("AWS::Lambda::EventSourceMapping").map(({ id, p }) => {
    const sourceId = referencedId(p.EventSourceArn);
    const functionId = referencedId(p.FunctionName);
    return {
      id,
      ...(sourceId ? { sourceId } : {}),
      ...(functionId ? { functionId } : {}),
      batchSize: num(p.BatchSize, 10),
      batchWindowSeconds: num(p.MaximumBatchingWindowInSeconds, 0),
      reportBatchItemFailures:
        Array.isArray(p.FunctionResponseTypes) && p.FunctionResponseTypes.includes("ReportBatchItemFailures"),
    };
  });
  const tables = of("AWS::DynamoDB::Table").map(({ id, p }) => ({
    id,
    billingMode:
      p.BillingMode === "PAY_PER_REQUEST" ? ("PAY_PER_REQUEST" as const) : ("PROVISIONED" as const),
  }));
  const stateMachines = of("AWS::StepFunctions::StateMachine").map(({ id, p }) => {
    const source = p.DefinitionString ?? (p.Definition ? JSON.stringify(p.Definition) : undefined);
    const states = countStates(source);
    const definition = definitionText(source);
    return {
      id,
      type: p.StateMachineType === "EXPRESS" ? ("EXPRESS" as const) : ("STANDARD" as const),
      ...(states === undefined ? {} : { states }),
      ...(definition === undefined || states === undefined ? {} : { definition }),
    };
  });
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  const rules = of("AWS::Events::Rule").map(({ id, p }) => {
    const pattern = (json(p.EventPattern) ?? {}) as Record<string, unknown>;
    const busId = referencedId(p.EventBusName);
    const targets = (Array.isArray(p.Targets) ? p.Targets : []).map((t: unknown) => {
      const target = (t ?? {}) as { Arn?: unknown; InputPath?: unknown };
      const targetId = referencedId(target.Arn);
      return {
        ...(targetId ? { targetId } : {}),
        ...(typeof target.InputPath === "string" ? { inputPath: target.InputPath } : {}),
      };
    });
    return {
      id,
      ...(busId ? { busId } : {}),
      sources: strings(pattern.source),
      detailTypes: strings(pattern["detail-type"]),
      ...(typeof p.ScheduleExpression === "string" ? { schedule: p.ScheduleExpression } : {}),
      targets,
    };
  });
  const kafkaClusters: KafkaClusterModel[] = [
    ...of("AWS::MSK::ServerlessCluster").map(({ id, p }) => {
      const vpc = (Array.isArray(p.VpcConfigs) ? p.VpcConfigs[0] : undefined) as
        | { SubnetIds?: unknown }
        | undefined;
      return {
        id,
        kind: "serverless" as const,
        subnets: Array.isArray(vpc?.SubnetIds) ? vpc.SubnetIds.length : 3,
      };
    }),
    ...of("AWS::MSK::Cluster").map(({ id, p }) => {
      const group = (p.BrokerNodeGroupInfo ?? {}) as {
        InstanceType?: unknown;
        ClientSubnets?: unknown;
        StorageInfo?: { EBSStorageInfo?: { VolumeSize?: unknown } };
      };
      return {
        id,
        kind: "provisioned" as const,
        brokers: num(p.NumberOfBrokerNodes, 3),
        ...(typeof group.InstanceType === "string" ? { instanceType: group.InstanceType } : {}),
        volumeGiB: num(group.StorageInfo?.EBSStorageInfo?.VolumeSize, 1_000),
        subnets: Array.isArray(group.ClientSubnets) ? group.ClientSubnets.length : 3,
      };
    }),
  ];
  const clusterIds = new Set(kafkaClusters.map((c) => c.id));
  const kafkaTopics = entries
    .filter(
      ([, r]) =>
        (r.Type === "Custom::KafkaTopic" || r.Type.startsWith("Custom::")) &&
        typeof r.Properties?.TopicName === "string" &&
        r.Properties?.Partitions !== undefined,
    )
    .map(([id, r]) => {
      const p = r.Properties ?? {};
      const retentionMs = num(p.RetentionMs, -1);
      return {
        id,
        name: String(p.TopicName),
        partitions: num(p.Partitions, 1),
        ...(retentionMs > 0 ? { retentionHours: retentionMs / 3_600_000 } : {}),
      };
    });
  const kafkaMappings = of("AWS::Lambda::EventSourceMapping")
    .filter(({ p }) => {
      const source = referencedId(p.EventSourceArn);
      return (
        (source !== undefined && clusterIds.has(source)) ||
        p.AmazonManagedKafkaEventSourceConfig !== undefined
      );
    })
    .map(({ id, p }) => {
      const clusterId = referencedId(p.EventSourceArn);
      const functionId = referencedId(p.FunctionName);
      const poller = p.ProvisionedPollerConfig as
        | { MinimumPollers?: unknown; MaximumPollers?: unknown }
        | undefined;
      const onFailureId = referencedId(
        (p.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure
          ?.Destination,
      );
      return {
        id,
        ...(clusterId ? { clusterId } : {}),
        ...(functionId ? { functionId } : {}),
        batchSize: num(p.BatchSize, 100),
        batchWindowSeconds: num(p.MaximumBatchingWindowInSeconds, 0),
        ...(poller
          ? { pollers: { minimum: num(poller.MinimumPollers, 1), maximum: num(poller.MaximumPollers, 200) } }
          : {}),
        ...(onFailureId ? { onFailureId } : {}),
      };
    });
  const serviceOf = (v: unknown): string => {
    const text = typeof v === "string" ? v : (definitionText(v) ?? "");
    return text.split(".").at(-1) ?? text;
  };
  const network: NetworkModel = {
    interfaceEndpoints: of("AWS::EC2::VPCEndpoint")
      .filter(({ p }) => p.VpcEndpointType === "Interface")
      .map(({ id, p }) => ({
        id,
        service: serviceOf(p.ServiceName),
        azs: Array.isArray(p.SubnetIds) ? p.SubnetIds.length : 1,
      })),
    natGateways: of("AWS::EC2::NatGateway").length,
  };
  return {
    stackName,
    topics,
    queues,
    subscriptions,
    functions,
    eventSourceMappings,
    tables,
    stateMachines,
    rules,
    kafkaClusters,
    kafkaTopics,
    kafkaMappings,
    network,
  };
}
