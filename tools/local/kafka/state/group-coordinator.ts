/**
 * Consumer groups (the classic protocol: JoinGroup / SyncGroup / Heartbeat / LeaveGroup).
 *
 * A group moves Empty → PreparingRebalance → CompletingRebalance → Stable. A rebalance starts when
 * a member joins, leaves, or misses its session timeout; it completes when every known member has
 * re-joined or the rebalance timeout has passed (members that did not re-join are dropped). The
 * generation increases on every completed rebalance; the first member (or the previous leader)
 * leads and computes the assignment, which SyncGroup hands to every member. Offsets are stored
 * per group and partition, independent of membership, as Kafka's `__consumer_offsets` does.
 */
import { randomUUID } from "node:crypto";
import { ErrorCode } from "../protocol/errors.ts";

export type GroupState = "Empty" | "PreparingRebalance" | "CompletingRebalance" | "Stable" | "Dead";

export interface GroupOptions {
  /** Smallest session timeout a member may ask for (Kafka `group.min.session.timeout.ms` is 6 s). @default 1000 */
  readonly minSessionTimeoutMs?: number;
  /** Largest session timeout a member may ask for (`group.max.session.timeout.ms`). @default 1_800_000 */
  readonly maxSessionTimeoutMs?: number;
  /**
   * Delay before the first rebalance of an empty group completes, so members starting together
   * land in one generation (`group.initial.rebalance.delay.ms`). Without it the first member of a
   * new group takes every partition and the next members force a second rebalance at once. Tests
   * that start one member and want it to read at once pass 0. @default 3000 (Kafka's default)
   */
  readonly initialRebalanceDelayMs?: number;
}

/** Kafka's `group.initial.rebalance.delay.ms` default. */
export const DEFAULT_INITIAL_REBALANCE_DELAY_MS = 3_000;

export interface Protocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface JoinRequest {
  readonly groupId: string;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly protocolType: string;
  readonly protocols: readonly Protocol[];
}

export interface JoinResult {
  readonly errorCode: number;
  readonly generationId: number;
  readonly protocolName: string;
  readonly leader: string;
  readonly memberId: string;
  readonly members: readonly { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncResult {
  readonly errorCode: number;
  readonly assignment: Buffer;
}

export interface CommittedOffset {
  readonly offset: number;
  readonly metadata: string | null;
}

interface Member {
  readonly id: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: readonly Protocol[];
  assignment: Buffer;
  lastSeen: number;
  pendingJoin?: (r: JoinResult) => void;
  pendingSync?: (r: SyncResult) => void;
}

export interface GroupDescription {
  readonly groupId: string;
  readonly state: GroupState;
  readonly protocolType: string;
  readonly protocol: string;
  readonly generationId: number;
  readonly members: readonly {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    metadata: Buffer;
    assignment: Buffer;
  }[];
}

class Group {
  state: GroupState = "Empty";
  generationId = 0;
  protocolType = "";
  protocol = "";
  leaderId = "";
  readonly members = new Map<string, Member>();
  readonly offsets = new Map<string, Map<number, CommittedOffset>>();
  rebalanceDeadline = 0;

  constructor(readonly id: string) {}
}

const EMPTY = Buffer.alloc(0);

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly timer: NodeJS.Timeout;
  private readonly minSession: number;
  private readonly maxSession: number;
  private readonly initialDelay: number;

  constructor(options: GroupOptions = {}) {
    this.minSession = options.minSessionTimeoutMs ?? 1000;
    this.maxSession = options.maxSessionTimeoutMs ?? 1_800_000;
    this.initialDelay = options.initialRebalanceDelayMs ?? DEFAULT_INITIAL_REBALANCE_DELAY_MS;
    this.timer = setInterval(() => this.sweep(Date.now()), 50);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    for (const group of this.groups.values()) {
      for (const m of group.members.values()) this.failPending(m, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
  }

  private group(id: string): Group {
    let g = this.groups.get(id);
    if (g === undefined) {
      g = new Group(id);
      this.groups.set(id, g);
    }
    return g;
  }

  private failPending(m: Member, errorCode: number): void {
    m.pendingJoin?.({
      errorCode,
      generationId: -1,
      protocolName: "",
      leader: "",
      memberId: m.id,
      members: [],
    });
    m.pendingJoin = undefined;
    m.pendingSync?.({ errorCode, assignment: EMPTY });
    m.pendingSync = undefined;
  }

  join(req: JoinRequest): Promise<JoinResult> {
    const fail = (errorCode: number): Promise<JoinResult> =>
      Promise.resolve({
        errorCode,
        generationId: -1,
        protocolName: "",
        leader: "",
        memberId: req.memberId,
        members: [],
      });
    if (req.groupId === "") return fail(ErrorCode.INVALID_GROUP_ID);
    if (req.sessionTimeoutMs < this.minSession || req.sessionTimeoutMs > this.maxSession) {
      return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    const g = this.group(req.groupId);
    if (req.protocols.length === 0 || (g.members.size > 0 && g.protocolType !== req.protocolType)) {
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    if (g.members.size > 0 && !this.commonProtocol(g, req.protocols)) {
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    let member: Member | undefined;
    if (req.memberId === "") {
      member = {
        id: `${req.clientId || "member"}-${randomUUID()}`,
        groupInstanceId: req.groupInstanceId,
        clientId: req.clientId,
        clientHost: req.clientHost,
        sessionTimeoutMs: req.sessionTimeoutMs,
        rebalanceTimeoutMs: req.rebalanceTimeoutMs,
        protocols: req.protocols,
        assignment: EMPTY,
        lastSeen: Date.now(),
      };
      g.members.set(member.id, member);
    } else {
      member = g.members.get(req.memberId);
      if (member === undefined) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      this.failPending(member, ErrorCode.REBALANCE_IN_PROGRESS);
      member.protocols = req.protocols;
      member.sessionTimeoutMs = req.sessionTimeoutMs;
      member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
      member.lastSeen = Date.now();
    }
    g.protocolType = req.protocolType;
    if (g.leaderId === "" || !g.members.has(g.leaderId)) g.leaderId = member.id;
    const joined = member;
    const result = new Promise<JoinResult>((resolve) => {
      joined.pendingJoin = resolve;
    });
    if (g.state !== "PreparingRebalance") this.prepareRebalance(g);
    this.tryCompleteJoin(g, Date.now());
    return result;
  }

  private commonProtocol(g: Group, extra?: readonly Protocol[]): string | undefined {
    const leader = g.members.get(g.leaderId);
    const candidates = (leader?.protocols ?? extra ?? []).map((p) => p.name);
    const all = [...g.members.values()].map((m) => m.protocols);
    if (extra) all.push(extra);
    return candidates.find((name) => all.every((ps) => ps.some((p) => p.name === name)));
  }

  private prepareRebalance(g: Group): void {
    const now = Date.now();
    const wasEmpty = g.state === "Empty";
    g.state = "PreparingRebalance";
    for (const m of g.members.values()) {
      if (m.pendingSync) {
        m.pendingSync({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
        m.pendingSync = undefined;
      }
    }
    const rebalanceTimeout = Math.max(0, ...[...g.members.values()].map((m) => m.rebalanceTimeoutMs));
    // a negative deadline marks the initial delay of an empty group (see tryCompleteJoin)
    g.rebalanceDeadline =
      wasEmpty && this.initialDelay > 0 ? -(now + this.initialDelay) : now + rebalanceTimeout;
  }

  private tryCompleteJoin(g: Group, now: number): void {
    if (g.state !== "PreparingRebalance") return;
    if (g.rebalanceDeadline < 0) {
      // initial delay for an empty group: wait it out, then complete with whoever joined
      if (now < -g.rebalanceDeadline) return;
      g.rebalanceDeadline = now;
    }
    const all = [...g.members.values()];
    const everyoneJoined = all.every((m) => m.pendingJoin !== undefined);
    if (!everyoneJoined && now < g.rebalanceDeadline) return;
    for (const m of all) if (m.pendingJoin === undefined) g.members.delete(m.id);
    this.completeJoin(g, now);
  }

  private completeJoin(g: Group, now: number): void {
    g.generationId++;
    if (g.members.size === 0) {
      g.state = "Empty";
      g.protocol = "";
      g.leaderId = "";
      return;
    }
    if (!g.members.has(g.leaderId)) g.leaderId = g.members.keys().next().value as string;
    g.protocol = this.commonProtocol(g) ?? "";
    g.state = "CompletingRebalance";
    const memberList = [...g.members.values()].map((m) => ({
      memberId: m.id,
      groupInstanceId: m.groupInstanceId,
      metadata: m.protocols.find((p) => p.name === g.protocol)?.metadata ?? EMPTY,
    }));
    for (const m of g.members.values()) {
      const resolve = m.pendingJoin;
      m.pendingJoin = undefined;
      m.lastSeen = now;
      resolve?.({
        errorCode: ErrorCode.NONE,
        generationId: g.generationId,
        protocolName: g.protocol,
        leader: g.leaderId,
        memberId: m.id,
        members: m.id === g.leaderId ? memberList : [],
      });
    }
  }

  sync(
    groupId: string,
    generationId: number,
    memberId: string,
    assignments: readonly { memberId: string; assignment: Buffer }[],
  ): Promise<SyncResult> {
    const g = this.groups.get(groupId);
    const member = g?.members.get(memberId);
    if (g === undefined || member === undefined) {
      return Promise.resolve({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    }
    if (generationId !== g.generationId) {
      return Promise.resolve({ errorCode: ErrorCode.ILLEGAL_GENERATION, assignment: EMPTY });
    }
    member.lastSeen = Date.now();
    if (g.state === "PreparingRebalance") {
      return Promise.resolve({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
    }
    if (g.state === "Stable")
      return Promise.resolve({ errorCode: ErrorCode.NONE, assignment: member.assignment });
    const result = new Promise<SyncResult>((resolve) => {
      member.pendingSync = resolve;
    });
    if (memberId === g.leaderId) {
      const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
      for (const m of g.members.values()) {
        m.assignment = byMember.get(m.id) ?? EMPTY;
      }
      g.state = "Stable";
      for (const m of g.members.values()) {
        const resolve = m.pendingSync;
        m.pendingSync = undefined;
        resolve?.({ errorCode: ErrorCode.NONE, assignment: m.assignment });
      }
    }
    return result;
  }

  heartbeat(groupId: string, generationId: number, memberId: string): number {
    const g = this.groups.get(groupId);
    const member = g?.members.get(memberId);
    if (g === undefined || member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    member.lastSeen = Date.now();
    if (g.state === "PreparingRebalance") return ErrorCode.REBALANCE_IN_PROGRESS;
    if (generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION;
    return ErrorCode.NONE;
  }

  leave(groupId: string, memberId: string): number {
    const g = this.groups.get(groupId);
    const member = g?.members.get(memberId);
    if (g === undefined || member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMembers(g, [member]);
    return ErrorCode.NONE;
  }

  private removeMembers(g: Group, members: readonly Member[]): void {
    for (const m of members) {
      this.failPending(m, ErrorCode.UNKNOWN_MEMBER_ID);
      g.members.delete(m.id);
    }
    if (g.state === "Stable" || g.state === "CompletingRebalance") {
      if (g.members.size === 0) {
        g.state = "Empty";
        g.generationId++;
        g.protocol = "";
        g.leaderId = "";
      } else this.prepareRebalance(g);
    }
    this.tryCompleteJoin(g, Date.now());
  }

  private sweep(now: number): void {
    for (const g of this.groups.values()) {
      const expired = [...g.members.values()].filter(
        (m) => m.pendingJoin === undefined && now - m.lastSeen > m.sessionTimeoutMs,
      );
      if (expired.length > 0) this.removeMembers(g, expired);
      this.tryCompleteJoin(g, now);
    }
  }

  /** OffsetCommit: `generationId` −1 with an empty member id is a "simple" commit outside any group membership. */
  commit(
    groupId: string,
    generationId: number,
    memberId: string,
    offsets: readonly { topic: string; partition: number; offset: number; metadata: string | null }[],
  ): number {
    if (groupId === "") return ErrorCode.INVALID_GROUP_ID;
    const g = this.group(groupId);
    if (generationId >= 0 || memberId !== "") {
      const member = g.members.get(memberId);
      if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION;
      if (g.state === "CompletingRebalance") return ErrorCode.REBALANCE_IN_PROGRESS;
      member.lastSeen = Date.now();
    } else if (g.members.size > 0) {
      return ErrorCode.ILLEGAL_GENERATION;
    }
    for (const o of offsets) {
      let byPartition = g.offsets.get(o.topic);
      if (byPartition === undefined) {
        byPartition = new Map();
        g.offsets.set(o.topic, byPartition);
      }
      byPartition.set(o.partition, { offset: o.offset, metadata: o.metadata });
    }
    return ErrorCode.NONE;
  }

  committed(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(groupId)?.offsets.get(topic)?.get(partition);
  }

  /** Topics and partitions with a committed offset (OffsetFetch with a null topic list). */
  committedTopics(groupId: string): { topic: string; partitions: number[] }[] {
    const g = this.groups.get(groupId);
    if (g === undefined) return [];
    return [...g.offsets].map(([topic, parts]) => ({ topic, partitions: [...parts.keys()] }));
  }

  describe(groupId: string): GroupDescription {
    const g = this.groups.get(groupId);
    if (g === undefined) {
      return { groupId, state: "Dead", protocolType: "", protocol: "", generationId: -1, members: [] };
    }
    return {
      groupId,
      state: g.state,
      protocolType: g.protocolType,
      protocol: g.protocol,
      generationId: g.generationId,
      members: [...g.members.values()].map((m) => ({
        memberId: m.id,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: m.protocols.find((p) => p.name === g.protocol)?.metadata ?? EMPTY,
        assignment: m.assignment,
      })),
    };
  }

  list(): { groupId: string; protocolType: string }[] {
    return [...this.groups.values()]
      .filter((g) => g.members.size > 0 || g.offsets.size > 0)
      .map((g) => ({ groupId: g.id, protocolType: g.protocolType }));
  }
}
