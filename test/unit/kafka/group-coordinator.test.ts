import { afterEach, describe, expect, it } from "vitest";
import { GroupCoordinator, type JoinRequest } from "../../../tools/local/kafka/state/group-coordinator.ts";
import { waitFor } from "../../helpers/wait.ts";

const join = (overrides: Partial<JoinRequest> = {}): JoinRequest => ({
  groupId: "g",
  memberId: "",
  groupInstanceId: null,
  clientId: "c",
  clientHost: "/127.0.0.1",
  sessionTimeoutMs: 1_000,
  rebalanceTimeoutMs: 5_000,
  protocolType: "consumer",
  protocols: [{ name: "range", metadata: Buffer.from("m") }],
  ...overrides,
});

describe("GroupCoordinator", () => {
  let coordinator: GroupCoordinator;
  afterEach(() => coordinator.stop());

  it("forms a generation, hands the leader the member list and every member its assignment", async () => {
    coordinator = new GroupCoordinator({ initialRebalanceDelayMs: 0 });
    const a = await coordinator.join(join());
    expect(a).toMatchObject({ errorCode: 0, generationId: 1, protocolName: "range" });
    expect(a.leader).toBe(a.memberId);
    expect(
      await coordinator.sync("g", 1, a.memberId, [{ memberId: a.memberId, assignment: Buffer.from("p0") }]),
    ).toEqual({
      errorCode: 0,
      assignment: Buffer.from("p0"),
    });
    expect(coordinator.describe("g").state).toBe("Stable");

    // a second member joins: the first learns of the rebalance from its heartbeat and re-joins
    const bJoin = coordinator.join(join());
    expect(coordinator.heartbeat("g", 1, a.memberId)).toBe(27); // REBALANCE_IN_PROGRESS
    const aAgain = await coordinator.join(join({ memberId: a.memberId }));
    const b = await bJoin;
    expect([aAgain.generationId, b.generationId]).toEqual([2, 2]);
    expect(aAgain.members.map((m) => m.memberId).sort()).toEqual([a.memberId, b.memberId].sort());
    expect(b.members).toEqual([]); // only the leader gets the list

    const bSync = coordinator.sync("g", 2, b.memberId, []);
    expect(coordinator.heartbeat("g", 1, a.memberId)).toBe(22); // ILLEGAL_GENERATION
    await coordinator.sync("g", 2, a.memberId, [
      { memberId: a.memberId, assignment: Buffer.from("p0") },
      { memberId: b.memberId, assignment: Buffer.from("p1") },
    ]);
    expect((await bSync).assignment.toString()).toBe("p1");
    expect(coordinator.heartbeat("g", 2, b.memberId)).toBe(0);
  });

  it("rebalances when a member leaves and empties the group when the last one does", async () => {
    coordinator = new GroupCoordinator({ initialRebalanceDelayMs: 0 });
    const a = await coordinator.join(join());
    await coordinator.sync("g", a.generationId, a.memberId, []);
    expect(coordinator.leave("g", a.memberId)).toBe(0);
    expect(coordinator.describe("g")).toMatchObject({ state: "Empty", members: [] });
    expect(coordinator.leave("g", a.memberId)).toBe(25); // UNKNOWN_MEMBER_ID
  });

  it("drops a member that misses its session timeout", async () => {
    coordinator = new GroupCoordinator({ initialRebalanceDelayMs: 0, minSessionTimeoutMs: 100 });
    const a = await coordinator.join(join({ sessionTimeoutMs: 150 }));
    await coordinator.sync("g", a.generationId, a.memberId, []);
    await waitFor(() => coordinator.describe("g").state === "Empty", { description: "member expired" });
    expect(coordinator.heartbeat("g", a.generationId, a.memberId)).toBe(25);
  });

  it("refuses session timeouts out of range and groups without a common protocol", async () => {
    coordinator = new GroupCoordinator({
      initialRebalanceDelayMs: 0,
      minSessionTimeoutMs: 1_000,
      maxSessionTimeoutMs: 10_000,
    });
    expect((await coordinator.join(join({ sessionTimeoutMs: 500 }))).errorCode).toBe(26);
    expect((await coordinator.join(join({ sessionTimeoutMs: 60_000 }))).errorCode).toBe(26);
    await coordinator.join(join());
    const other = await coordinator.join(
      join({ protocols: [{ name: "roundrobin", metadata: Buffer.alloc(0) }] }),
    );
    expect(other.errorCode).toBe(23); // INCONSISTENT_GROUP_PROTOCOL
  });

  it("stores offsets per group and partition; a simple commit needs an empty group", async () => {
    coordinator = new GroupCoordinator({ initialRebalanceDelayMs: 0 });
    expect(
      coordinator.commit("solo", -1, "", [{ topic: "t", partition: 0, offset: 5, metadata: null }]),
    ).toBe(0);
    expect(coordinator.committed("solo", "t", 0)).toEqual({ offset: 5, metadata: null });
    expect(coordinator.committed("other", "t", 0)).toBeUndefined();
    const a = await coordinator.join(join({ groupId: "solo" }));
    expect(coordinator.commit("solo", -1, "", [])).toBe(22);
    expect(coordinator.commit("solo", a.generationId, a.memberId, [])).toBe(27); // still CompletingRebalance
    await coordinator.sync("solo", a.generationId, a.memberId, []);
    expect(
      coordinator.commit("solo", a.generationId, a.memberId, [
        { topic: "t", partition: 0, offset: 9, metadata: "m" },
      ]),
    ).toBe(0);
    expect(coordinator.committedTopics("solo")).toEqual([{ topic: "t", partitions: [0] }]);
  });
});
