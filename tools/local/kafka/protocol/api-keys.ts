/**
 * The APIs this broker speaks and the version range it advertises in ApiVersions.
 *
 * Every range stops below the API's first "flexible" version (KIP-482 compact encodings and
 * tagged fields), except ApiVersions v3 itself: librdkafka opens with a flexible ApiVersions v3
 * request, and answering it in kind lets it go on with the ranges below. Both kafkajs 2.x and
 * librdkafka ≥ 1.x pick the highest version inside these ranges; the ranges are where they overlap.
 */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
  SaslAuthenticate: 36,
} as const;

export type ApiName = keyof typeof ApiKey;

/**
 * Advertised [min, max] version per API in ApiVersions.
 *
 * Produce is advertised from v0 although only v3+ is accepted (see {@link ACCEPTED_VERSIONS}), as
 * Apache Kafka 4 does (KAFKA-18659): librdkafka before 2.10 turns gzip, snappy and lz4 on only
 * when the broker lists Produce v0, and otherwise sends those batches uncompressed ("Broker does
 * not support compression type gzip").
 */
export const SUPPORTED_VERSIONS: Readonly<Record<ApiName, readonly [number, number]>> = {
  Produce: [0, 7],
  Fetch: [4, 11],
  ListOffsets: [0, 3],
  Metadata: [1, 6],
  OffsetCommit: [0, 7],
  OffsetFetch: [0, 5],
  FindCoordinator: [0, 2],
  JoinGroup: [0, 5],
  Heartbeat: [0, 3],
  LeaveGroup: [0, 3],
  SyncGroup: [0, 3],
  DescribeGroups: [0, 4],
  ListGroups: [0, 2],
  SaslHandshake: [0, 1], // v0: raw SASL tokens follow; v1: SaslAuthenticate requests follow
  ApiVersions: [0, 3],
  CreateTopics: [0, 4],
  DeleteTopics: [0, 3],
  InitProducerId: [0, 1],
  SaslAuthenticate: [0, 1],
};

/**
 * Versions actually served, where they differ from the advertised range: a request outside gets
 * UNSUPPORTED_VERSION. Produce v0–v2 carry message formats v0/v1, which this broker (like Kafka 4)
 * does not take; v3 is the first with record batch v2.
 */
export const ACCEPTED_VERSIONS: Partial<Readonly<Record<ApiName, readonly [number, number]>>> = {
  Produce: [3, 7],
};

const NAME_BY_KEY = new Map<number, ApiName>(
  (Object.entries(ApiKey) as [ApiName, number][]).map(([name, key]) => [key, name]),
);

/** The API name for a key, or `undefined` when this broker does not implement it. */
export function apiName(key: number): ApiName | undefined {
  return NAME_BY_KEY.get(key);
}

/** Whether this broker serves `version` of API `key` (the accepted range, not the advertised one). */
export function isSupported(key: number, version: number): boolean {
  const name = apiName(key);
  if (name === undefined) return false;
  const [min, max] = ACCEPTED_VERSIONS[name] ?? SUPPORTED_VERSIONS[name];
  return version >= min && version <= max;
}
