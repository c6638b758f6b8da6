import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Admin } from "@platformatic/kafka";
import type { CloudFormationCustomResourceEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CustomResourceResponse,
  respondToCloudFormation,
} from "../../../functions/msk-lambda-stream/custom-resource.js";
import { handleTopicRequest } from "../../../functions/msk-lambda-stream/topic-resource.js";
import {
  ensureTopic,
  parseTopicSpec,
  removeTopic,
  type TopicAdminApi,
} from "../../../functions/msk-lambda-stream/topics.js";
import { type KafkaBroker, startKafka } from "../../../tools/local/kafka/index.js";

const CLUSTER = "arn:aws:kafka:us-east-1:123456789012:cluster/c/u-1";

/** An in-memory admin that records calls (for the paths the local broker does not implement). */
function fakeAdmin(topics: Record<string, number>) {
  const calls: string[] = [];
  const admin: TopicAdminApi = {
    listTopics: async () => Object.keys(topics),
    metadata: async ({ topics: names }) => ({
      topics: new Map(
        names.filter((n) => n in topics).map((n) => [n, { partitionsCount: topics[n] as number }]),
      ),
    }),
    createTopics: async ({ topics: names, partitions }) => {
      for (const n of names) topics[n] = partitions;
      calls.push(`create ${names.join()} ${partitions}`);
    },
    createPartitions: async ({ topics: list }) => {
      for (const t of list) topics[t.name] = t.count;
      calls.push(`partitions ${list.map((t) => `${t.name}=${t.count}`).join()}`);
    },
    incrementalAlterConfigs: async ({ resources }) => {
      calls.push(
        `config ${resources.map((r) => `${r.resourceName}:${r.configs.map((c) => `${c.name}=${c.value}`)}`)}`,
      );
    },
    deleteTopics: async ({ topics: names }) => {
      for (const n of names) delete topics[n];
      calls.push(`delete ${names.join()}`);
    },
  };
  return { admin, calls, topics };
}

function cfnEvent(
  type: "Create" | "Update" | "Delete",
  props: Record<string, string>,
  physicalId?: string,
): CloudFormationCustomResourceEvent {
  return {
    RequestType: type,
    ServiceToken: "arn:aws:lambda:us-east-1:123456789012:function:admin",
    ResponseURL: "http://127.0.0.1:1/unused",
    StackId: "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1",
    RequestId: "req-1",
    LogicalResourceId: "Topic",
    ResourceType: "Custom::KafkaTopic",
    ResourceProperties: { ServiceToken: "x", ...props },
    ...(physicalId ? { PhysicalResourceId: physicalId } : {}),
    ...(type === "Update" ? { OldResourceProperties: { ServiceToken: "x" } } : {}),
  } as CloudFormationCustomResourceEvent;
}

const props = {
  ClusterArn: CLUSTER,
  TopicName: "orders",
  Partitions: "6",
  RetentionMs: "604800000",
  DeleteOnRemoval: "true",
};

describe("ensureTopic / removeTopic", () => {
  it("converges: grows partitions and sets retention on an existing topic; a second run changes no partitions", async () => {
    const { admin, calls } = fakeAdmin({ orders: 3 });
    expect(await ensureTopic(admin, { name: "orders", partitions: 6, retentionMs: 1000 })).toBe("updated");
    expect(await ensureTopic(admin, { name: "orders", partitions: 6, retentionMs: 1000 })).toBe("unchanged");
    expect(calls).toEqual([
      "partitions orders=6",
      "config orders:retention.ms=1000",
      "config orders:retention.ms=1000",
    ]);
  });

  it("refuses to shrink partitions, naming the topic", async () => {
    const { admin } = fakeAdmin({ orders: 6 });
    await expect(ensureTopic(admin, { name: "orders", partitions: 3, retentionMs: 1 })).rejects.toThrow(
      "topic orders: cannot decrease partitions from 6 to 3",
    );
  });

  it("validates the properties CloudFormation passes as strings", () => {
    expect(parseTopicSpec(props)).toEqual({ name: "orders", partitions: 6, retentionMs: 604800000 });
    expect(() => parseTopicSpec({ ...props, Partitions: "0" })).toThrow(/topic orders: Partitions/);
    expect(() => parseTopicSpec({ ...props, TopicName: "no spaces" })).toThrow(/TopicName/);
  });

  describe("on the local broker (@platformatic/kafka admin)", () => {
    let kafka: KafkaBroker;
    let admin: Admin;
    beforeAll(async () => {
      kafka = await startKafka({ autoCreateTopics: false });
      admin = new Admin({ clientId: "test-admin", bootstrapBrokers: kafka.brokers });
    });
    afterAll(async () => {
      await admin.close();
      await kafka.stop();
    });

    it("creates the topic with its partitions, then deletes it; deleting an absent topic succeeds", async () => {
      expect(await ensureTopic(admin, { name: "created-here", partitions: 4, retentionMs: 60_000 })).toBe(
        "created",
      );
      expect(kafka.topics().find((t) => t.name === "created-here")?.partitions).toHaveLength(4);
      expect(await removeTopic(admin, "created-here")).toBe("deleted");
      expect(kafka.topics().find((t) => t.name === "created-here")).toBeUndefined();
      expect(await removeTopic(admin, "created-here")).toBe("absent");
    });
  });
});

describe("the topic custom resource", () => {
  let server: ReturnType<typeof createServer>;
  let url = "";
  const received: { method?: string; contentType?: string; body: CustomResourceResponse }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let data = "";
      req.on("data", (c) => {
        data += c;
      });
      req.on("end", () => {
        received.push({
          method: req.method,
          contentType: req.headers["content-type"],
          body: JSON.parse(data),
        });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response?X-Amz-Signature=abc`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });
  const context = { getRemainingTimeInMillis: () => 60_000 };
  const withUrl = (e: CloudFormationCustomResourceEvent) =>
    ({ ...e, ResponseURL: url }) as CloudFormationCustomResourceEvent;

  it("answers a Create with SUCCESS, the physical ID and the topic's data, by an untyped PUT", async () => {
    const { admin } = fakeAdmin({});
    const body = await respondToCloudFormation(withUrl(cfnEvent("Create", props)), context, (e) =>
      handleTopicRequest(e, async () => admin),
    );
    expect(body).toMatchObject({
      Status: "SUCCESS",
      PhysicalResourceId: `${CLUSTER}|orders`,
      Data: { TopicName: "orders", Partitions: "6" },
      RequestId: "req-1",
      LogicalResourceId: "Topic",
    });
    expect(received.at(-1)).toMatchObject({ method: "PUT", contentType: "", body });
  });

  it("answers a failure with FAILED and a reason naming the topic, with a failed- ID on Create", async () => {
    const body = await respondToCloudFormation(withUrl(cfnEvent("Create", props)), context, (e) =>
      handleTopicRequest(e, async () => {
        throw new Error("Cannot connect to any broker");
      }),
    );
    expect(body).toMatchObject({ Status: "FAILED", PhysicalResourceId: "failed-req-1" });
    expect(body.Reason).toBe("topic orders: Cannot connect to any broker");
  });

  it("treats the Delete of a failed Create as done, and keeps an existing cluster's topic", async () => {
    const { admin, calls } = fakeAdmin({ orders: 6 });
    const deleteFailed = await respondToCloudFormation(
      withUrl(cfnEvent("Delete", props, "failed-req-0")),
      context,
      (e) => handleTopicRequest(e, async () => admin),
    );
    expect(deleteFailed.Status).toBe("SUCCESS");
    await respondToCloudFormation(
      withUrl(cfnEvent("Delete", { ...props, DeleteOnRemoval: "false" }, `${CLUSTER}|orders`)),
      context,
      (e) => handleTopicRequest(e, async () => admin),
    );
    expect(calls).toEqual([]);
    await respondToCloudFormation(withUrl(cfnEvent("Delete", props, `${CLUSTER}|orders`)), context, (e) =>
      handleTopicRequest(e, async () => admin),
    );
    expect(calls).toEqual(["delete orders"]);
  });

  it("answers FAILED before the function times out when the work hangs", async () => {
    const body = await respondToCloudFormation(
      withUrl(cfnEvent("Update", props, `${CLUSTER}|orders`)),
      { getRemainingTimeInMillis: () => 5_050 },
      () => new Promise(() => {}),
    );
    expect(body).toMatchObject({ Status: "FAILED", PhysicalResourceId: `${CLUSTER}|orders` });
    expect(body.Reason).toMatch(/timed out/);
  });
});
