import { CfnOutput, Duration, Names, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { Metric } from "aws-cdk-lib/aws-cloudwatch";
import { AttributeType, ProjectionType, Table } from "aws-cdk-lib/aws-dynamodb";
import { type CfnRule, Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { type IGrantable, PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import {
  OPEN_ORDERS_INDEX,
  SAGA_EXTERNAL_EVENTS,
  SAGA_FLOW,
  SAGA_SERVICES,
  type SagaService,
} from "../functions/saga-choreography/flow.js";
import { SagaChoreography } from "../patterns/saga-choreography/saga-choreography.js";
import { AlarmTopic, alarmEmail } from "../patterns/shared/alarm-topic.js";
import { anyOccurrenceAlarm } from "../patterns/shared/any-occurrence-alarm.js";
import { functionAlarms } from "../patterns/shared/function-alarms.js";
import { createKey } from "../patterns/shared/kms.js";
import { acknowledgeNag } from "../patterns/shared/nag.js";
import { PatternFunction } from "../patterns/shared/node-function.js";
import { dlqDepthAlarm } from "../patterns/shared/queue-alarms.js";
import {
  createIdempotencyTable,
  IDEMPOTENCY_TABLE_ACTIONS,
  tableDefaults,
} from "../patterns/shared/tables.js";
import { handlerEntry } from "./entry.js";
import { SagaChoreographyOutputs as O } from "./saga-choreography-outputs.js";
import { isTestDeployment, TEST_DEPLOYMENT_SETTINGS } from "./test-deployment.js";

/** Props of {@link SagaChoreographyStack}. */
export interface SagaChoreographyStackProps extends StackProps {
  /**
   * Fault injection for the service consumers (`FAULT_INJECTION`, e.g. `transient=0.05`), for game
   * days. Also read from the context key `faultInjection`.
   * @default - off
   */
  readonly faultInjection?: string;
  /** Time an order may stay without outcome before the watchdog times it out. @default Duration.minutes(5) */
  readonly sagaDeadline?: Duration;
  /** How often the watchdog runs. @default Duration.minutes(1) */
  readonly watchdogInterval?: Duration;
  /** Removal policy of the tables. @default RemovalPolicy.RETAIN */
  readonly tableRemovalPolicy?: RemovalPolicy;
  /**
   * E-mail address subscribed to the alarm topic. Also read from the context key `alarmEmail`.
   * @default - no subscription
   */
  readonly alarmEmail?: string;
}

/** The DynamoDB actions each service's consumer needs on its own table (no Scan, no batch writes). */
const SERVICE_TABLE_ACTIONS: Record<SagaService, readonly string[]> = {
  orders: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
  inventory: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
  payments: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
  shipping: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
};

/** Namespace of the custom metrics (Powertools EMF). */
const METRICS_NAMESPACE = "MessagingPatterns";
/** `POWERTOOLS_SERVICE_NAME` of the watchdog: the `service` dimension of its metrics. */
const WATCHDOG_SERVICE = "saga-watchdog";

/**
 * The order saga by choreography, the same domain as the orchestrated `sfn-saga`: Orders places
 * orders (OrderPlaced) and records each outcome; Inventory reserves (or rejects) and releases;
 * Payments charges (or fails) and refunds; Shipping schedules (or fails) and cancels. A watchdog
 * times out orders stuck past their deadline (OrderTimedOut), which compensates like any failure.
 * The event flow is `functions/saga-choreography/flow.ts`.
 */
export class SagaChoreographyStack extends Stack {
  public readonly saga: SagaChoreography;
  public readonly idempotencyTable: Table;
  /** Service tables, by service (the shipping service's is the shipments table). */
  public readonly tables: Readonly<Record<SagaService, Table>>;
  public readonly placeOrder: PatternFunction;
  public readonly watchdog: PatternFunction;
  /** The topic every alarm of the stack notifies. */
  public readonly alarms: AlarmTopic;

  constructor(scope: Construct, id: string, props: SagaChoreographyStackProps = {}) {
    super(scope, id, props);
    const faultInjection = props.faultInjection ?? this.node.tryGetContext("faultInjection");
    const removalPolicy = props.tableRemovalPolicy ?? RemovalPolicy.RETAIN;
    const deadline = props.sagaDeadline ?? Duration.minutes(5);

    this.alarms = new AlarmTopic(this, "Alarms", { email: alarmEmail(this, props.alarmEmail) });
    this.idempotencyTable = createIdempotencyTable(this, "IdempotencyTable", removalPolicy);
    const byOrder = {
      ...tableDefaults(removalPolicy),
      partitionKey: { name: "orderId", type: AttributeType.STRING },
    };
    const orders = new Table(this, "OrdersTable", byOrder);
    // Sparse: only open orders carry `watch` (see functions/saga-choreography/orders-store.ts).
    orders.addGlobalSecondaryIndex({
      indexName: OPEN_ORDERS_INDEX,
      partitionKey: { name: "watch", type: AttributeType.STRING },
      sortKey: { name: "deadline", type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
    this.tables = {
      orders,
      inventory: new Table(this, "InventoryTable", {
        ...tableDefaults(removalPolicy),
        partitionKey: { name: "sku", type: AttributeType.STRING },
      }),
      payments: new Table(this, "PaymentsTable", byOrder),
      shipping: new Table(this, "ShipmentsTable", byOrder),
    };

    // `-c serverless-messaging:test-deployment=true`: short retry loops (see stacks/test-deployment.ts).
    const test = isTestDeployment(this) ? TEST_DEPLOYMENT_SETTINGS : undefined;
    this.saga = new SagaChoreography(this, "Saga", {
      services: SAGA_SERVICES.map((service) => ({
        id: service,
        emits: SAGA_FLOW[service].emits,
        consumes: SAGA_FLOW[service].consumes,
        ...(test ? { visibilityTimeout: Duration.seconds(test.visibilityTimeoutSeconds) } : {}),
        consumer: {
          entry: handlerEntry("saga-choreography", service),
          ...(test ? { timeout: Duration.seconds(test.consumerTimeoutSeconds) } : {}),
          environment: {
            SAGA_SERVICE: service,
            IDEMPOTENCY_TABLE_NAME: this.idempotencyTable.tableName,
            SERVICE_TABLE_NAME: this.tables[service].tableName,
            POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
            ...(typeof faultInjection === "string" && faultInjection !== ""
              ? { FAULT_INJECTION: faultInjection }
              : {}),
          },
        },
      })),
      externalEvents: { emitted: SAGA_EXTERNAL_EVENTS },
      alarmTopic: this.alarms.topic,
    });

    const ordersEnvironment = {
      ORDERS_TABLE_NAME: orders.tableName,
      EVENT_BUS_NAME: this.saga.eventBus.eventBusName,
      EVENT_SOURCE: this.service("orders").source,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    };
    this.placeOrder = new PatternFunction(this, "PlaceOrder", {
      entry: handlerEntry("saga-choreography", "place-order"),
      environment: {
        ...ordersEnvironment,
        SAGA_DEADLINE_SECONDS: String(deadline.toSeconds()),
        POWERTOOLS_SERVICE_NAME: "place-order",
      },
      description: "Records orders as pending and puts OrderPlaced, the first event of each saga",
    });
    grantItemActions(orders, this.placeOrder.function, ["dynamodb:GetItem", "dynamodb:PutItem"]);
    this.saga.grantPutEvents("orders", this.placeOrder.function, ["OrderPlaced"]);
    acknowledgeNag(
      this.placeOrder.function,
      "Serverless-LambdaDLQ",
      "Invoked synchronously: every refused order and every failure is returned to the caller, which retries (placing is idempotent per order ID)",
    );

    this.watchdog = new PatternFunction(this, "Watchdog", {
      entry: handlerEntry("saga-choreography", "watchdog"),
      environment: { ...ordersEnvironment, POWERTOOLS_SERVICE_NAME: WATCHDOG_SERVICE },
      description: "Times out orders without outcome after their deadline (OrderTimedOut compensates)",
    });
    grantItemActions(orders, this.watchdog.function, ["dynamodb:GetItem", "dynamodb:UpdateItem"]);
    this.watchdog.function.addToRolePolicy(
      new PolicyStatement({
        actions: ["dynamodb:Query"],
        resources: [`${orders.tableArn}/index/${OPEN_ORDERS_INDEX}`],
      }),
    );
    this.saga.grantPutEvents("orders", this.watchdog.function, ["OrderTimedOut", "OrderCancelled"]);
    this.scheduleWatchdog(props.watchdogInterval ?? Duration.minutes(1));

    for (const service of SAGA_SERVICES) {
      const s = this.service(service);
      this.idempotencyTable.grant(s.consumer, ...IDEMPOTENCY_TABLE_ACTIONS);
      grantItemActions(this.tables[service], s.consumer, SERVICE_TABLE_ACTIONS[service]);
      const names = O.services[service];
      new CfnOutput(this, names.queueUrl, { value: s.queue.queueUrl });
      new CfnOutput(this, names.dlqUrl, { value: s.deadLetterQueue.queueUrl });
      new CfnOutput(this, names.targetDlqUrl, { value: s.targetDeadLetterQueue.queueUrl });
      new CfnOutput(this, names.functionName, { value: s.consumer.functionName });
    }
    new CfnOutput(this, O.eventBusName, { value: this.saga.eventBus.eventBusName });
    new CfnOutput(this, O.eventBusArn, { value: this.saga.eventBus.eventBusArn });
    if (this.saga.eventBusDeadLetterQueue) {
      new CfnOutput(this, O.eventBusDlqUrl, { value: this.saga.eventBusDeadLetterQueue.queueUrl });
    }
    new CfnOutput(this, O.placeOrderFunctionName, { value: this.placeOrder.function.functionName });
    new CfnOutput(this, O.watchdogFunctionName, { value: this.watchdog.function.functionName });
    new CfnOutput(this, O.idempotencyTableName, { value: this.idempotencyTable.tableName });
    new CfnOutput(this, O.ordersTableName, { value: orders.tableName });
    new CfnOutput(this, O.inventoryTableName, { value: this.tables.inventory.tableName });
    new CfnOutput(this, O.paymentsTableName, { value: this.tables.payments.tableName });
    new CfnOutput(this, O.shipmentsTableName, { value: this.tables.shipping.tableName });
  }

  private service(id: SagaService) {
    const service = this.saga.services[id];
    if (!service) throw new Error(`saga service ${id} missing`);
    return service;
  }

  /**
   * A schedule rule (default bus: schedules run only there) invoking the watchdog, with a target DLQ
   * for invocations EventBridge cannot make, and an alarm on `StuckSagasFound` (each one is a saga
   * that did not finish by itself: a lost event, a DLQ nobody redrove, a bug).
   */
  private scheduleWatchdog(interval: Duration): void {
    const key = createKey(this, "WatchdogKey", "Encrypts the watchdog schedule's dead-letter queue");
    const dlq = new Queue(this, "WatchdogScheduleDlq", {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const rule = new Rule(this, "WatchdogSchedule", {
      schedule: Schedule.rate(interval),
      description: "Runs the stuck-saga watchdog",
    });
    // One attempt: the next run, one interval later, does the same work (the watchdog is idempotent).
    rule.addTarget(
      new LambdaFunction(this.watchdog.function, {
        deadLetterQueue: dlq,
        retryAttempts: 0,
        maxEventAge: interval,
      }),
    );
    // CDK's target DLQ policy does not cover the DLQ's key: EventBridge needs it, for this rule only.
    // The ARN is built from an explicit name (referencing the rule would be a cycle: rule → DLQ → key).
    const ruleName = Names.uniqueResourceName(rule, { maxLength: 64 });
    (rule.node.defaultChild as CfnRule).name = ruleName;
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: "AllowTheWatchdogScheduleToWriteItsDeadLetterQueue",
        principals: [new ServicePrincipal("events.amazonaws.com")],
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        resources: ["*"],
        conditions: {
          ArnEquals: {
            "aws:SourceArn": this.formatArn({ service: "events", resource: "rule", resourceName: ruleName }),
          },
        },
      }),
    );
    for (const id of ["Serverless-SQSRedrivePolicy", "AwsSolutions-SQS3"]) {
      acknowledgeNag(
        dlq,
        id,
        "This queue is the watchdog schedule target's dead-letter queue; a DLQ of a DLQ would hide failures",
      );
    }
    acknowledgeNag(
      this.watchdog.function,
      "Serverless-LambdaDLQ",
      "Invoked by a schedule every interval; a failed run is repeated by the next one, and the schedule target has its own DLQ",
    );
    const topic = this.alarms.topic;
    dlqDepthAlarm(
      this,
      "WatchdogScheduleDlqDepthAlarm",
      dlq,
      "Saga watchdog: EventBridge could not invoke the watchdog function (it is deleted, throttled or its permission is missing)",
      topic,
    );
    functionAlarms(this, "Watchdog", this.watchdog.function, "Saga watchdog", topic);
    anyOccurrenceAlarm(
      this,
      "StuckSagasAlarm",
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: "StuckSagasFound",
        dimensionsMap: { service: WATCHDOG_SERVICE },
        statistic: "Sum",
        period: Duration.minutes(5),
      }),
      "Saga watchdog: orders had no outcome by their deadline and were timed out; find the lost event (DLQs, a service down)",
      topic,
    );
  }
}

/**
 * Item actions on the table itself only. `Table.grant` adds `<table>/index/*` for a table with an
 * index, which an item action never needs (the watchdog's Query gets the one index it reads).
 */
function grantItemActions(table: Table, grantee: IGrantable, actions: readonly string[]): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: [...actions], resources: [table.tableArn] }),
  );
}
