import { CfnOutput, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { AttributeType, Table } from "aws-cdk-lib/aws-dynamodb";
import type { Construct } from "constructs";
import { MskLambdaStream } from "../patterns/msk-lambda-stream/index.js";
import {
  BATCH_IDEMPOTENCY_TABLE_ACTIONS,
  createIdempotencyTable,
  tableDefaults,
} from "../patterns/shared/tables.js";
import { handlerEntry } from "./entry.js";
import { MskLambdaStreamOutputs as O } from "./msk-lambda-stream-outputs.js";

/** Props of {@link MskLambdaStreamStack}. */
export interface MskLambdaStreamStackProps extends StackProps {
  /** Removal policy of the tables. @default RemovalPolicy.RETAIN */
  readonly tableRemovalPolicy?: RemovalPolicy;
}

/**
 * The `msk-lambda-stream` example: an {@link MskLambdaStream} (MSK Serverless, IAM auth, endpoints,
 * no NAT) whose consumer applies each CloudEvent once (idempotency on its `id`) to an effects table
 * keyed by entity, recording the entity's last sequence number so order violations are visible.
 */
export class MskLambdaStreamStack extends Stack {
  public readonly stream: MskLambdaStream;
  /** Per-entity effects (`pk = entity#<id>`: last sequence, count, order violations) and poison records (`pk = poison#…`). */
  public readonly effectsTable: Table;
  /** The consumer's completion marks (batch idempotency; partition key `id`, TTL `expiration`, the Powertools table shape). */
  public readonly idempotencyTable: Table;

  constructor(scope: Construct, id: string, props: MskLambdaStreamStackProps = {}) {
    super(scope, id, props);
    const removalPolicy = props.tableRemovalPolicy ?? RemovalPolicy.RETAIN;
    this.effectsTable = new Table(this, "EffectsTable", {
      ...tableDefaults(removalPolicy),
      partitionKey: { name: "pk", type: AttributeType.STRING },
    });
    this.idempotencyTable = createIdempotencyTable(this, "IdempotencyTable", removalPolicy);

    this.stream = new MskLambdaStream(this, "Stream", {
      topic: { name: "orders" },
      producer: { entry: handlerEntry("msk-lambda-stream", "producer") },
      consumer: {
        entry: handlerEntry("msk-lambda-stream", "consumer"),
        environment: {
          EFFECTS_TABLE_NAME: this.effectsTable.tableName,
          IDEMPOTENCY_TABLE_NAME: this.idempotencyTable.tableName,
          POWERTOOLS_METRICS_NAMESPACE: "MessagingPatterns",
        },
      },
      topicAdminEntry: handlerEntry("msk-lambda-stream", "topic-admin"),
    });
    this.effectsTable.grant(
      this.stream.consumer.function,
      "dynamodb:GetItem",
      "dynamodb:UpdateItem",
      "dynamodb:PutItem",
    );
    this.idempotencyTable.grant(this.stream.consumer.function, ...BATCH_IDEMPOTENCY_TABLE_ACTIONS);

    const outputs: Record<keyof typeof O, string> = {
      ClusterArn: this.stream.cluster.clusterArn,
      TopicName: this.stream.topicName,
      ConsumerGroupId: this.stream.consumerGroupId,
      ProducerFunctionName: this.stream.producer.function.functionName,
      ConsumerFunctionName: this.stream.consumer.function.functionName,
      FailureQueueUrl: this.stream.failureQueue.queueUrl,
      FailureQueueArn: this.stream.failureQueue.queueArn,
      EffectsTableName: this.effectsTable.tableName,
      IdempotencyTableName: this.idempotencyTable.tableName,
    };
    for (const [name, value] of Object.entries(outputs))
      new CfnOutput(this, O[name as keyof typeof O], { value });
  }
}
