/**
 * The stack outputs of `SagaChoreographyStack`: the contract between the stack, which declares them,
 * and everything that reads a deployed stack (a scenario, `cdk deploy --outputs-file` readers, the
 * docs). No CDK import, so tools and tests can use it without loading aws-cdk-lib.
 */
export const SagaChoreographyOutputs = {
  eventBusName: "EventBusName",
  eventBusArn: "EventBusArn",
  eventBusDlqUrl: "EventBusDlqUrl",
  placeOrderFunctionName: "PlaceOrderFunctionName",
  watchdogFunctionName: "WatchdogFunctionName",
  idempotencyTableName: "IdempotencyTableName",
  ordersTableName: "OrdersTableName",
  inventoryTableName: "InventoryTableName",
  paymentsTableName: "PaymentsTableName",
  shipmentsTableName: "ShipmentsTableName",
  /** Per service: its queue, the queue's DLQ, the rules' target DLQ and its consumer. */
  services: {
    orders: {
      queueUrl: "OrdersQueueUrl",
      dlqUrl: "OrdersDlqUrl",
      targetDlqUrl: "OrdersTargetDlqUrl",
      functionName: "OrdersFunctionName",
    },
    inventory: {
      queueUrl: "InventoryQueueUrl",
      dlqUrl: "InventoryDlqUrl",
      targetDlqUrl: "InventoryTargetDlqUrl",
      functionName: "InventoryFunctionName",
    },
    payments: {
      queueUrl: "PaymentsQueueUrl",
      dlqUrl: "PaymentsDlqUrl",
      targetDlqUrl: "PaymentsTargetDlqUrl",
      functionName: "PaymentsFunctionName",
    },
    shipping: {
      queueUrl: "ShippingQueueUrl",
      dlqUrl: "ShippingDlqUrl",
      targetDlqUrl: "ShippingTargetDlqUrl",
      functionName: "ShippingFunctionName",
    },
  },
} as const;
