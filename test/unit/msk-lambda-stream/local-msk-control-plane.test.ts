import {
  DescribeClusterV2Command,
  GetBootstrapBrokersCommand,
  KafkaClient,
  ListClustersV2Command,
  NotFoundException,
} from "@aws-sdk/client-kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrapBrokerDiscovery } from "../../../functions/msk-lambda-stream/msk-connection.js";
import {
  localClusterArn,
  type MskControlPlane,
  startMskControlPlane,
} from "../../../tools/local/services/msk.js";

describe("the local MSK control plane, through @aws-sdk/client-kafka", () => {
  let plane: MskControlPlane;
  let client: KafkaClient;
  const arn = localClusterArn("us-east-1", "000000000000", "stream", "StreamCluster");
  beforeAll(async () => {
    plane = await startMskControlPlane(() => ["127.0.0.1:39092"]);
    plane.register({ clusterArn: arn, clusterName: "stream", clusterType: "SERVERLESS" });
    plane.register({
      clusterArn: localClusterArn("us-east-1", "000000000000", "other", "Other"),
      clusterName: "other",
      clusterType: "PROVISIONED",
    });
    client = new KafkaClient({
      endpoint: plane.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
  });
  afterAll(async () => {
    client.destroy();
    await plane.stop();
  });

  it("makes MSK-shaped cluster ARNs", () => {
    expect(arn).toMatch(/^arn:aws:kafka:us-east-1:000000000000:cluster\/stream\/[0-9a-f-]{36}-1$/);
  });

  it("answers GetBootstrapBrokers with the broker as the IAM bootstrap string", async () => {
    const out = await client.send(new GetBootstrapBrokersCommand({ ClusterArn: arn }));
    expect(out.BootstrapBrokerStringSaslIam).toBe("127.0.0.1:39092");
  });

  it("lets the producer's discovery run unchanged", async () => {
    expect(await bootstrapBrokerDiscovery(client, arn)()).toEqual(["127.0.0.1:39092"]);
  });

  it("answers DescribeClusterV2 and ListClustersV2 (with a type filter)", async () => {
    const described = await client.send(new DescribeClusterV2Command({ ClusterArn: arn }));
    expect(described.ClusterInfo).toMatchObject({
      ClusterArn: arn,
      ClusterType: "SERVERLESS",
      State: "ACTIVE",
    });
    const listed = await client.send(new ListClustersV2Command({ ClusterTypeFilter: "PROVISIONED" }));
    expect(listed.ClusterInfoList?.map((c) => c.ClusterName)).toEqual(["other"]);
  });

  it("answers an unknown cluster with NotFoundException", async () => {
    await expect(
      client.send(new GetBootstrapBrokersCommand({ ClusterArn: `${arn}x` })),
    ).rejects.toBeInstanceOf(NotFoundException);
  });
});
