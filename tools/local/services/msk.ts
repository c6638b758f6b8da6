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
