export { dataPlaneArns, type MskClusterRef } from "./cluster.js";
export { MSK_CLUSTER_AUTH_RULE, MskClusterAuthRule, mskClusterAuthProblems } from "./cluster-auth-rule.js";
export { MSK_STREAM_DEFAULTS, MSK_STREAM_LIMITS } from "./defaults.js";
export type { MskLambdaStreamAlarms } from "./msk-lambda-stream.js";
export {
  DEFAULT_PRODUCER_ENTRY,
  DEFAULT_TOPIC_ADMIN_ENTRY,
  ENI_ACTIONS,
  KAFKA_ACTIONS,
  MskLambdaStream,
} from "./msk-lambda-stream.js";
export { INTERFACE_ENDPOINTS, type MskNetwork } from "./network.js";
export * from "./props.js";
export { MSK_STREAM_RULES } from "./validate.js";
