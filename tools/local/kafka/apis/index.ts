/** The request handler for every implemented API. */
import type { Handler } from "../context.ts";
import type { ApiName } from "../protocol/api-keys.ts";
import { createTopics, deleteTopics } from "./admin.ts";
import { apiVersions } from "./api-versions.ts";
import { fetch } from "./fetch.ts";
import {
  describeGroups,
  findCoordinator,
  heartbeat,
  joinGroup,
  leaveGroup,
  listGroups,
  syncGroup,
} from "./groups.ts";
import { initProducerId } from "./init-producer-id.ts";
import { listOffsets } from "./list-offsets.ts";
import { metadata } from "./metadata.ts";
import { offsetCommit, offsetFetch } from "./offsets.ts";
import { produce } from "./produce.ts";
import { saslAuthenticate, saslHandshake } from "./sasl.ts";

export const HANDLERS: Readonly<Record<ApiName, Handler>> = {
  Produce: produce,
  Fetch: fetch,
  ListOffsets: listOffsets,
  Metadata: metadata,
  OffsetCommit: offsetCommit,
  OffsetFetch: offsetFetch,
  FindCoordinator: findCoordinator,
  JoinGroup: joinGroup,
  Heartbeat: heartbeat,
  LeaveGroup: leaveGroup,
  SyncGroup: syncGroup,
  DescribeGroups: describeGroups,
  ListGroups: listGroups,
  SaslHandshake: saslHandshake,
  ApiVersions: apiVersions,
  CreateTopics: createTopics,
  DeleteTopics: deleteTopics,
  InitProducerId: initProducerId,
  SaslAuthenticate: saslAuthenticate,
};
