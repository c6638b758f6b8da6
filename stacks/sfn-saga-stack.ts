import {
  ArnFormat,
  CfnOutput,
  type CfnResource,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
} from "aws-cdk-lib";
import { AttributeType, Table } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Key } from "aws-cdk-lib/aws-kms";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { JsonPath } from "aws-cdk-lib/aws-stepfunctions";
import { DynamoAttributeValue } from "aws-cdk-lib/aws-stepfunctions-tasks";
import type { Construct } from "constructs";
import { SagaAction, type SagaStepProps, SfnSaga } from "../patterns/sfn-saga/index.js";
import { createQueueConsumer, type QueueConsumer } from "../patterns/shared/consumer-function.js";
import { createKey } from "../patterns/shared/kms.js";
import { acknowledgeNag } from "../patterns/shared/nag.js";
import type { PatternFunction } from "../patterns/shared/node-function.js";
import { dlqDepthAlarm, messageAgeAlarm } from "../patterns/shared/queue-alarms.js";
import { SQS_CONSUMER_DEFAULTS, SQS_CONSUMER_LIMITS } from "../patterns/shared/sqs-consumer-rules.js";
import { tableDefaults } from "../patterns/shared/tables.js";
import { handlerEntry } from "./entry.js";
import { SfnSagaOutputs as O } from "./sfn-saga-outputs.js";

/** Context key with a `SAGA_FAULTS` value for the step functions (see functions/sfn-saga/faults.ts). */
export const SAGA_FAULTS_CONTEXT = "serverless-messaging:saga-faults";

/** Props of {@link SfnSagaStack}. */
export interface SfnSagaStackProps extends StackProps {
  /**
   * `SAGA_FAULTS` of the step functions (fault injection for scenarios; see functions/sfn-saga/faults.ts).
   * @default - the `serverless-messaging:saga-faults` context value, else none
   */
  readonly faults?: string;
  /** Timeout of each Lambda step (task and function). @default Duration.seconds(10) */
  readonly stepTimeout?: Duration;
  /** Removal policy of the tables. @default RemovalPolicy.RETAIN */
  readonly tableRemovalPolicy?: RemovalPolicy;
}

/**
 * The `place order` saga of the e-commerce example (the same domain as the fan-out), on {@link SfnSaga}:
 * ReserveInventory → ChargePayment → CreateShipment → ConfirmOrder (a DynamoDB update, no Lambda), with
 * ReleaseInventory, RefundPayment, CancelShipment and CancelOrder as compensations, writing tables that
 * make the business state checkable (stock, payments with refunds, shipments, orders). Order requests
 * arrive on an SQS queue (with its DLQ); the starter names each execution by the order ID, so a
 * duplicate request never starts a second saga.
 */
export class SfnSagaStack extends Stack {
  /** The saga. */
  public readonly saga: SfnSaga;
  /** Stock per SKU (partition key `sku`). */
  public readonly inventoryTable: Table;
  /** One payment per order (partition key `orderId`). */
  public readonly paymentsTable: Table;
  /** One shipment per order (partition key `orderId`). */
  public readonly shipmentsTable: Table;
  /** Order status (`CONFIRMED`/`CANCELLED`, partition key `orderId`) and the fault-injection attempt counters. */
  public readonly ordersTable: Table;
  /** Encrypts the order-request queue and its DLQ. */
  public readonly queueKey: Key;
  /** Order requests (`order.requested` CloudEvents). */
  public readonly orderRequests: Queue;
  /** Requests that could not start a saga (bad schema, oversize, conflicting), with `error.type`/`error.reason`. */
  public readonly orderRequestsDlq: Queue;
  /** The starter consumer. */
  public readonly starter: QueueConsumer;

  constructor(scope: Construct, id: string, props: SfnSagaStackProps = {}) {
    super(scope, id, props);
    const removalPolicy = props.tableRemovalPolicy ?? RemovalPolicy.RETAIN;
    const table = (tableId: string, key: string) =>
      new Table(this, tableId, {
        ...tableDefaults(removalPolicy),
        partitionKey: { name: key, type: AttributeType.STRING },
      });
    this.inventoryTable = table("InventoryTable", "sku");
    this.paymentsTable = table("PaymentsTable", "orderId");
    this.shipmentsTable = table("ShipmentsTable", "orderId");
    this.ordersTable = table("OrdersTable", "orderId");

    const faults = props.faults ?? (this.node.tryGetContext(SAGA_FAULTS_CONTEXT) as string | undefined) ?? "";
    const environment = {
      INVENTORY_TABLE_NAME: this.inventoryTable.tableName,
      PAYMENTS_TABLE_NAME: this.paymentsTable.tableName,
      SHIPMENTS_TABLE_NAME: this.shipmentsTable.tableName,
      ORDERS_TABLE_NAME: this.ordersTable.tableName,
      POWERTOOLS_METRICS_NAMESPACE: "MessagingPatterns",
      ...(faults ? { SAGA_FAULTS: faults } : {}),
    };
    const timeout = props.stepTimeout ?? Duration.seconds(10);
    const lambdaStep = (stepId: string, role: string, permanentError: string): SagaStepProps => {
      const action = SagaAction.fromEntry(handlerEntry("sfn-saga", role), { environment });
      return {
        id: stepId,
        action,
        // One entry for both phases: the payload's `phase` says which.
        compensation: SagaAction.fromEntry(handlerEntry("sfn-saga", role), { environment }),
        permanentErrors: [permanentError],
        retryableErrors: ["RetryableError"],
        timeout,
      };
    };
    const orderKey = { orderId: DynamoAttributeValue.fromString(JsonPath.stringAt("$.orderId")) };
    const setStatus = (status: string) =>
      SagaAction.dynamoDbUpdate({
        table: this.ordersTable,
        key: orderKey,
        updateExpression: "SET #status = :status, executionId = :execution",
        expressionAttributeNames: { "#status": "status" },
        expressionAttributeValues: {
          ":status": DynamoAttributeValue.fromString(status),
          ":execution": DynamoAttributeValue.fromString(JsonPath.executionId),
        },
      });

    this.saga = new SfnSaga(this, "PlaceOrder", {
      businessKeyPath: "$.orderId",
      steps: [
        lambdaStep("ReserveInventory", "reserve-inventory", "OutOfStock"),
        lambdaStep("ChargePayment", "charge-payment", "PaymentDeclined"),
        lambdaStep("CreateShipment", "create-shipment", "AddressRejected"),
        { id: "ConfirmOrder", action: setStatus("CONFIRMED"), compensation: setStatus("CANCELLED") },
      ],
      tableRemovalPolicy: removalPolicy,
    });
    const grants: [string, Table, string[]][] = [
      ["ReserveInventory", this.inventoryTable, ["dynamodb:GetItem", "dynamodb:UpdateItem"]],
      ["ChargePayment", this.paymentsTable, ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]],
      [
        "CreateShipment",
        this.shipmentsTable,
        ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
      ],
    ];
    for (const [stepId, stepTable, actions] of grants) {
      const functions = this.saga.functions.get(stepId);
      for (const fn of [functions?.action, functions?.compensation]) {
        if (!fn) continue;
        stepTable.grant(fn.function, ...actions);
        // Fault-injection attempt counters (only written when SAGA_FAULTS is set).
        this.ordersTable.grant(fn.function, "dynamodb:UpdateItem");
      }
    }

    this.queueKey = createKey(
      this,
      "OrderRequestsKey",
      "Encrypts the order-request queue of the place-order saga",
    );
    const common = { encryption: QueueEncryption.KMS, encryptionMasterKey: this.queueKey, enforceSSL: true };
    this.orderRequestsDlq = new Queue(this, "OrderRequestsDlq", {
      ...common,
      retentionPeriod: SQS_CONSUMER_DEFAULTS.deadLetterRetentionPeriod,
      maxMessageSizeBytes: SQS_CONSUMER_LIMITS.deadLetterMessageSizeBytes,
    });
    const starterTimeout = Duration.seconds(30);
    this.orderRequests = new Queue(this, "OrderRequests", {
      ...common,
      visibilityTimeout: Duration.seconds(
        starterTimeout.toSeconds() * SQS_CONSUMER_DEFAULTS.visibilityTimeoutFactor,
      ),
      retentionPeriod: SQS_CONSUMER_DEFAULTS.retentionPeriod,
      maxMessageSizeBytes: SQS_CONSUMER_DEFAULTS.maxMessageSizeBytes,
      deadLetterQueue: {
        queue: this.orderRequestsDlq,
        maxReceiveCount: SQS_CONSUMER_DEFAULTS.maxReceiveCount,
      },
    });
    this.starter = createQueueConsumer(this, {
      consumer: { entry: handlerEntry("sfn-saga", "starter") },
      timeout: starterTimeout,
      environment: {
        POWERTOOLS_SERVICE_NAME: "saga-starter",
        POWERTOOLS_METRICS_NAMESPACE: "MessagingPatterns",
        STATE_MACHINE_ARN: this.saga.stateMachine.stateMachineArn,
        DLQ_URL: this.orderRequestsDlq.queueUrl,
      },
      queue: this.orderRequests,
      deadLetterQueue: this.orderRequestsDlq,
      key: this.queueKey,
      batchSize: SQS_CONSUMER_DEFAULTS.batchSize,
      description: "Starts one place-order saga per order request (execution named by the order ID)",
    });
    this.saga.stateMachine.grantStartExecution(this.starter.consumer);
    // DescribeExecution on this state machine's executions only (their names, the order IDs, are not known here).
    this.starter.consumer.addToRolePolicy(
      new PolicyStatement({
        actions: ["states:DescribeExecution"],
        resources: [
          this.formatArn({
            service: "states",
            resource: "execution",
            resourceName: `${this.saga.stateMachine.stateMachineName}:*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    acknowledgeStarterFindings(this);
    dlqDepthAlarm(
      this,
      "OrderRequestsDlqDepthAlarm",
      this.orderRequestsDlq,
      "Order requests that started no saga (see error.type/error.reason): fix and redrive, or discard",
    );
    messageAgeAlarm(
      this,
      "OrderRequestsAgeAlarm",
      this.orderRequests,
      SQS_CONSUMER_DEFAULTS.messageAgeAlarmThreshold,
      "Order requests are waiting: the starter fails, is throttled or lags",
    );

    const outputs: Record<(typeof O)[keyof typeof O], string> = {
      [O.orderRequestsQueueUrl]: this.orderRequests.queueUrl,
      [O.orderRequestsQueueArn]: this.orderRequests.queueArn,
      [O.orderRequestsDlqUrl]: this.orderRequestsDlq.queueUrl,
      [O.orderRequestsDlqArn]: this.orderRequestsDlq.queueArn,
      [O.stateMachineArn]: this.saga.stateMachine.stateMachineArn,
      [O.resumeStateMachineArn]: this.saga.resumeStateMachine.stateMachineArn,
      [O.starterFunctionName]: this.starter.consumer.functionName,
      [O.inventoryTableName]: this.inventoryTable.tableName,
      [O.paymentsTableName]: this.paymentsTable.tableName,
      [O.shipmentsTableName]: this.shipmentsTable.tableName,
      [O.ordersTableName]: this.ordersTable.tableName,
      [O.compensationFailureTableName]: this.saga.failureTable.tableName,
      [O.compensationFailureTopicArn]: this.saga.alertTopic.topicArn,
    };
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });
  }
}

function acknowledgeStarterFindings(stack: SfnSagaStack): void {
  acknowledgeNag(
    stack.orderRequestsDlq,
    "Serverless-SQSRedrivePolicy",
    "This queue is itself the dead-letter queue of the order requests; a DLQ of a DLQ would only hide failures from the depth alarm",
  );
  const fn = stack.starter.consumerFunction?.function;
  if (!fn) return;
  const machine = stack.resolve(
    (stack.saga.stateMachine.node.defaultChild as CfnResource).logicalId,
  ) as string;
  acknowledgeNag(
    (stack.starter.consumerFunction as PatternFunction).role,
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${machine}.Name>:*]`,
    "DescribeExecution on the executions of this one state machine: their names are the order IDs, unknown at deploy time",
  );
  acknowledgeNag(
    fn,
    "Serverless-LambdaDLQ",
    "Invoked synchronously by the SQS event source mapping; failed requests go to the queue's DLQ, a Lambda DLQ applies only to async invocations",
  );
  acknowledgeNag(
    fn,
    "Serverless-LambdaEventSourceMappingDestination",
    "SQS event source mappings support no on-failure destination; the queue's RedrivePolicy and the starter move failed requests to the DLQ",
  );
}
