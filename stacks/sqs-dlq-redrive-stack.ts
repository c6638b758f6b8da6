import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { AttributeType, Table } from "aws-cdk-lib/aws-dynamodb";
import type { Construct } from "constructs";
import { AlarmTopic, alarmEmail } from "../patterns/shared/alarm-topic.js";
import {
  createIdempotencyTable,
  IDEMPOTENCY_TABLE_ACTIONS,
  tableDefaults,
} from "../patterns/shared/tables.js";
import { RedrivableQueue } from "../patterns/sqs-dlq-redrive/sqs-dlq-redrive.js";
import { handlerEntry } from "./entry.js";
import { SqsDlqRedriveOutputs as Outputs } from "./sqs-dlq-redrive-outputs.js";
import { isTestDeployment, TEST_DEPLOYMENT_SETTINGS } from "./test-deployment.js";

/** Props of {@link SqsDlqRedriveStack}. */
export interface SqsDlqRedriveStackProps extends StackProps {
  /**
   * Receives before a job is dead-lettered: AWS's recommended minimum of 5, so a transient failure
   * (or a throttled consumer) does not dead-letter a good job. With the example's 1 s backoff base a
   * failing job still reaches the DLQ in about 15 s.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /** Backoff base delay. @default Duration.seconds(1) */
  readonly backoffBase?: Duration;
  /** Backoff cap. @default Duration.minutes(1) */
  readonly backoffMax?: Duration;
  /** Removal policy of the tables. @default RemovalPolicy.RETAIN */
  readonly tableRemovalPolicy?: RemovalPolicy;
  /**
   * E-mail address subscribed to the alarm topic. Also read from the context key `alarmEmail`
   * (`cdk deploy -c alarmEmail=ops@example.com`).
   * @default - no subscription
   */
  readonly alarmEmail?: string;
}

/**
 * Point-to-point jobs with retries, backoff, poison messages, a DLQ, alarms and redrive: a
 * {@link RedrivableQueue} whose worker applies each job once (idempotency on the CloudEvent id) into a
 * jobs table, which also holds the scenario's fault switch (`pk = fault-switch`, `on: true|false`).
 */
export class SqsDlqRedriveStack extends Stack {
  /** The pattern. */
  public readonly jobs: RedrivableQueue;
  /** Job effects (`pk = job#<id>`), their failed-attempt log, and the fault switch. */
  public readonly jobsTable: Table;
  /** Powertools idempotency records (partition key `id`, TTL `expiration`). */
  public readonly idempotencyTable: Table;
  /** The encrypted topic every alarm of the stack notifies. */
  public readonly alarms: AlarmTopic;

  constructor(scope: Construct, id: string, props: SqsDlqRedriveStackProps = {}) {
    super(scope, id, props);
    const removalPolicy = props.tableRemovalPolicy ?? RemovalPolicy.RETAIN;
    this.jobsTable = new Table(this, "JobsTable", {
      ...tableDefaults(removalPolicy),
      partitionKey: { name: "pk", type: AttributeType.STRING },
    });
    this.idempotencyTable = createIdempotencyTable(this, "IdempotencyTable", removalPolicy);
    this.alarms = new AlarmTopic(this, "Alarms", { email: alarmEmail(this, props.alarmEmail) });

    // `-c serverless-messaging:test-deployment=true`: short retry loops (see stacks/test-deployment.ts).
    const test = isTestDeployment(this) ? TEST_DEPLOYMENT_SETTINGS : undefined;
    this.jobs = new RedrivableQueue(this, "Jobs", {
      maxReceiveCount: props.maxReceiveCount ?? 5,
      alarmTopic: this.alarms.topic,
      ...(test ? { visibilityTimeout: Duration.seconds(test.visibilityTimeoutSeconds) } : {}),
      backoff: {
        base: props.backoffBase ?? Duration.seconds(test?.backoffBaseSeconds ?? 1),
        max: props.backoffMax ?? Duration.seconds(test?.backoffMaxSeconds ?? 60),
      },
      consumer: {
        entry: handlerEntry("sqs-dlq-redrive", "worker"),
        ...(test ? { timeout: Duration.seconds(test.consumerTimeoutSeconds) } : {}),
        environment: {
          JOBS_TABLE_NAME: this.jobsTable.tableName,
          IDEMPOTENCY_TABLE_NAME: this.idempotencyTable.tableName,
          POWERTOOLS_METRICS_NAMESPACE: "MessagingPatterns",
        },
      },
      redrive: { entry: handlerEntry("sqs-dlq-redrive", "redrive") },
    });
    // The worker reads the fault switch and applies a job's effect with UpdateItem.
    this.jobsTable.grant(this.jobs.consumer, "dynamodb:GetItem", "dynamodb:UpdateItem");
    this.idempotencyTable.grant(this.jobs.consumer, ...IDEMPOTENCY_TABLE_ACTIONS);

    const outputs: Record<string, string> = {
      [Outputs.queueUrl]: this.jobs.queue.queueUrl,
      [Outputs.queueArn]: this.jobs.queue.queueArn,
      [Outputs.dlqUrl]: this.jobs.deadLetterQueue.queueUrl,
      [Outputs.dlqArn]: this.jobs.deadLetterQueue.queueArn,
      [Outputs.workerFunctionName]: this.jobs.consumer.functionName,
      [Outputs.redriveFunctionName]: this.jobs.redriveFunction?.function.functionName ?? "",
      [Outputs.jobsTableName]: this.jobsTable.tableName,
      [Outputs.idempotencyTableName]: this.idempotencyTable.tableName,
    };
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });
  }
}
