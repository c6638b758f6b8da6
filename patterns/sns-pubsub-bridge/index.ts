/** The sns-pubsub-bridge pattern: AWS ⇄ Google Cloud Pub/Sub (see README.md). */
export { BRIDGE_DEFAULTS, BRIDGE_LIMITS } from "./defaults.js";
export {
  type AwsWorkloadIdentityProps,
  awsExternalAccountConfiguration,
  credentialConfigurationProblem,
} from "./google-credentials.js";
export * from "./props.js";
export {
  DEFAULT_FORWARDER_ENTRY,
  DEFAULT_PUSH_RECEIVER_ENTRY,
  SnsPubsubBridge,
  type SnsPubsubBridgeAlarms,
} from "./sns-pubsub-bridge.js";
export { BRIDGE_RULES } from "./validate.js";
