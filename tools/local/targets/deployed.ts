/** The deployed scenario targets (LocalStack and AWS) and what they share. */
export { type AwsTargetOptions, awsTarget } from "./aws.ts";
export type { TargetCommands } from "./commands.ts";
export { DEPLOYED_OUTPUT_DIRS, deployArgs } from "./deploy-args.ts";
export { type LocalStackTargetOptions, localstackTarget, noLocalStackMessage } from "./localstack.ts";
export {
  DEFAULT_LOCALSTACK_ENDPOINT,
  localstackEndpoint,
  PINNED_LOCALSTACK_VERSION,
} from "./localstack-endpoint.ts";
export { readOutputsFile } from "./outputs-file.ts";
export { TargetError } from "./target-error.ts";
