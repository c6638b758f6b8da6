/**
 * The stack outputs of `SfnSagaStack`: the contract between the stack, which declares them, and
 * everything that reads a deployed stack (the scenario, `cdk deploy --outputs-file` readers, the docs).
 * No CDK import, so tools and tests can use it without loading aws-cdk-lib.
 */
export const SfnSagaOutputs = {
  orderRequestsQueueUrl: "OrderRequestsQueueUrl",
  orderRequestsQueueArn: "OrderRequestsQueueArn",
  orderRequestsDlqUrl: "OrderRequestsDlqUrl",
  orderRequestsDlqArn: "OrderRequestsDlqArn",
  stateMachineArn: "StateMachineArn",
  resumeStateMachineArn: "ResumeStateMachineArn",
  starterFunctionName: "StarterFunctionName",
  inventoryTableName: "InventoryTableName",
  paymentsTableName: "PaymentsTableName",
  shipmentsTableName: "ShipmentsTableName",
  ordersTableName: "OrdersTableName",
  compensationFailureTableName: "CompensationFailureTableName",
  compensationFailureTopicArn: "CompensationFailureTopicArn",
} as const;
