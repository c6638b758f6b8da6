import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  GroupCoordinator,
  type JoinRequest,
  type JoinResult,
} from "../../../tools/local/kafka/state/group-coordinator.ts";

const join = (clientId: string): JoinRequest => ({
  groupId: "new-group",
  memberId: "",
  groupInstanceId: null,
  clientId,
  clientHost: "/127.0.0.1",
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: 60_000,
  protocolType: "consumer",
  protocols: [{ name: "range", metadata: Buffer.alloc(0) }],
});

describe("group.initial.rebalance.delay.ms", () => {
  let coordinator: GroupCoordinator | undefined;
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    coordinator?.stop();
    vi.useRealTimers();
  });

  it("defaults to Kafka's 3 s, so members starting together land in the first generation", async () => {
    coordinator = new GroupCoordinator();
    const results: JoinResult[] = [];
    void coordinator.join(join("first")).then((r) => results.push(r));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(results).toHaveLength(0); // the first member alone does not complete the rebalance
    void coordinator.join(join("second")).then((r) => results.push(r));
    await vi.advanceTimersByTimeAsync(900);
    expect(results).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(300);
    expect(results).toHaveLength(2);
    expect(results.map((r) => r.generationId)).toEqual([1, 1]);
    expect(results.find((r) => r.memberId === r.leader)?.members).toHaveLength(2);
  });

  it("is configurable, and 0 completes the first join at once", async () => {
    coordinator = new GroupCoordinator({ initialRebalanceDelayMs: 0 });
    const results: JoinResult[] = [];
    void coordinator.join(join("only")).then((r) => results.push(r));
    await vi.advanceTimersByTimeAsync(0);
    expect(results).toHaveLength(1);
    expect(results[0]?.members).toHaveLength(1);
  });
});
