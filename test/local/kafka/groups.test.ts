import { AssignerProtocol, type Consumer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KafkaBroker, startKafka } from "../../../tools/local/kafka/index.ts";
import { waitFor } from "../../helpers/wait.ts";
import { kafkajs, spawnKcat } from "./clients.ts";

interface Delivery {
  readonly member: number;
  readonly partition: number;
  readonly offset: number;
}

describe("consumer groups with real clients", () => {
  let broker: KafkaBroker;

  beforeAll(async () => {
    broker = await startKafka({ groups: { initialRebalanceDelayMs: 0 } });
  });
  afterAll(async () => {
    await broker.stop();
  });

  it("3 kafkajs members over 6 partitions consume every message once; a member leaves and nothing is lost", async () => {
    const client = kafkajs(broker.brokers);
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "payments", numPartitions: 6 }] });

    const deliveries: Delivery[] = [];
    const assignments = new Map<number, number[]>();
    const members: Consumer[] = [];
    for (let m = 0; m < 3; m++) {
      const consumer = client.consumer({
        groupId: "ledger",
        sessionTimeout: 6_000,
        heartbeatInterval: 200,
        maxWaitTimeInMs: 200,
      });
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        assignments.set(m, payload.memberAssignment.payments ?? []);
      });
      await consumer.connect();
      await consumer.subscribe({ topic: "payments", fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          deliveries.push({ member: m, partition, offset: Number(message.offset) });
        },
      });
      members.push(consumer);
    }
    const assignedEvenly = (memberIds: number[], each: number) => {
      const all = memberIds.flatMap((m) => assignments.get(m) ?? []);
      return (
        memberIds.every((m) => (assignments.get(m) ?? []).length === each) &&
        new Set(all).size === 6 &&
        all.length === 6
      );
    };
    await waitFor(() => assignedEvenly([0, 1, 2], 2), {
      timeoutMs: 20_000,
      description: "2 partitions per member",
    });

    const producer = client.producer();
    await producer.connect();
    const produce = (round: string) =>
      producer.send({
        topic: "payments",
        messages: Array.from({ length: 60 }, (_, i) => ({ partition: i % 6, value: `${round}-${i}` })),
      });
    const committed = async () => {
      const [t] = await admin.fetchOffsets({ groupId: "ledger", topics: ["payments"] });
      return (t?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    };

    await produce("first");
    await waitFor(() => deliveries.length >= 60, { timeoutMs: 20_000, description: "first 60 deliveries" });
    await waitFor(async () => (await committed()) === 60, {
      timeoutMs: 20_000,
      description: "first 60 committed",
    });
    for (const p of [0, 1, 2, 3, 4, 5]) {
      expect(new Set(deliveries.filter((d) => d.partition === p).map((d) => d.member)).size).toBe(1);
    }

    await members[2]?.disconnect(); // LeaveGroup → rebalance
    await waitFor(() => assignedEvenly([0, 1], 3), {
      timeoutMs: 20_000,
      description: "3 partitions per survivor",
    });
    await produce("second");
    await waitFor(() => deliveries.length >= 120, { timeoutMs: 20_000, description: "120 deliveries" });
    await waitFor(async () => (await committed()) === 120, {
      timeoutMs: 20_000,
      description: "120 committed",
    });

    const keys = deliveries.map((d) => `${d.partition}:${d.offset}`);
    expect(new Set(keys).size).toBe(120); // nothing lost…
    expect(keys).toHaveLength(120); // …and nothing twice
    expect(deliveries.filter((d) => d.offset >= 10).every((d) => d.member !== 2)).toBe(true);
    const groups = await admin.describeGroups(["ledger"]);
    expect(groups.groups[0]).toMatchObject({
      state: "Stable",
      members: [expect.anything(), expect.anything()],
    });

    await Promise.all([members[0]?.disconnect(), members[1]?.disconnect(), producer.disconnect()]);
    await admin.disconnect();
  });

  it("a member that stops heartbeating (kcat killed) is dropped after its session timeout", async () => {
    const admin = kafkajs(broker.brokers).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "crashy", numPartitions: 4 }] });
    const args = (name: string) => [
      "-b",
      broker.brokers[0] as string,
      "-G",
      "crash-group",
      "-X",
      "session.timeout.ms=3000",
      "-X",
      "heartbeat.interval.ms=200",
      "-X",
      `client.id=${name}`,
      "-q",
      "crashy",
    ];
    const survivor = spawnKcat(args("survivor"));
    const victim = spawnKcat(args("victim"));
    try {
      const members = async () => (await admin.describeGroups(["crash-group"])).groups[0];
      await waitFor(
        async () => (await members())?.state === "Stable" && (await members())?.members.length === 2,
        {
          timeoutMs: 20_000,
          description: "two kcat members",
        },
      );
      victim.child.kill("SIGKILL"); // no LeaveGroup: only the session timeout can notice
      await waitFor(
        async () => {
          const g = await members();
          return g?.state === "Stable" && g.members.length === 1 && g.members[0]?.clientId === "survivor";
        },
        { timeoutMs: 20_000, description: "survivor alone in the group" },
      );
      const survivorMember = (await members())?.members[0];
      const assignment = AssignerProtocol.MemberAssignment.decode(
        survivorMember?.memberAssignment ?? Buffer.alloc(0),
      );
      expect(assignment?.assignment.crashy?.sort()).toEqual([0, 1, 2, 3]);
    } finally {
      victim.child.kill("SIGKILL");
      survivor.child.kill("SIGTERM");
      await admin.disconnect();
    }
  });
});
