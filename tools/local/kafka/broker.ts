/**
 * `startKafka()`: a single-node, in-memory broker speaking the Kafka wire protocol on TCP, for
 * running and testing Kafka (MSK) code locally with real clients (kafkajs, librdkafka/kcat, …).
 * See README.md beside this file for the supported APIs and the differences from MSK.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Socket } from "node:net";
import { MAX_PARTITIONS } from "./apis/admin.ts";
import { Connection } from "./connection.ts";
import type { BrokerContext, BrokerSettings, SaslMechanism } from "./context.ts";
import { type CompressionName, compressionName, parseBatchHeader } from "./protocol/records.ts";
import { GroupCoordinator, type GroupOptions } from "./state/group-coordinator.ts";
import type { PartitionLog } from "./state/partition-log.ts";
import { ProducerState } from "./state/producer-state.ts";
import { isValidTopicName, TopicRegistry } from "./state/topics.ts";

export interface KafkaOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Address to listen on and to advertise to clients in Metadata. @default "127.0.0.1" */
  readonly host?: string;
  /** Create a topic the first time a client asks for its metadata (`auto.create.topics.enable`). @default true */
  readonly autoCreateTopics?: boolean;
  /** Partitions of an auto-created topic, or of CreateTopics with −1 (`num.partitions`). @default 1 */
  readonly defaultPartitions?: number;
  /** Topics to create at start-up. @default none */
  readonly topics?: readonly { readonly name: string; readonly partitions?: number }[];
  /** Keep at most about this many records per partition (Kafka has no such setting; this bounds memory). @default unlimited */
  readonly retentionMessages?: number;
  /** Keep at most about this many bytes per partition (`retention.bytes`). @default unlimited */
  readonly retentionBytes?: number;
  /**
   * Largest record batch accepted (`message.max.bytes`). MSK Serverless allows 8 MiB; Kafka's
   * default is 1 MiB + 12 B, too small for a 1 MiB record with its batch header. @default 8 MiB
   */
  readonly maxMessageBytes?: number;
  /** Largest request frame (`socket.request.max.bytes`). @default 100 MiB */
  readonly maxRequestBytes?: number;
  /** SASL mechanisms offered in SaslHandshake. @default ["PLAIN", "OAUTHBEARER"] */
  readonly saslMechanisms?: readonly SaslMechanism[];
  /**
   * Refuse every request but ApiVersions and SASL until the connection has authenticated, as a
   * SASL listener does (MSK's IAM port 9098). When false, SASL is optional: a client may still
   * authenticate (the handshake and credentials are checked the same way) or skip it. @default false
   */
  readonly requireSasl?: boolean;
  /** SASL/PLAIN users and passwords to check; when unset any credentials are accepted. @default unset */
  readonly plainUsers?: Readonly<Record<string, string>>;
  /**
   * Consumer group session and rebalance settings; `initialRebalanceDelayMs` defaults to Kafka's
   * 3 s (`group.initial.rebalance.delay.ms`): pass 0 where one consumer must start reading at once.
   */
  readonly groups?: GroupOptions;
  /** Broker id reported in Metadata. @default 1 */
  readonly nodeId?: number;
  /** Diagnostic lines (closed connections, unsupported requests). @default ignored */
  readonly log?: (line: string) => void;
}

export interface TopicInfo {
  readonly name: string;
  readonly partitions: readonly {
    readonly partition: number;
    readonly logStartOffset: number;
    readonly highWatermark: number;
    readonly bytes: number;
  }[];
}

/** One stored record batch (see {@link KafkaBroker.batches}). */
export interface BatchInfo {
  readonly baseOffset: number;
  readonly recordCount: number;
  /** The codec in the batch's attributes, as the producer sent it. */
  readonly compression: CompressionName;
  readonly bytes: number;
}

export interface KafkaBroker {
  /** Bootstrap servers for clients, e.g. `["127.0.0.1:41237"]`. */
  readonly brokers: string[];
  readonly host: string;
  readonly port: number;
  /** Topics with their partitions' offsets and sizes. */
  topics(): TopicInfo[];
  /**
   * Creates a topic, as CreateTopics would (MSK has no CloudFormation topic resource, so the local
   * cloud creates the topics a stack's custom resource would). Returns false if it already exists.
   * @throws RangeError on an illegal name or partition count
   */
  createTopic(name: string, partitions?: number): boolean;
  /**
   * The record batches a partition holds, as stored (codec and record count per batch): what was
   * on the wire, for tests that must tell a compressed batch from an uncompressed one.
   * Empty for an unknown topic or partition.
   */
  batches(topic: string, partition: number): BatchInfo[];
  /** Closes every connection and the listener. */
  stop(): Promise<void>;
}

/** Starts a broker; resolves once it is listening. */
export async function startKafka(options: KafkaOptions = {}): Promise<KafkaBroker> {
  const log = options.log ?? (() => {});
  const defaultPartitions = options.defaultPartitions ?? 1;
  if (!Number.isInteger(defaultPartitions) || defaultPartitions < 1 || defaultPartitions > MAX_PARTITIONS) {
    throw new RangeError(
      `defaultPartitions must be an integer from 1 to ${MAX_PARTITIONS}, got ${defaultPartitions}`,
    );
  }
  const settings: BrokerSettings = {
    nodeId: options.nodeId ?? 1,
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
    clusterId: randomBytes(16).toString("base64url").slice(0, 22),
    autoCreateTopics: options.autoCreateTopics ?? true,
    defaultPartitions,
    maxMessageBytes: options.maxMessageBytes ?? 8 * 1024 * 1024,
    saslMechanisms: options.saslMechanisms ?? ["PLAIN", "OAUTHBEARER"],
    requireSasl: options.requireSasl ?? false,
    plainUsers: options.plainUsers,
  };
  const topics = new TopicRegistry({
    retentionMessages: options.retentionMessages,
    retentionBytes: options.retentionBytes,
  });
  const groups = new GroupCoordinator(options.groups);
  const waiters = new Set<() => void>();

  const ctx: BrokerContext = {
    settings,
    topics,
    groups,
    producers: new ProducerState(),
    autoCreate(name) {
      if (!settings.autoCreateTopics || !isValidTopicName(name)) return false;
      if (!topics.get(name)) topics.create(name, settings.defaultPartitions);
      return true;
    },
    waitForData(logs: readonly PartitionLog[], timeoutMs: number) {
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          unsubscribe();
          waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(Math.max(0, timeoutMs), 2 ** 31 - 1)); // setTimeout's limit
        const unsubscribe = topics.onAppend((appended) => {
          if (logs.includes(appended)) done();
        });
        waiters.add(done);
      });
    },
  };

  const sockets = new Set<Socket>();
  const maxRequestBytes = options.maxRequestBytes ?? 100 * 1024 * 1024;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    try {
      new Connection(socket, ctx, maxRequestBytes, log);
    } catch (error) {
      log(`connection setup failed: ${String(error)}`);
      socket.destroy();
    }
  });
  server.on("error", (error) => log(`listener error: ${error.message}`));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(settings.port, settings.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    groups.stop(); // e.g. EADDRINUSE: leave no timer behind
    throw error;
  }
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the broker has no TCP address");
  settings.port = address.port;

  const handle: KafkaBroker = {
    brokers: [`${settings.host}:${settings.port}`],
    host: settings.host,
    port: settings.port,
    topics: () =>
      topics.list().map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partition: p.partition,
          logStartOffset: p.logStartOffset,
          highWatermark: p.highWatermark,
          bytes: p.bytes,
        })),
      })),
    createTopic(name, partitions = defaultPartitions) {
      if (!isValidTopicName(name)) throw new RangeError(`illegal topic name ${JSON.stringify(name)}`);
      if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
        throw new RangeError(`partitions must be an integer from 1 to ${MAX_PARTITIONS}, got ${partitions}`);
      }
      if (topics.get(name)) return false;
      topics.create(name, partitions);
      return true;
    },
    batches(topic, partition) {
      const log = topics.partition(topic, partition);
      if (log === undefined) return [];
      return log.storedBatches().map((data) => {
        const h = parseBatchHeader(data, false);
        return {
          baseOffset: h.baseOffset,
          recordCount: h.recordCount,
          compression: compressionName(h.compression),
          bytes: data.length,
        };
      });
    },
    async stop() {
      groups.stop();
      for (const done of [...waiters]) done();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
  try {
    for (const t of options.topics ?? []) handle.createTopic(t.name, t.partitions);
  } catch (error) {
    await handle.stop();
    throw error;
  }
  return handle;
}
