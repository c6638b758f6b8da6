/**
 * Output names of `MskLambdaStreamStack` (no CDK import: scenarios and the verify CLI read them
 * without loading aws-cdk-lib).
 */
export const MskLambdaStreamOutputs = {
  ClusterArn: "ClusterArn",
  TopicName: "TopicName",
  ConsumerGroupId: "ConsumerGroupId",
  ProducerFunctionName: "ProducerFunctionName",
  ConsumerFunctionName: "ConsumerFunctionName",
  FailureQueueUrl: "FailureQueueUrl",
  FailureQueueArn: "FailureQueueArn",
  EffectsTableName: "EffectsTableName",
  IdempotencyTableName: "IdempotencyTableName",
} as const;
