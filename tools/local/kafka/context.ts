/** What request handlers see: the broker's state and settings, and the connection they serve. */
import type { Reader } from "./protocol/reader.ts";
import type { Writer } from "./protocol/writer.ts";
import type { GroupCoordinator } from "./state/group-coordinator.ts";
import type { PartitionLog } from "./state/partition-log.ts";
import type { ProducerState } from "./state/producer-state.ts";
import type { TopicRegistry } from "./state/topics.ts";

export type SaslMechanism = "PLAIN" | "OAUTHBEARER";

export interface BrokerSettings {
  readonly nodeId: number;
  readonly host: string;
  port: number;
  readonly clusterId: string;
  readonly autoCreateTopics: boolean;
  readonly defaultPartitions: number;
  readonly maxMessageBytes: number;
  readonly saslMechanisms: readonly SaslMechanism[];
  readonly requireSasl: boolean;
  readonly plainUsers: Readonly<Record<string, string>> | undefined;
}

export interface BrokerContext {
  readonly settings: BrokerSettings;
  readonly topics: TopicRegistry;
  readonly groups: GroupCoordinator;
  readonly producers: ProducerState;
  /** Resolves when any of `logs` gets an append, after `timeoutMs`, or when the broker stops. */
  waitForData(logs: readonly PartitionLog[], timeoutMs: number): Promise<void>;
  /** Creates a topic if auto-creation is on and the name is legal; returns whether it exists now. */
  autoCreate(name: string): boolean;
}

export interface ConnectionState {
  readonly clientHost: string;
  clientId: string;
  saslMechanism: SaslMechanism | undefined;
  /** After a SaslHandshake v0 the next frame is a bare SASL token, not a Kafka request. */
  rawSaslNext: boolean;
  /** Whether a SASL exchange completed on this connection (required first only with `requireSasl`). */
  authenticated: boolean;
  /** The authenticated principal (the PLAIN user name, or "oauthbearer"). */
  principal: string | undefined;
}

export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string;
}

/** What a handler returns: `"none"` means send no response (Produce with acks=0). */
// biome-ignore lint/suspicious/noConfusingVoidType: most handlers return nothing; Produce with acks=0 returns "none"
export type HandlerResult = void | "none";

/** Decodes one request body from `r` and writes the response body to `w`. */
export type Handler = (
  ctx: BrokerContext,
  conn: ConnectionState,
  header: RequestHeader,
  r: Reader,
  w: Writer,
) => HandlerResult | Promise<HandlerResult>;
