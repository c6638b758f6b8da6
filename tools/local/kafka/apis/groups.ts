/**
 * The group coordinator's APIs: FindCoordinator (10, v0–v2), JoinGroup (11, v0–v5), SyncGroup
 * (14, v0–v3), Heartbeat (12, v0–v3), LeaveGroup (13, v0–v3), DescribeGroups (15, v0–v4) and
 * ListGroups (16, v0–v2). This broker coordinates every group. Static membership
 * (`group.instance.id`) is read and echoed but members are tracked by member id only.
 */
import type { Handler } from "../context.ts";
import { ErrorCode } from "../protocol/errors.ts";

const COORDINATOR_KEY_GROUP = 0;

export const findCoordinator: Handler = (ctx, _conn, header, r, w) => {
  const v = header.apiVersion;
  const key = r.string();
  const keyType = v >= 1 ? r.int8() : COORDINATOR_KEY_GROUP;
  const { nodeId, host, port } = ctx.settings;
  // transactions are not supported: there is no transaction coordinator to find
  const errorCode =
    keyType !== COORDINATOR_KEY_GROUP
      ? ErrorCode.INVALID_REQUEST
      : key === ""
        ? ErrorCode.INVALID_GROUP_ID
        : 0;
  if (v >= 1) w.int32(0);
  w.int16(errorCode);
  if (v >= 1) w.nullableString(errorCode === 0 ? null : "transactions are not supported by the local broker");
  if (errorCode === 0) w.int32(nodeId).string(host).int32(port);
  else w.int32(-1).string("").int32(-1);
};

export const joinGroup: Handler = async (ctx, conn, header, r, w) => {
  const v = header.apiVersion;
  const groupId = r.string();
  const sessionTimeoutMs = r.int32();
  const rebalanceTimeoutMs = v >= 1 ? r.int32() : sessionTimeoutMs;
  const memberId = r.string();
  const groupInstanceId = v >= 5 ? r.nullableString() : null;
  const protocolType = r.string();
  const protocols = r.array((r) => ({ name: r.string(), metadata: Buffer.from(r.bytes()) }));
  const result = await ctx.groups.join({
    groupId,
    memberId,
    groupInstanceId,
    clientId: header.clientId,
    clientHost: conn.clientHost,
    sessionTimeoutMs,
    rebalanceTimeoutMs,
    protocolType,
    protocols,
  });
  if (v >= 2) w.int32(0);
  w.int16(result.errorCode).int32(result.generationId).string(result.protocolName).string(result.leader);
  w.string(result.memberId);
  w.array(result.members, (w, m) => {
    w.string(m.memberId);
    if (v >= 5) w.nullableString(m.groupInstanceId);
    w.bytes(m.metadata);
  });
};

export const syncGroup: Handler = async (ctx, _conn, header, r, w) => {
  const v = header.apiVersion;
  const groupId = r.string();
  const generationId = r.int32();
  const memberId = r.string();
  if (v >= 3) r.nullableString(); // group_instance_id
  const assignments = r.array((r) => ({ memberId: r.string(), assignment: Buffer.from(r.bytes()) }));
  const result = await ctx.groups.sync(groupId, generationId, memberId, assignments);
  if (v >= 1) w.int32(0);
  w.int16(result.errorCode).bytes(result.assignment);
};

export const heartbeat: Handler = (ctx, _conn, header, r, w) => {
  const v = header.apiVersion;
  const groupId = r.string();
  const generationId = r.int32();
  const memberId = r.string();
  if (v >= 3) r.nullableString();
  if (v >= 1) w.int32(0);
  w.int16(ctx.groups.heartbeat(groupId, generationId, memberId));
};

export const leaveGroup: Handler = (ctx, _conn, header, r, w) => {
  const v = header.apiVersion;
  const groupId = r.string();
  if (v < 3) {
    const code = ctx.groups.leave(groupId, r.string());
    if (v >= 1) w.int32(0);
    w.int16(code);
    return;
  }
  const members = r.array((r) => ({ memberId: r.string(), groupInstanceId: r.nullableString() }));
  const codes = members.map((m) => ctx.groups.leave(groupId, m.memberId));
  w.int32(0).int16(ErrorCode.NONE);
  w.array(members, (w, m) => {
    w.string(m.memberId)
      .nullableString(m.groupInstanceId)
      .int16(codes[members.indexOf(m)] ?? 0);
  });
};

export const describeGroups: Handler = (ctx, _conn, header, r, w) => {
  const v = header.apiVersion;
  const ids = r.array((r) => r.string());
  if (v >= 3) r.bool(); // include_authorized_operations
  if (v >= 1) w.int32(0);
  w.array(ids, (w, id) => {
    const g = ctx.groups.describe(id);
    w.int16(ErrorCode.NONE).string(g.groupId).string(g.state).string(g.protocolType).string(g.protocol);
    w.array(g.members, (w, m) => {
      w.string(m.memberId);
      if (v >= 4) w.nullableString(m.groupInstanceId);
      w.string(m.clientId).string(m.clientHost).bytes(m.metadata).bytes(m.assignment);
    });
    if (v >= 3) w.int32(-2147483648); // authorized operations: not computed
  });
};

export const listGroups: Handler = (ctx, _conn, header, _r, w) => {
  if (header.apiVersion >= 1) w.int32(0);
  w.int16(ErrorCode.NONE);
  w.array(ctx.groups.list(), (w, g) => {
    w.string(g.groupId).string(g.protocolType);
  });
};
