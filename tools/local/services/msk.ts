/**
 * The MSK control plane of the embedded cloud: the three calls a client of an MSK cluster makes to
 * `kafka.<region>.amazonaws.com` before it talks Kafka, served for the clusters of the local stack
 * so `@aws-sdk/client-kafka` (the producer's broker discovery) runs unchanged with
 * `AWS_ENDPOINT_URL_KAFKA` pointing here:
 * - `GetBootstrapBrokers` (`GET /v1/clusters/{arn}/bootstrap-brokers`): the local broker's address as
 *   `BootstrapBrokerStringSaslIam` (what an IAM-auth client asks for) and `BootstrapBrokerString`;
 * - `DescribeClusterV2` (`GET /api/v2/clusters/{arn}`): state `ACTIVE`, type `SERVERLESS` or `PROVISIONED`;
 * - `ListClustersV2` (`GET /api/v2/clusters`): the clusters, with the name and type filters.
 * An unknown ARN is `NotFoundException` (404), as MSK answers. Requests are not signature-checked.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { compileEventFilter, jsonOrString } from "../event-sources/event-filter.ts";
import { createKafkaPoller, type KafkaPoller } from "../event-sources/kafka-poller.ts";
import type { ConsumedKafkaRecord } from "../event-sources/kafka-records.ts";
import { type KafkaBroker, startKafka } from "../kafka/index.ts";
import type { Json, TemplateResource } from "../template.ts";
import type {
  CreateRequest,
  EventSourceMappingRequest,
  LocalEventSource,
  LocalService,
  PlanContext,
  ServiceHost,
  ServiceStart,
} from "./local-service.ts";

/** A cluster of the local stack. */
export interface LocalMskCluster {
  readonly clusterArn: string;
  readonly clusterName: string;
  readonly clusterType: "SERVERLESS" | "PROVISIONED";
}

/** A running control plane. */
export interface MskControlPlane {
  /** `http://127.0.0.1:<port>`: the value of `AWS_ENDPOINT_URL_KAFKA`. */
  readonly endpoint: string;
  /** Adds (or replaces) a cluster. */
  register(cluster: LocalMskCluster): void;
  stop(): Promise<void>;
}

/** The ARN MSK gives a cluster: `arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>-<n>`. */
export function localClusterArn(region: string, accountId: string, name: string, logicalId: string): string {
  const hex = Buffer.from(`${name}/${logicalId}`).toString("hex").padEnd(32, "0").slice(0, 32);
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  return `arn:aws:kafka:${region}:${accountId}:cluster/${name}/${uuid}-1`;
}

/** Starts the control plane on 127.0.0.1 and a free port; `brokers()` gives the bootstrap list. */
export async function startMskControlPlane(brokers: () => readonly string[]): Promise<MskControlPlane> {
  const clusters = new Map<string, LocalMskCluster>();
  const server = createServer((req, res) => {
    handle(req, res, clusters, brokers).catch((error: unknown) => {
      send(res, 500, { message: String(error) }, "InternalServerErrorException");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    register: (cluster) => void clusters.set(cluster.clusterArn, cluster),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  clusters: Map<string, LocalMskCluster>,
  brokers: () => readonly string[],
): Promise<void> {
  for await (const _chunk of req) {
    // drain the (empty) body
  }
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = url.pathname;
  const notFound = (arn: string) =>
    send(res, 404, { message: `Cluster ${arn} does not exist` }, "NotFoundException");
  let match = /^\/v1\/clusters\/([^/]+)\/bootstrap-brokers$/.exec(path);
  if (req.method === "GET" && match) {
    const arn = decodeURIComponent(match[1] as string);
    if (!clusters.has(arn)) return notFound(arn);
    const list = brokers().join(",");
    return send(res, 200, { bootstrapBrokerStringSaslIam: list, bootstrapBrokerString: list });
  }
  match = /^\/api\/v2\/clusters\/([^/]+)$/.exec(path);
  if (req.method === "GET" && match) {
    const arn = decodeURIComponent(match[1] as string);
    const cluster = clusters.get(arn);
    if (!cluster) return notFound(arn);
    return send(res, 200, { clusterInfo: describe(cluster) });
  }
  if (req.method === "GET" && path === "/api/v2/clusters") {
    const name = url.searchParams.get("clusterNameFilter");
    const type = url.searchParams.get("clusterTypeFilter");
    const list = [...clusters.values()].filter(
      (c) => (!name || c.clusterName.startsWith(name)) && (!type || c.clusterType === type),
    );
    return send(res, 200, { clusterInfoList: list.map(describe) });
  }
  send(res, 404, { message: `${req.method} ${path} is not emulated locally` }, "NotFoundException");
}

function describe(cluster: LocalMskCluster) {
  return {
    clusterArn: cluster.clusterArn,
    clusterName: cluster.clusterName,
    clusterType: cluster.clusterType,
    state: "ACTIVE",
    currentVersion: "K1",
    creationTime: new Date(0).toISOString(),
    ...(cluster.clusterType === "SERVERLESS"
      ? { serverless: { clientAuthentication: { sasl: { iam: { enabled: true } } }, vpcConfigs: [] } }
      : {
          provisioned: { numberOfBrokerNodes: 1, clientAuthentication: { sasl: { iam: { enabled: true } } } },
        }),
  };
}

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  res.writeHead(status, {
    "content-type": "application/json",
    ...(errorType ? { "x-amzn-errortype": errorType } : {}),
  });
  res.end(JSON.stringify(body));
}

/** Options of {@link MskService}. */
export interface MskServiceOptions {
  /**
   * Kafka's `group.initial.rebalance.delay.ms` for the local broker. The broker's own default is
   * Kafka's 3 s (so the first member of a new group does not take every partition before the others
   * join); here it is 0 because each local event source mapping is one group member (no
   * provisioned-poller scaling), and with no one else to wait for the delay would only hold the
   * first delivery back 3 s. Set 3000 to run your own several-member consumers against it.
   * @default 0
   */
  readonly initialRebalanceDelayMs?: number;
}

/**
 * MSK on the project's broker (`tools/local/kafka/`): every `AWS::MSK::ServerlessCluster` and
 * `AWS::MSK::Cluster` of the stack is served by one local broker, the control plane above answers
 * `GetBootstrapBrokers`/`DescribeClusterV2`/`ListClustersV2`, `Custom::KafkaTopic` creates its topic on
 * the broker, and each Kafka `AWS::Lambda::EventSourceMapping` on a cluster of the stack becomes a
 * {@link createKafkaPoller} with the mapping's settings and its SQS on-failure destination.
 */
export class MskService implements LocalService {
  readonly name = "msk";
  readonly gaps = [
    "MSK IAM auth: the SASL/OAUTHBEARER token is accepted unverified and kafka-cluster:* actions are not checked",
    "one broker serves every cluster of the stack; plaintext (no TLS on 9098): functions get KAFKA_TLS=false",
  ];
  readonly noOps = {
    "Custom::VpcRestrictDefaultSG":
      "CDK's custom resource that strips the VPC default security group's rules: no VPC networking locally",
  };
  private kafka?: KafkaBroker;
  private plane?: MskControlPlane;
  private sqs?: SQSClient;
  private readonly clusterArns = new Set<string>();
  private readonly pollers: KafkaPoller[] = [];

  constructor(private readonly options: MskServiceOptions = {}) {}

  private cluster(type: "SERVERLESS" | "PROVISIONED") {
    return {
      parity: `${type === "SERVERLESS" ? "MSK Serverless" : "provisioned MSK"} cluster → the local Kafka broker; GetBootstrapBrokers, DescribeClusterV2, ListClustersV2`,
      gaps: ["IAM auth not verified; a single plaintext broker (replication factor 1)"],
      plan: (logicalId: string, resource: TemplateResource, ctx: PlanContext) => {
        const props = resource.Properties ?? {};
        const name =
          props.ClusterName !== undefined
            ? ctx.literal(props.ClusterName, `${logicalId}.ClusterName`)
            : logicalId;
        const arn = localClusterArn(ctx.region, ctx.accountId, name, logicalId);
        return { ref: arn, attributes: { Arn: arn } };
      },
      create: ({ planned, props }: CreateRequest) => {
        this.clusterArns.add(planned.ref);
        this.controlPlane().register({
          clusterArn: planned.ref,
          clusterName: String(props.ClusterName ?? planned.ref.split("/")[1]),
          clusterType: type,
        });
      },
    };
  }

  readonly resourceTypes = {
    "AWS::MSK::ServerlessCluster": this.cluster("SERVERLESS"),
    "AWS::MSK::Cluster": this.cluster("PROVISIONED"),
    "Custom::KafkaTopic": {
      parity: "the topic custom resource: the topic is created on the local broker with its partitions",
      gaps: ["its function is not run (the MSK service creates the topic); retention.ms is not applied"],
      plan: (logicalId: string, resource: TemplateResource, ctx: PlanContext) => {
        const props = resource.Properties ?? {};
        const topic = ctx.literal(props.TopicName as Json, `${logicalId}.TopicName`);
        const cluster = ctx.literal(props.ClusterArn as Json, `${logicalId}.ClusterArn`);
        const partitions = ctx.literal((props.Partitions ?? "1") as Json, `${logicalId}.Partitions`);
        return { ref: `${cluster}|${topic}`, attributes: { TopicName: topic, Partitions: partitions } };
      },
      create: ({ props }: CreateRequest) => {
        this.broker().createTopic(String(props.TopicName), Number(props.Partitions ?? 1));
      },
    },
  };

  async start(host: ServiceHost): Promise<ServiceStart> {
    // Like MSK's IAM listener: every client authenticates (SASL/OAUTHBEARER; tokens not verified).
    this.kafka = await startKafka({
      autoCreateTopics: false,
      requireSasl: true,
      groups: { initialRebalanceDelayMs: this.options.initialRebalanceDelayMs ?? 0 },
    });
    const kafka = this.kafka;
    this.plane = await startMskControlPlane(() => kafka.brokers);
    this.sqs = new SQSClient({
      region: host.region,
      endpoint: host.endpoints.sqs,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    return {
      endpoints: { kafka: this.plane.endpoint },
      // KAFKA_TLS=false: the local broker is plaintext (MSK's 9098 is TLS only, so it is never set there).
      environment: { AWS_ENDPOINT_URL_KAFKA: this.plane.endpoint, KAFKA_TLS: "false" },
    };
  }

  async eventSource(
    mapping: EventSourceMappingRequest,
    host: ServiceHost,
  ): Promise<LocalEventSource | undefined> {
    const props = mapping.props as Record<string, Json | undefined> & {
      Topics?: string[];
      AmazonManagedKafkaEventSourceConfig?: { ConsumerGroupId?: string };
      DestinationConfig?: { OnFailure?: { Destination?: string } };
      FunctionResponseTypes?: string[];
    };
    const arn = String(props.EventSourceArn ?? "");
    if (!this.clusterArns.has(arn)) return undefined;
    const topic = props.Topics?.[0];
    if (!topic) throw new Error(`${mapping.logicalId}: a Kafka event source mapping needs Topics`);
    const destination = props.DestinationConfig?.OnFailure?.Destination;
    const queueUrl = destination
      ? [...host.resources()].find((r) => r.attributes.Arn === destination)?.ref
      : undefined;
    if (destination && !queueUrl) {
      throw new Error(
        `${mapping.logicalId}: on-failure destination ${destination} is not an SQS queue of the stack`,
      );
    }
    const seconds = (v: Json | undefined) => (typeof v === "number" ? v * 1000 : undefined);
    const accepts = await compileEventFilter<ConsumedKafkaRecord>(
      mapping.logicalId,
      props.FilterCriteria,
      (record) => ({ value: record.value === null ? null : jsonOrString(record.value.toString("utf8")) }),
      ["value"],
    );
    const broker = this.broker();
    const sqs = this.sqs as SQSClient;
    const poller = createKafkaPoller({
      brokers: broker.brokers,
      topic,
      groupId: props.AmazonManagedKafkaEventSourceConfig?.ConsumerGroupId ?? mapping.logicalId,
      batchSize: typeof props.BatchSize === "number" ? props.BatchSize : 100,
      maxBatchingWindowMs: seconds(props.MaximumBatchingWindowInSeconds) ?? 500,
      startingPosition: props.StartingPosition === "LATEST" ? "LATEST" : "TRIM_HORIZON",
      retryAttempts: typeof props.MaximumRetryAttempts === "number" ? props.MaximumRetryAttempts : -1,
      bisectBatchOnError: props.BisectBatchOnFunctionError === true,
      maxRecordAgeMs:
        typeof props.MaximumRecordAgeInSeconds === "number" && props.MaximumRecordAgeInSeconds >= 0
          ? props.MaximumRecordAgeInSeconds * 1000
          : undefined,
      reportBatchItemFailures: props.FunctionResponseTypes?.includes("ReportBatchItemFailures") ?? false,
      origin: { eventSourceArn: arn, bootstrapServers: broker.brokers },
      saslOauthBearer: true,
      ...(accepts ? { accepts } : {}),
      functionArn: mapping.function.functionArn,
      invoke: async (payload) => {
        const result = await mapping.invoke(payload);
        return result.ok
          ? { payload: result.payload }
          : { payload: JSON.stringify(result.error), functionError: "Unhandled" };
      },
      onFailure: queueUrl
        ? async (message) => {
            await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: message }));
          }
        : undefined,
    });
    this.pollers.push(poller);
    return { start: () => poller.start(), stop: () => poller.stop() };
  }

  async stop(): Promise<void> {
    this.sqs?.destroy();
    await this.plane?.stop();
    await this.kafka?.stop();
  }

  private broker(): KafkaBroker {
    if (!this.kafka) throw new Error("the MSK service has not started");
    return this.kafka;
  }

  private controlPlane(): MskControlPlane {
    if (!this.plane) throw new Error("the MSK service has not started");
    return this.plane;
  }
}
