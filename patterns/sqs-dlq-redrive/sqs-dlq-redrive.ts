import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Duration, Names, Stack } from "aws-cdk-lib";
import type { Alarm } from "aws-cdk-lib/aws-cloudwatch";
import { Rule, RuleTargetInput } from "aws-cdk-lib/aws-events";
import { LambdaFunction as LambdaTarget } from "aws-cdk-lib/aws-events-targets";
import type { IGrantable } from "aws-cdk-lib/aws-iam";
import type { Key } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { type CfnQueue, Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { createQueueConsumer } from "../shared/consumer-function.js";
import { functionAlarms } from "../shared/function-alarms.js";
import { IDEMPOTENCY_EXPIRES_AFTER_SECONDS, idempotencyExpirySeconds } from "../shared/idempotency-window.js";
import { createKey } from "../shared/kms.js";
import { acknowledgeNag } from "../shared/nag.js";
import { PatternFunction } from "../shared/node-function.js";
import { dlqDepthAlarm, messageAgeAlarm } from "../shared/queue-alarms.js";
import { validateProps } from "../shared/validation.js";
import { REDRIVABLE_DEFAULTS as D, REDRIVABLE_LIMITS as L } from "./defaults.js";
import type { RedrivableQueueProps } from "./props.js";
import { consumerTimeout, REDRIVABLE_RULES } from "./validate.js";

export type * from "./props.js";

/** The default redrive handler entry (the construct references the path only, never the code). */
export const DEFAULT_REDRIVE_ENTRY = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "functions",
  "sqs-dlq-redrive",
  "redrive.ts",
);

/** The alarms of a {@link RedrivableQueue}. */
export interface RedrivableQueueAlarms {
  /** The DLQ holds a message: a job failed for good (reason in its `error.type`/`error.reason`). */
  readonly deadLetterQueueDepth: Alarm;
  /** The DLQ's oldest message is old: nobody redrove it, and DLQ retention will delete it. */
  readonly deadLetterQueueAge: Alarm;
  /** The queue's oldest message is old: the consumer fails, backs off or lags. */
  readonly oldestMessageAge: Alarm;
  /** Consumer invocations failed as a whole (threw, timed out, crashed). */
  readonly consumerErrors: Alarm;
  /** Consumer invocations were throttled. */
  readonly consumerThrottles: Alarm;
  /** An asynchronous redrive run failed (or expired unstarted): it is in `redriveFailureQueue`. */
  readonly redriveFailures?: Alarm;
}

/**
 * A point-to-point work queue with everything a failing job needs:
 * - the queue (standard or FIFO) and its DLQ, one customer-managed KMS key, TLS only; the DLQ's
 *   `RedriveAllowPolicy` admits only this queue as a source, and the queue's `RedrivePolicy` moves a
 *   message there after `maxReceiveCount` receives;
 * - a consumer Lambda with partial batch responses; its handler (functions/sqs-dlq-redrive/worker.ts)
 *   retries with exponential backoff and jitter by setting the failed record's visibility from
 *   `ApproximateReceiveCount` (env `BACKOFF_BASE_SECONDS`/`BACKOFF_MAX_SECONDS`/`MAX_RECEIVE_COUNT`), sends
 *   permanent errors straight to the DLQ with `error.type`/`error.reason`, and dead-letters with a reason on
 *   the last allowed receive;
 * - alarms on DLQ depth, DLQ age and queue age;
 * - a redrive function (StartMessageMoveTask, or the project's own mover) to invoke after a fix, and an
 *   optional schedule for it (off by default).
 *
 * The queue has a generated physical name (stack name + construct path + hash): the DLQ's
 * `RedriveAllowPolicy` must name the queue's ARN while the queue's `RedrivePolicy` names the DLQ's, and
 * referencing each other's attributes would be a CloudFormation dependency cycle.
 */
export class RedrivableQueue extends Construct {
  /** Encrypts the queue and the DLQ. */
  public readonly key: Key;
  /** The work queue. */
  public readonly queue: Queue;
  /** The dead-letter queue. */
  public readonly deadLetterQueue: Queue;
  /** The consumer function. */
  public readonly consumer: IFunction;
  /** The bundled consumer (function, log group, role), when created from `entry`. */
  public readonly consumerFunction?: PatternFunction;
  /** The consumer's SQS event source. */
  public readonly eventSource: SqsEventSource;
  /** The redrive function, unless `redrive.enabled` is false. */
  public readonly redriveFunction?: PatternFunction;
  /**
   * The redrive function's on-failure destination: an asynchronous run (scheduled, or invoked with
   * `--invocation-type Event`) that failed after its retries or expired before it could start lands
   * here with its request and the error. Set with the redrive function.
   */
  public readonly redriveFailureQueue?: Queue;
  /** The schedule of the redrive function, when `redrive.schedule` is set. */
  public readonly redriveSchedule?: Rule;
  /** The alarms. */
  public readonly alarms: RedrivableQueueAlarms;

  constructor(scope: Construct, id: string, props: RedrivableQueueProps) {
    super(scope, id);
    validateProps(this, props, REDRIVABLE_RULES);
    const fifo = props.fifo ?? false;
    // Known after validation (an imported function must come with its timeout).
    const timeout = consumerTimeout(props) ?? D.consumerTimeout;
    const maxReceiveCount = props.maxReceiveCount ?? D.maxReceiveCount;
    const retention = props.retentionPeriod ?? D.retentionPeriod;
    const deadLetterRetention = props.deadLetterRetentionPeriod ?? D.deadLetterRetentionPeriod;
    const common = { encryption: QueueEncryption.KMS, enforceSSL: true, fifo: fifo || undefined };

    this.key = createKey(
      this,
      "Key",
      `Encrypts the redrivable queue ${this.node.path}`,
      props.keyRemovalPolicy,
    );
    const stack = Stack.of(this);
    // SQS names are at most 80 characters: 30 (stack) + 1 + ≤ 44 (unique, hash-suffixed) + 5 (".fifo").
    const local = Names.uniqueResourceName(this, { maxLength: 45, separator: "-" }).replace(
      new RegExp(`^${stack.node.id}-`),
      "",
    );
    const queueName = `${stack.stackName.slice(0, 30)}-${local}${fifo ? ".fifo" : ""}`;
    const queueArn = stack.formatArn({ service: "sqs", resource: queueName });

    this.deadLetterQueue = new Queue(this, "DeadLetterQueue", {
      ...common,
      encryptionMasterKey: this.key,
      retentionPeriod: deadLetterRetention,
      maxMessageSizeBytes: L.deadLetterMessageSizeBytes,
    });
    // `redriveAllowPolicy.sourceQueues` takes IQueue objects, whose ARN reference would be a cycle: set the
    // ARN computed from the queue's name on the L1 instead.
    (this.deadLetterQueue.node.defaultChild as CfnQueue).addPropertyOverride("RedriveAllowPolicy", {
      redrivePermission: "byQueue",
      sourceQueueArns: [queueArn],
    });
    this.queue = new Queue(this, "Queue", {
      ...common,
      queueName,
      contentBasedDeduplication: props.contentBasedDeduplication,
      encryptionMasterKey: this.key,
      visibilityTimeout:
        props.visibilityTimeout ?? Duration.seconds(timeout.toSeconds() * D.visibilityTimeoutFactor),
      retentionPeriod: retention,
      maxMessageSizeBytes: props.maxMessageSizeBytes ?? D.maxMessageSizeBytes,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });

    const environment = {
      QUEUE_URL: this.queue.queueUrl,
      DLQ_URL: this.deadLetterQueue.queueUrl,
      MAX_RECEIVE_COUNT: String(maxReceiveCount),
      BACKOFF_BASE_SECONDS: String((props.backoff?.base ?? D.backoffBase).toSeconds()),
      BACKOFF_MAX_SECONDS: String((props.backoff?.max ?? D.backoffMax).toSeconds()),
      [IDEMPOTENCY_EXPIRES_AFTER_SECONDS]: String(idempotencyExpirySeconds(retention, deadLetterRetention)),
    };
    const consumer = createQueueConsumer(this, {
      consumer: props.consumer,
      timeout,
      environment: { POWERTOOLS_SERVICE_NAME: "jobs", ...environment },
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      key: this.key,
      batchSize: props.batchSize ?? D.batchSize,
      maxBatchingWindow: props.maxBatchingWindow,
      maxConcurrency: props.maxConcurrency,
      logRetention: props.logRetention,
      description: `Consumes the redrivable queue ${this.node.path}`,
    });
    this.consumer = consumer.consumer;
    this.consumerFunction = consumer.consumerFunction;
    this.eventSource = consumer.eventSource;

    const redrive = props.redrive ?? {};
    if (redrive.enabled !== false) {
      this.redriveFunction = new PatternFunction(this, "Redrive", {
        entry: redrive.entry ?? DEFAULT_REDRIVE_ENTRY,
        timeout: redrive.timeout ?? D.redriveTimeout,
        environment: {
          POWERTOOLS_SERVICE_NAME: "redrive",
          DLQ_URL: this.deadLetterQueue.queueUrl,
          QUEUE_URL: this.queue.queueUrl,
          ...(redrive.ratePerSecond !== undefined
            ? { REDRIVE_RATE_PER_SECOND: String(redrive.ratePerSecond) }
            : {}),
        },
        logRetention: props.logRetention,
        description: `Redrives the DLQ of ${this.node.path} back to its queue`,
      });
      const fn = this.redriveFunction.function;
      this.deadLetterQueue.grant(
        fn,
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:ListDeadLetterSourceQueues",
        "sqs:StartMessageMoveTask",
        "sqs:ListMessageMoveTasks",
        "sqs:CancelMessageMoveTask",
        "sqs:TagQueue",
        "sqs:UntagQueue",
        "sqs:ListQueueTags",
      );
      this.queue.grant(fn, "sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl");
      this.key.grant(fn, "kms:GenerateDataKey", "kms:Decrypt");
      this.redriveFailureQueue = new Queue(this, "RedriveFailureQueue", {
        encryption: QueueEncryption.KMS,
        encryptionMasterKey: this.key,
        enforceSSL: true,
        retentionPeriod: deadLetterRetention,
        maxMessageSizeBytes: L.deadLetterMessageSizeBytes,
      });
      // Lambda sends the failure record with the function's role: exactly SendMessage (the key's
      // actions are granted above), not SqsDestination's grantSendMessages with its kms wildcards.
      this.redriveFailureQueue.grant(fn, "sqs:SendMessage");
      const failureQueueArn = this.redriveFailureQueue.queueArn;
      fn.configureAsyncInvoke({
        onFailure: { bind: () => ({ destination: failureQueueArn }) },
        retryAttempts: redrive.retryAttempts ?? D.redriveRetryAttempts,
        maxEventAge: redrive.maxEventAge ?? D.redriveMaxEventAge,
      });
      if (redrive.schedule) {
        this.redriveSchedule = new Rule(this, "RedriveSchedule", {
          schedule: redrive.schedule,
          description: `Redrives the DLQ of ${this.node.path} on a schedule`,
          targets: [new LambdaTarget(fn, { event: RuleTargetInput.fromObject({}), retryAttempts: 0 })],
        });
      }
    }

    acknowledgeFindings(this);
    const consumerAlarms = functionAlarms(
      this,
      "Consumer",
      this.consumer,
      `${this.node.path}: consumer`,
      props.alarmTopic,
    );
    this.alarms = {
      deadLetterQueueDepth: dlqDepthAlarm(
        this,
        "DeadLetterQueueDepthAlarm",
        this.deadLetterQueue,
        `${this.node.path}: jobs in the DLQ (see error.type/error.reason); fix the cause, then redrive`,
        props.alarmTopic,
      ),
      deadLetterQueueAge: messageAgeAlarm(
        this,
        "DeadLetterQueueAgeAlarm",
        this.deadLetterQueue,
        props.deadLetterAgeAlarmThreshold ?? D.deadLetterAgeAlarmThreshold,
        `${this.node.path}: the oldest DLQ message is getting old; redrive or discard it before retention deletes it`,
        props.alarmTopic,
      ),
      oldestMessageAge: messageAgeAlarm(
        this,
        "OldestMessageAgeAlarm",
        this.queue,
        props.messageAgeAlarmThreshold ?? D.messageAgeAlarmThreshold,
        `${this.node.path}: the oldest job is getting old (consumer failing, backing off or lagging)`,
        props.alarmTopic,
      ),
      consumerErrors: consumerAlarms.errors,
      consumerThrottles: consumerAlarms.throttles,
      redriveFailures: this.redriveFailureQueue
        ? dlqDepthAlarm(
            this,
            "RedriveFailureQueueDepthAlarm",
            this.redriveFailureQueue,
            `${this.node.path}: an asynchronous redrive run failed or expired; its request and error are in the redrive failure queue`,
            props.alarmTopic,
          )
        : undefined,
    };
  }

  /** Lets `grantee` send jobs to the queue (SendMessage and the key actions encryption needs, nothing more). */
  public grantSend(grantee: IGrantable): void {
    this.queue.grant(grantee, "sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl");
    this.key.grant(grantee, "kms:GenerateDataKey", "kms:Decrypt");
  }
}

/** cdk-nag findings inherent to the pattern, each with why it is acceptable. */
function acknowledgeFindings(q: RedrivableQueue): void {
  acknowledgeNag(
    q.deadLetterQueue,
    "Serverless-SQSRedrivePolicy",
    "This queue is itself the dead-letter queue; a DLQ of a DLQ would only hide failures from the depth alarm",
  );
  if (q.consumerFunction) {
    acknowledgeNag(
      q.consumerFunction.function,
      "Serverless-LambdaDLQ",
      "Invoked synchronously by the SQS event source mapping; failed jobs go to the queue's DLQ, a Lambda DLQ applies only to async invocations",
    );
    acknowledgeNag(
      q.consumerFunction.function,
      "Serverless-LambdaEventSourceMappingDestination",
      "SQS event source mappings support no on-failure destination; the queue's RedrivePolicy and the handler move failed jobs to the DLQ",
    );
  }
  if (q.redriveFunction) {
    acknowledgeNag(
      q.redriveFunction.function,
      "Serverless-LambdaDLQ",
      "Failed asynchronous runs go to the on-failure destination RedriveFailureQueue (EventInvokeConfig), which keeps the request (max, rate, dry run, filters) with the error; a Lambda DLQ would keep only the request",
    );
  }
  if (q.redriveFailureQueue) {
    acknowledgeNag(
      q.redriveFailureQueue,
      "Serverless-SQSRedrivePolicy",
      "This queue is the redrive function's on-failure destination, read by a person; a DLQ of it would only hide failures from its depth alarm",
    );
    acknowledgeNag(
      q.redriveFailureQueue,
      "AwsSolutions-SQS3",
      "This queue is the redrive function's on-failure destination, read by a person; a DLQ of it would only hide failures from its depth alarm",
    );
  }
}
