/**
 * The stack outputs of `SqsDlqRedriveStack`: the contract between the stack, which declares them, and
 * everything that reads a deployed stack (the scenario, `cdk deploy --outputs-file` readers, the docs).
 * No CDK import, so tools and tests can use it without loading aws-cdk-lib.
 */
export const SqsDlqRedriveOutputs = {
  queueUrl: "QueueUrl",
  queueArn: "QueueArn",
  dlqUrl: "DlqUrl",
  dlqArn: "DlqArn",
  workerFunctionName: "WorkerFunctionName",
  redriveFunctionName: "RedriveFunctionName",
  jobsTableName: "JobsTableName",
  idempotencyTableName: "IdempotencyTableName",
} as const;
