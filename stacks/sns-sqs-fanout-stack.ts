import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { AttributeType, Table } from "aws-cdk-lib/aws-dynamodb";
import { FilterOrPolicy, SubscriptionFilter } from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";
import { AlarmTopic, alarmEmail } from "../patterns/shared/alarm-topic.js";
import { acknowledgeNag } from "../patterns/shared/nag.js";
import { PatternFunction } from "../patterns/shared/node-function.js";
import {
  createIdempotencyTable,
  IDEMPOTENCY_TABLE_ACTIONS,
  tableDefaults,
} from "../patterns/shared/tables.js";
import { SnsSqsFanout } from "../patterns/sns-sqs-fanout/sns-sqs-fanout.js";
import { handlerEntry } from "./entry.js";
import {
  FANOUT_SUBSCRIBER_NAMES,
  type FanoutSubscriberName,
  SnsSqsFanoutOutputs,
} from "./sns-sqs-fanout-outputs.js";
import { isTestDeployment, TEST_DEPLOYMENT_SETTINGS } from "./test-deployment.js";

/** Props of {@link SnsSqsFanoutStack}. */
export interface SnsSqsFanoutStackProps extends StackProps {
  /**
   * Fault injection for the consumers (`FAULT_INJECTION`, e.g. `transient=0.05`), for game days.
   * Also read from the context key `faultInjection` (`cdk deploy -c faultInjection=transient=0.05`).
   * @default - off
   */
  readonly faultInjection?: string;
  /**
   * Removal policy of the tables. `RETAIN` keeps data when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly tableRemovalPolicy?: RemovalPolicy;
  /**
   * E-mail address subscribed to the alarm topic. Also read from the context key `alarmEmail`
   * (`cdk deploy -c alarmEmail=ops@example.com`).
   * @default - no subscription
   */
  readonly alarmEmail?: string;
}

/**
 * E-commerce fan-out example: an `orders` topic with three subscribers. `billing` gets only
 * `order.created` (attribute filter), `shipping` only orders whose body says `data.status = paid`
 * (body filter), `audit` everything in the SNS envelope. Each consumer applies an idempotent effect
 * (an effects table keyed by subscriber and event ID); idempotency is keyed on the CloudEvent `id`.
 */
export class SnsSqsFanoutStack extends Stack {
  /** The fan-out construct. */
  public readonly fanout: SnsSqsFanout;
  /** Powertools idempotency records (partition key `id`, TTL `expiration`). */
  public readonly idempotencyTable: Table;
  /** One item per applied effect (partition key `subscriber`, sort key `eventId`). */
  public readonly effectsTable: Table;
  /** The publisher function. */
  public readonly publisher: PatternFunction;
  /** The encrypted topic every alarm of the stack notifies. */
  public readonly alarms: AlarmTopic;

  constructor(scope: Construct, id: string, props: SnsSqsFanoutStackProps = {}) {
    super(scope, id, props);
    const faultInjection = props.faultInjection ?? this.node.tryGetContext("faultInjection");
    const tableRemovalPolicy = props.tableRemovalPolicy ?? RemovalPolicy.RETAIN;
    this.idempotencyTable = createIdempotencyTable(this, "IdempotencyTable", tableRemovalPolicy);
    this.effectsTable = new Table(this, "EffectsTable", {
      ...tableDefaults(tableRemovalPolicy),
      partitionKey: { name: "subscriber", type: AttributeType.STRING },
      sortKey: { name: "eventId", type: AttributeType.STRING },
    });

    this.alarms = new AlarmTopic(this, "Alarms", { email: alarmEmail(this, props.alarmEmail) });

    // `-c serverless-messaging:test-deployment=true`: short retry loops (see stacks/test-deployment.ts).
    const test = isTestDeployment(this) ? TEST_DEPLOYMENT_SETTINGS : undefined;
    const shortRetries = test ? { visibilityTimeout: Duration.seconds(test.visibilityTimeoutSeconds) } : {};
    const consumer = (name: FanoutSubscriberName) => ({
      entry: handlerEntry("sns-sqs-fanout", name),
      ...(test ? { timeout: Duration.seconds(test.consumerTimeoutSeconds) } : {}),
      environment: {
        SUBSCRIBER_NAME: name,
        IDEMPOTENCY_TABLE_NAME: this.idempotencyTable.tableName,
        EFFECTS_TABLE_NAME: this.effectsTable.tableName,
        POWERTOOLS_METRICS_NAMESPACE: "MessagingPatterns",
        ...(typeof faultInjection === "string" && faultInjection !== ""
          ? { FAULT_INJECTION: faultInjection }
          : {}),
      },
    });
    this.fanout = new SnsSqsFanout(this, "Orders", {
      alarmTopic: this.alarms.topic,
      subscribers: [
        {
          id: "billing",
          consumer: consumer("billing"),
          ...shortRetries,
          rawMessageDelivery: true,
          filterPolicy: { type: SubscriptionFilter.stringFilter({ allowlist: ["order.created"] }) },
        },
        {
          id: "shipping",
          consumer: consumer("shipping"),
          ...shortRetries,
          rawMessageDelivery: true,
          filterPolicyWithMessageBody: {
            data: FilterOrPolicy.policy({
              status: FilterOrPolicy.filter(SubscriptionFilter.stringFilter({ allowlist: ["paid"] })),
            }),
          },
        },
        { id: "audit", consumer: consumer("audit"), ...shortRetries },
      ],
    });

    this.publisher = new PatternFunction(this, "Publisher", {
      entry: handlerEntry("sns-sqs-fanout", "publish"),
      environment: {
        TOPIC_ARN: this.fanout.topic.topicArn,
        EVENT_SOURCE: "orders-service",
        POWERTOOLS_SERVICE_NAME: "publisher",
        POWERTOOLS_METRICS_NAMESPACE: "MessagingPatterns",
      },
      description: "Wraps order events in CloudEvents and publishes them to the orders topic",
    });
    this.fanout.grantPublish(this.publisher.function);
    acknowledgeNag(
      this.publisher.function,
      "Serverless-LambdaDLQ",
      "The publisher is invoked synchronously and returns every failed entry to its caller; it is never invoked asynchronously",
    );

    for (const name of FANOUT_SUBSCRIBER_NAMES) {
      const subscriber = this.fanout.subscribers[name];
      if (!subscriber) throw new Error(`subscriber ${name} missing`);
      this.idempotencyTable.grant(subscriber.consumer, ...IDEMPOTENCY_TABLE_ACTIONS);
      // The effect is one conditional UpdateItem; when its condition fails, a GetItem reads the item
      // back to tell an SDK retry of the same write from a second application (functions/README.md).
      this.effectsTable.grant(subscriber.consumer, "dynamodb:GetItem", "dynamodb:UpdateItem");
      const names = SnsSqsFanoutOutputs.subscribers[name];
      new CfnOutput(this, names.queueUrl, { value: subscriber.queue.queueUrl });
      new CfnOutput(this, names.dlqUrl, { value: subscriber.deadLetterQueue.queueUrl });
      new CfnOutput(this, names.subscriptionDlqUrl, {
        value: subscriber.subscriptionDeadLetterQueue.queueUrl,
      });
      new CfnOutput(this, names.functionName, { value: subscriber.consumer.functionName });
    }
    new CfnOutput(this, SnsSqsFanoutOutputs.topicArn, { value: this.fanout.topic.topicArn });
    new CfnOutput(this, SnsSqsFanoutOutputs.publisherFunctionName, {
      value: this.publisher.function.functionName,
    });
    new CfnOutput(this, SnsSqsFanoutOutputs.idempotencyTableName, { value: this.idempotencyTable.tableName });
    new CfnOutput(this, SnsSqsFanoutOutputs.effectsTableName, { value: this.effectsTable.tableName });
  }
}
