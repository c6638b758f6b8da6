import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import { type Alarm, ComparisonOperator, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { Table } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IKey, Key } from "aws-cdk-lib/aws-kms";
import { FunctionUrl, FunctionUrlAuthType, type IFunction, InvokeMode } from "aws-cdk-lib/aws-lambda";
import type { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { type ITopic, Topic } from "aws-cdk-lib/aws-sns";
import { SqsSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { type IStringParameter, StringParameter } from "aws-cdk-lib/aws-ssm";
import { Construct } from "constructs";
import { createQueueConsumer } from "../shared/consumer-function.js";
import { IDEMPOTENCY_EXPIRES_AFTER_SECONDS } from "../shared/idempotency-window.js";
import { createKey } from "../shared/kms.js";
import { acknowledgeNag } from "../shared/nag.js";
import { PatternFunction } from "../shared/node-function.js";
import { dlqDepthAlarm, messageAgeAlarm } from "../shared/queue-alarms.js";
import { createIdempotencyTable, IDEMPOTENCY_TABLE_ACTIONS } from "../shared/tables.js";
import { validateProps } from "../shared/validation.js";
import { BRIDGE_DEFAULTS as D, BRIDGE_LIMITS as L } from "./defaults.js";
import type { SnsPubsubBridgeProps } from "./props.js";
import { BRIDGE_RULES, forwarderTimeout } from "./validate.js";

export type * from "./props.js";

const FUNCTIONS = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "functions", "sns-pubsub-bridge");
/** The default handler entries (the construct references the paths only, never the code). */
export const DEFAULT_FORWARDER_ENTRY = join(FUNCTIONS, "forwarder-entry.ts");
export const DEFAULT_PUSH_RECEIVER_ENTRY = join(FUNCTIONS, "push-receiver-entry.ts");

/** The alarms of a {@link SnsPubsubBridge}. */
export interface SnsPubsubBridgeAlarms {
  /** Events that never reached Pub/Sub (reason in `error.type`/`error.reason`). */
  readonly forwardDeadLetterQueueDepth: Alarm;
  /** SNS could not deliver to the forward queue (policy or key problem). */
  readonly subscriptionDeadLetterQueueDepth: Alarm;
  /** The forwarder lags or Pub/Sub is failing: events wait in the queue. */
  readonly forwardQueueAge: Alarm;
  /** Push requests answered 4xx: forged or expired tokens, or messages that may not enter AWS. */
  readonly pushRefused: Alarm;
  /** Push requests answered 5xx: SNS or the idempotency table failing (Pub/Sub retries them). */
  readonly pushFailed: Alarm;
}

/**
 * Events between AWS and Google Cloud Pub/Sub, both ways, with no key to leak:
 *
 * AWS → Google Cloud: the source SNS topic → an SQS queue (own KMS key, DLQ, SNS subscription DLQ,
 * alarms) → the forwarder (partial batch responses; a record is deleted only after Pub/Sub
 * acknowledged its publish) → the Pub/Sub topic, CloudEvents in Pub/Sub's binary content mode. It
 * authenticates by Workload Identity Federation: an external-account configuration (no private key)
 * in SSM or Secrets Manager, exchanged for a Google token with the function's own AWS credentials.
 *
 * Google Cloud → AWS: a Pub/Sub push subscription → a Lambda function URL whose handler verifies the
 * push request's Google-signed OIDC token (issuer, audience, service-account email, signature,
 * expiry) before anything else, then publishes the CloudEvent to the target SNS topic, idempotent on
 * its id, and answers 2xx only after SNS accepted it.
 *
 * The Google Cloud side (pool, provider, service account, topic, push subscription) is created once
 * with gcloud; see README.md.
 */
export class SnsPubsubBridge extends Construct {
  /** The topic whose events go to Google Cloud (given, or created). */
  public readonly sourceTopic: ITopic;
  /** Encrypts the source topic when the bridge created it. */
  public readonly sourceTopicKey?: Key;
  /** Encrypts the forward queue and its DLQs. */
  public readonly queueKey: Key;
  /** The forward queue. */
  public readonly forwardQueue: Queue;
  /** The forward queue's DLQ (failed forwarding, with reasons). */
  public readonly forwardDeadLetterQueue: Queue;
  /** The SNS subscription's DLQ (SNS could not deliver to the queue). */
  public readonly subscriptionDeadLetterQueue: Queue;
  /** The forwarder function. */
  public readonly forwarder: IFunction;
  /** The bundled forwarder, when created from an entry. */
  public readonly forwarderFunction?: PatternFunction;
  /** The forwarder's SQS event source. */
  public readonly eventSource: SqsEventSource;
  /** The SSM parameter with the federation configuration, when given or created. */
  public readonly credentialsParameter?: IStringParameter;
  /** The topic events from Google Cloud are published to (given, or created). */
  public readonly targetTopic: ITopic;
  /** Encrypts the target topic when the bridge created it. */
  public readonly targetTopicKey?: Key;
  /** The push receiver. */
  public readonly pushReceiver: PatternFunction;
  /** Its function URL: the push subscription's endpoint. */
  public readonly pushUrl: FunctionUrl;
  /** The OIDC audience the push subscription must use. */
  public readonly pushAudience: string;
  /** Remembers CloudEvent ids against Pub/Sub redelivery. */
  public readonly idempotencyTable: Table;
  /** The alarms. */
  public readonly alarms: SnsPubsubBridgeAlarms;

  constructor(scope: Construct, id: string, props: SnsPubsubBridgeProps) {
    super(scope, id);
    validateProps(this, props, BRIDGE_RULES);
    const to = props.toGoogle;
    const from = props.fromGoogle;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    // ---- AWS → Google Cloud -------------------------------------------------------------------
    if (to.sourceTopic) {
      this.sourceTopic = to.sourceTopic;
    } else {
      this.sourceTopicKey = createKey(
        this,
        "SourceTopicKey",
        "Encrypts the bridge's source topic",
        removalPolicy,
      );
      this.sourceTopic = new Topic(this, "SourceTopic", { masterKey: this.sourceTopicKey, enforceSSL: true });
    }
    const fifo = this.sourceTopic.fifo;
    const timeout = forwarderTimeout(props) ?? D.consumerTimeout;
    const deadLetterRetention = to.deadLetterRetentionPeriod ?? D.deadLetterRetentionPeriod;
    const retention = to.retentionPeriod ?? D.retentionPeriod;
    const common = { encryption: QueueEncryption.KMS, enforceSSL: true, fifo: fifo || undefined };

    this.queueKey = createKey(
      this,
      "QueueKey",
      "Encrypts the bridge's forward queue and its DLQs",
      removalPolicy,
    );
    const deadLetter = {
      ...common,
      encryptionMasterKey: this.queueKey,
      retentionPeriod: deadLetterRetention,
      maxMessageSizeBytes: L.maxDeadLetterMessageBytes,
    };
    this.forwardDeadLetterQueue = new Queue(this, "ForwardDeadLetterQueue", deadLetter);
    this.subscriptionDeadLetterQueue = new Queue(this, "SubscriptionDeadLetterQueue", deadLetter);
    this.forwardQueue = new Queue(this, "ForwardQueue", {
      ...common,
      encryptionMasterKey: this.queueKey,
      maxMessageSizeBytes: L.maxMessageBytes,
      visibilityTimeout:
        to.visibilityTimeout ?? Duration.seconds(timeout.toSeconds() * D.visibilityTimeoutFactor),
      retentionPeriod: retention,
      deadLetterQueue: {
        queue: this.forwardDeadLetterQueue,
        maxReceiveCount: to.maxReceiveCount ?? D.maxReceiveCount,
      },
    });
    this.queueKey.addToResourcePolicy(
      new PolicyStatement({
        sid: "AllowSnsToWriteToTheBridgeQueues",
        principals: [new ServicePrincipal("sns.amazonaws.com")],
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        resources: ["*"],
        conditions: { ArnEquals: { "aws:SourceArn": this.sourceTopic.topicArn } },
      }),
    );
    this.sourceTopic.addSubscription(
      new SqsSubscription(this.forwardQueue, {
        rawMessageDelivery: true,
        deadLetterQueue: this.subscriptionDeadLetterQueue,
      }),
    );

    const credentials = to.credentials;
    if (credentials.configuration) {
      this.credentialsParameter = new StringParameter(this, "GoogleCredentials", {
        description:
          "Workload Identity Federation configuration of the bridge (external account, no private key)",
        stringValue: JSON.stringify(credentials.configuration),
      });
    } else {
      this.credentialsParameter = credentials.parameter;
    }
    const consumer = createQueueConsumer(this, {
      consumer: {
        ...to.forwarder,
        ...(to.forwarder?.function ? {} : { entry: to.forwarder?.entry ?? DEFAULT_FORWARDER_ENTRY }),
      },
      timeout,
      environment: {
        POWERTOOLS_SERVICE_NAME: "pubsub-forwarder",
        PUBSUB_TOPIC: to.pubsubTopic,
        DLQ_URL: this.forwardDeadLetterQueue.queueUrl,
        RAW_MESSAGE_DELIVERY: "true",
        FORWARDED_EVENT_TYPES: to.eventTypes.join(","),
        // Two thirds of the function timeout: a stuck publish fails its record, not the invocation.
        PUBLISH_TIMEOUT_MS: String(Math.max(1000, Math.floor((timeout.toMilliseconds() * 2) / 3))),
        ...(this.credentialsParameter
          ? { GOOGLE_CREDENTIALS_PARAMETER: this.credentialsParameter.parameterName }
          : { GOOGLE_CREDENTIALS_SECRET_ARN: credentials.secret?.secretArn ?? "" }),
      },
      queue: this.forwardQueue,
      deadLetterQueue: this.forwardDeadLetterQueue,
      key: this.queueKey,
      batchSize: to.batchSize ?? D.batchSize,
      maxBatchingWindow: to.maxBatchingWindow,
      maxConcurrency: to.maxConcurrency,
      logRetention: props.logRetention,
      description: `Forwards ${this.node.path}'s events to Pub/Sub ${to.pubsubTopic}`,
    });
    this.forwarder = consumer.consumer;
    this.forwarderFunction = consumer.consumerFunction;
    this.eventSource = consumer.eventSource;
    this.credentialsParameter?.grantRead(this.forwarder);
    credentials.secret?.grantRead(this.forwarder);

    // ---- Google Cloud → AWS -------------------------------------------------------------------
    let targetKey: IKey | undefined;
    if (from.targetTopic) {
      this.targetTopic = from.targetTopic;
      targetKey = from.targetTopic.masterKey;
    } else {
      this.targetTopicKey = createKey(
        this,
        "TargetTopicKey",
        "Encrypts the bridge's target topic",
        removalPolicy,
      );
      this.targetTopic = new Topic(this, "TargetTopic", { masterKey: this.targetTopicKey, enforceSSL: true });
      targetKey = this.targetTopicKey;
    }
    this.idempotencyTable = createIdempotencyTable(this, "IdempotencyTable", removalPolicy);
    const stack = Stack.of(this);
    this.pushAudience = from.audience ?? `sns-pubsub-bridge:${stack.stackName}/${this.node.path}`;
    this.pushReceiver = new PatternFunction(this, "PushReceiver", {
      entry: from.entry ?? DEFAULT_PUSH_RECEIVER_ENTRY,
      timeout: from.timeout ?? D.pushTimeout,
      memorySize: from.memorySize ?? D.pushMemorySize,
      reservedConcurrentExecutions: from.reservedConcurrentExecutions,
      logRetention: props.logRetention,
      description: `Receives Pub/Sub pushes for ${this.node.path} (verifies the OIDC token, publishes to SNS)`,
      environment: {
        POWERTOOLS_SERVICE_NAME: "pubsub-push",
        TOPIC_ARN: this.targetTopic.topicArn,
        PUSH_AUDIENCE: this.pushAudience,
        PUSH_SERVICE_ACCOUNT_EMAIL: from.serviceAccountEmail,
        ACCEPTED_EVENT_TYPES: from.eventTypes.join(","),
        IDEMPOTENCY_TABLE_NAME: this.idempotencyTable.tableName,
        [IDEMPOTENCY_EXPIRES_AFTER_SECONDS]: String(
          (from.redeliveryWindow ?? D.redeliveryWindow).toSeconds(),
        ),
        ...from.environment,
      },
    });
    const push = this.pushReceiver.function;
    // AuthType NONE: Pub/Sub cannot sign SigV4 requests; the handler's OIDC token check is the
    // authentication. No CORS: the caller is Pub/Sub, never a browser. BUFFERED: one small answer.
    this.pushUrl = new FunctionUrl(this, "PushUrl", {
      function: push,
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.BUFFERED,
    });
    push.addToRolePolicy(
      new PolicyStatement({ actions: ["sns:Publish"], resources: [this.targetTopic.topicArn] }),
    );
    targetKey?.grant(push, "kms:GenerateDataKey", "kms:Decrypt");
    this.idempotencyTable.grant(push, ...IDEMPOTENCY_TABLE_ACTIONS);

    acknowledgeFindings(this);
    this.alarms = {
      forwardDeadLetterQueueDepth: dlqDepthAlarm(
        this,
        "ForwardDeadLetterQueueDepthAlarm",
        this.forwardDeadLetterQueue,
        `${this.node.path}: events that never reached Pub/Sub (see error.type/error.reason); fix, then redrive`,
        props.alarmTopic,
      ),
      subscriptionDeadLetterQueueDepth: dlqDepthAlarm(
        this,
        "SubscriptionDeadLetterQueueDepthAlarm",
        this.subscriptionDeadLetterQueue,
        `${this.node.path}: SNS could not deliver to the forward queue (policy or key problem)`,
        props.alarmTopic,
      ),
      forwardQueueAge: messageAgeAlarm(
        this,
        "ForwardQueueAgeAlarm",
        this.forwardQueue,
        to.messageAgeAlarmThreshold ?? D.messageAgeAlarmThreshold,
        `${this.node.path}: events wait to be forwarded (Pub/Sub failing, credentials broken, or the forwarder lags)`,
        props.alarmTopic,
      ),
      pushRefused: urlAlarm(
        this,
        "PushRefusedAlarm",
        push,
        "Url4xxCount",
        props.alarmTopic,
        `${this.node.path}: push requests refused (forged/expired tokens or event types that may not enter AWS)`,
      ),
      pushFailed: urlAlarm(
        this,
        "PushFailedAlarm",
        push,
        "Url5xxCount",
        props.alarmTopic,
        `${this.node.path}: push requests failed (SNS or DynamoDB); Pub/Sub retries, then dead-letters`,
      ),
    };
  }
}

function urlAlarm(
  scope: Construct,
  id: string,
  fn: IFunction,
  metricName: "Url4xxCount" | "Url5xxCount",
  action: ITopic | undefined,
  description: string,
): Alarm {
  const alarm = fn
    .metric(metricName, {
      period: Duration.minutes(5),
      statistic: "Sum",
      dimensionsMap: { FunctionName: fn.functionName, Resource: fn.functionName },
    })
    .createAlarm(scope, id, {
      alarmDescription: description,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  if (action) alarm.addAlarmAction(new SnsAction(action));
  return alarm;
}

/** cdk-nag findings inherent to the pattern, each with why it is acceptable. */
function acknowledgeFindings(bridge: SnsPubsubBridge): void {
  acknowledgeNag(
    bridge.forwardDeadLetterQueue,
    "Serverless-SQSRedrivePolicy",
    "This queue is itself the forward queue's dead-letter queue; a DLQ of a DLQ would only hide failures from the depth alarm",
  );
  acknowledgeNag(
    bridge.subscriptionDeadLetterQueue,
    "Serverless-SQSRedrivePolicy",
    "This queue is itself the SNS subscription's dead-letter queue; a DLQ of a DLQ would only hide failures from the depth alarm",
  );
  acknowledgeNag(
    bridge.subscriptionDeadLetterQueue,
    "AwsSolutions-SQS3",
    "This queue is the SNS subscription's dead-letter queue (subscription RedrivePolicy), which cdk-nag cannot see",
  );
  if (bridge.forwarderFunction) {
    const fn = bridge.forwarderFunction.function;
    acknowledgeNag(
      fn,
      "Serverless-LambdaDLQ",
      "Invoked synchronously by the SQS event source mapping; failed events go to the forward queue's DLQ, a Lambda DLQ applies only to async invocations",
    );
    acknowledgeNag(
      fn,
      "Serverless-LambdaEventSourceMappingDestination",
      "SQS event source mappings support no on-failure destination; the queue's RedrivePolicy and the handler move failed events to the DLQ",
    );
  }
  acknowledgeNag(
    bridge.pushReceiver.function,
    "Serverless-LambdaDLQ",
    "Invoked synchronously through its function URL by Pub/Sub push; a failed request is answered 5xx and Pub/Sub's retry policy and dead-letter topic keep the message",
  );
}
