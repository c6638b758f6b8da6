/**
 * The embedded local cloud: run a synthesized CDK stack with its bundled handlers in this process,
 * on fauxqs (SQS, SNS) and dynalite (DynamoDB), with no Docker and no AWS account. Every emulated
 * service is a `LocalService` (`services/`).
 */
export { AssemblyError, ensureSynthesized, loadAssembly, sourceHash, staleReason } from "./cloud-assembly.ts";
export { IntrinsicError, IntrinsicResolver } from "./intrinsics.ts";
export { CLOUD_NO_OPS, formatParity, NOT_EMULATED, SEMANTIC_GAPS } from "./parity.ts";
export { UnsupportedResourceError } from "./resources/plan.ts";
export * from "./services/index.ts";
export type { SpyEvent, SpyEventKind } from "./spy.ts";
export { Spy } from "./spy.ts";
export {
  FunctionError,
  type LocalCloud,
  type LocalEndpoints,
  type LocalResource,
  type StartLocalOptions,
  startLocal,
} from "./start-local.ts";
