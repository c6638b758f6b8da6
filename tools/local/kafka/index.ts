/** The local cloud's Kafka-protocol broker. */
export { type KafkaBroker, type KafkaOptions, startKafka, type TopicInfo } from "./broker.ts";
export type { SaslMechanism } from "./context.ts";
export type { GroupOptions } from "./state/group-coordinator.ts";
