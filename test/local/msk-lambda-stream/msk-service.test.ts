import { GetBootstrapBrokersCommand, KafkaClient } from "@aws-sdk/client-kafka";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCloud, startLocal } from "../../../tools/local/index.ts";
import { MskService } from "../../../tools/local/services/msk.ts";
import { editedFixtureCloudAssembly } from "../../fixtures/local/synth-once.ts";
import { waitFor } from "../../helpers/wait.ts";

/**
 * The MSK service in the embedded cloud: the fixture stack plus an MSK Serverless cluster, a
 * `Custom::KafkaTopic` and a Kafka event source mapping on the fixture's echo function.
 */
let fixture: ReturnType<typeof editedFixtureCloudAssembly>;
let cloud: LocalCloud;
beforeAll(async () => {
  fixture = editedFixtureCloudAssembly("local-msk-", (template) => {
    const echo = Object.keys(template.Resources).find((id) => /^Echo[0-9A-F]{8}$/.test(id)) as string;
    const work = Object.keys(template.Resources).find((id) => /^Work[0-9A-F]{8}$/.test(id)) as string;
    template.Resources.Cluster = {
      Type: "AWS::MSK::ServerlessCluster",
      Properties: {
        ClusterName: "stream",
        ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
        VpcConfigs: [{ SubnetIds: ["subnet-a", "subnet-b"] }],
      },
    };
    template.Resources.Topic = {
      Type: "Custom::KafkaTopic",
      Properties: {
        ServiceToken: "arn:aws:lambda:us-east-1:000000000000:function:unused",
        ClusterArn: { "Fn::GetAtt": ["Cluster", "Arn"] },
        TopicName: "orders",
        Partitions: "2",
        RetentionMs: "604800000",
      },
    };
    template.Resources.KafkaMapping = {
      Type: "AWS::Lambda::EventSourceMapping",
      DependsOn: ["Topic"],
      Properties: {
        EventSourceArn: { "Fn::GetAtt": ["Cluster", "Arn"] },
        FunctionName: { Ref: echo },
        Topics: ["orders"],
        StartingPosition: "TRIM_HORIZON",
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: 0,
        MaximumRetryAttempts: 1,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: "local-group" },
        FilterCriteria: {
          Filters: [{ Pattern: JSON.stringify({ value: [{ "anything-but": "skip-me" }] }) }],
        },
        DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": [work, "Arn"] } } },
      },
    };
    template.Outputs.ClusterArn = { Value: { "Fn::GetAtt": ["Cluster", "Arn"] } };
  });
  cloud = await startLocal({ stack: fixture.stack, cdkOut: fixture.cdkOut, services: [new MskService()] });
});
afterAll(async () => {
  await cloud?.stop();
  fixture?.remove();
});

/** A kafkajs producer on the cluster's bootstrap brokers, discovered as the producer function does. */
async function clusterProducer() {
  const client = new KafkaClient({
    endpoint: cloud.endpoints.kafka,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const { BootstrapBrokerStringSaslIam } = await client.send(
    new GetBootstrapBrokersCommand({ ClusterArn: String(cloud.outputs.ClusterArn) }),
  );
  client.destroy();
  return new Kafka({
    brokers: String(BootstrapBrokerStringSaslIam).split(","),
    logLevel: logLevel.NOTHING,
    // The broker requires SASL, like MSK's IAM listener; any OAUTHBEARER token is accepted locally.
    sasl: { mechanism: "oauthbearer", oauthBearerProvider: async () => ({ value: "token" }) },
  }).producer();
}

describe("the local MSK service", () => {
  it("serves the cluster's bootstrap brokers to @aws-sdk/client-kafka", async () => {
    const client = new KafkaClient({
      endpoint: cloud.endpoints.kafka,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    const out = await client.send(
      new GetBootstrapBrokersCommand({ ClusterArn: String(cloud.outputs.ClusterArn) }),
    );
    client.destroy();
    expect(out.BootstrapBrokerStringSaslIam).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it("creates the topic and delivers produced records to the mapped function in the MSK event shape", async () => {
    const producer = await clusterProducer();
    await producer.connect();
    await producer.send({ topic: "orders", messages: [{ key: "order-1", value: "hello", partition: 1 }] });
    await producer.disconnect();
    const result = await waitFor(() => cloud.spy.find("lambda.result", (e) => e.source === "KafkaMapping"), {
      timeoutMs: 20_000,
      description: "the Kafka mapping's invocation",
    });
    expect(result.ok).toBe(true);
    const { event } = JSON.parse(result.payload ?? "{}") as {
      event: {
        eventSource: string;
        eventSourceArn: string;
        records: Record<string, { key: string; value: string }[]>;
      };
    };
    expect(event.eventSource).toBe("aws:kafka");
    expect(event.eventSourceArn).toBe(cloud.outputs.ClusterArn);
    expect(Object.keys(event.records)).toEqual(["orders-1"]);
    expect(Buffer.from(event.records["orders-1"]?.[0]?.value ?? "", "base64").toString()).toBe("hello");
    expect(Buffer.from(event.records["orders-1"]?.[0]?.key ?? "", "base64").toString()).toBe("order-1");
  });

  it("applies the mapping's FilterCriteria to record values: a filtered record never reaches the function", async () => {
    const producer = await clusterProducer();
    await producer.connect();
    await producer.send({
      topic: "orders",
      messages: [
        { key: "order-2", value: "skip-me", partition: 0 },
        { key: "order-2", value: "after-the-filtered-one", partition: 0 },
      ],
    });
    await producer.disconnect();
    const values = () =>
      cloud.spy
        .filter("lambda.result", (e) => e.source === "KafkaMapping")
        .flatMap((e) => {
          const { event } = JSON.parse(e.payload ?? "{}") as {
            event: { records: Record<string, { value: string }[]> };
          };
          return Object.values(event.records)
            .flat()
            .map((r) => Buffer.from(r.value, "base64").toString());
        });
    await waitFor(() => values().includes("after-the-filtered-one"), {
      timeoutMs: 20_000,
      description: "the record after the filtered one delivered",
    });
    expect(values()).not.toContain("skip-me");
  });
});
