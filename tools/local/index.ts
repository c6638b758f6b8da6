/**
 * The embedded local cloud: run a synthesized CDK stack with its bundled handlers in this process,
 * on fauxqs (SQS, SNS) and dynalite (DynamoDB), with no Docker and no AWS account.
 */
export { AssemblyError, ensureSynthesized, loadAssembly, sourceHash, staleReason } from "./cloud-assembly.ts";
export type { ExtensionEventSource, ExtensionHost, LocalExtension } from "./extensions.ts";
export { IntrinsicError, IntrinsicResolver } from "./intrinsics.ts";
export { formatParity, NOT_EMULATED, SEMANTIC_GAPS } from "./parity.ts";
export { UnsupportedResourceError } from "./resources/plan.ts";
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
