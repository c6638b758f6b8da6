/**
 * The services of the embedded cloud. The built-ins run in every local cloud, in this order (SQS and
 * SNS, DynamoDB, Lambda); others are passed in `StartLocalOptions.services`.
 */
import { REPO_ROOT } from "../cloud-assembly.ts";
import { CLOUD_NO_OPS, SEMANTIC_GAPS } from "../parity.ts";
import { DynamoDbService } from "./dynamodb.ts";
import { type FunctionLogs, LambdaLocalService } from "./lambda.ts";
import type { LocalService } from "./local-service.ts";
import { ServiceRegistry } from "./registry.ts";
import { SqsSnsService } from "./sqs-sns.ts";

export { DynamoDbService } from "./dynamodb.ts";
export { type FunctionLogs, LambdaLocalService, type LambdaServiceProps } from "./lambda.ts";
export type * from "./local-service.ts";
export { type ParityRow, type ResourceDecision, ServiceRegistry } from "./registry.ts";
export { SqsSnsService, type SqsSnsServiceProps } from "./sqs-sns.ts";

/** Options of the built-in services. */
export interface BuiltInServiceProps {
  readonly visibilityTimeoutSeconds?: number;
  readonly logs?: FunctionLogs;
  readonly concurrency?: number;
  readonly environment?: Readonly<Record<string, string>>;
}

/** The built-in services, in start order, and the Lambda service among them. */
export function builtInServices(props: BuiltInServiceProps = {}): {
  readonly services: readonly LocalService[];
  readonly lambda: LambdaLocalService;
} {
  const lambda = new LambdaLocalService({
    sdkRoot: REPO_ROOT,
    ...(props.logs ? { logs: props.logs } : {}),
    ...(props.concurrency !== undefined ? { concurrency: props.concurrency } : {}),
    ...(props.environment ? { overrides: props.environment } : {}),
  });
  const sqsSns = new SqsSnsService(
    props.visibilityTimeoutSeconds !== undefined
      ? { visibilityTimeoutSeconds: props.visibilityTimeoutSeconds }
      : {},
  );
  return { services: [sqsSns, new DynamoDbService(), lambda], lambda };
}

/** The registry of `services` plus the cloud-wide documented no-ops (IAM, KMS, CloudWatch, VPC, …). */
export function registryOf(services: readonly LocalService[]): ServiceRegistry {
  return new ServiceRegistry(services, CLOUD_NO_OPS, SEMANTIC_GAPS);
}
