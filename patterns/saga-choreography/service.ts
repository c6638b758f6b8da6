import { Duration, Names, type RemovalPolicy, Stack } from "aws-cdk-lib";
import { type Alarm, Metric } from "aws-cdk-lib/aws-cloudwatch";
import { type CfnRule, type IEventBus, Rule } from "aws-cdk-lib/aws-events";
import { type IGrantable, PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { Key } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { anyOccurrenceAlarm } from "../shared/any-occurrence-alarm.js";
import { createQueueConsumer } from "../shared/consumer-function.js";
import { functionAlarms } from "../shared/function-alarms.js";
import { IDEMPOTENCY_EXPIRES_AFTER_SECONDS, idempotencyExpirySeconds } from "../shared/idempotency-window.js";
import { createKey } from "../shared/kms.js";
import { acknowledgeNag } from "../shared/nag.js";
import type { PatternFunction } from "../shared/node-function.js";
import { dlqDepthAlarm, messageAgeAlarm } from "../shared/queue-alarms.js";
import {
  acknowledgeDeadLetterQueueFindings,
  acknowledgeSqsConsumerFunctionFindings,
} from "../shared/sqs-consumer-nag.js";
import { CHOREOGRAPHY_LIMITS, CHOREOGRAPHY_DEFAULTS as D } from "./defaults.js";
import type { ChoreographyServiceProps } from "./props.js";
import { ServiceQueueTarget } from "./queue-target.js";
import { type ConsumedEvent, consumerTimeout, serviceSource } from "./validate.js";

/** What a {@link ChoreographyService} needs from the construct around it. */
export interface ChoreographyServiceConstructProps {
  readonly service: ChoreographyServiceProps;
  readonly eventBus: IEventBus;
  /** The event types this service consumes, each with the source its emitter uses. */
  readonly routes: readonly ConsumedEvent[];
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;
  readonly alarmTopic?: ITopic;
  readonly logRetention?: RetentionDays;
  readonly keyRemovalPolicy?: RemovalPolicy;
}

/** The alarms of one service. */
export interface ChoreographyServiceAlarms {
  /** The queue's DLQ holds records that failed `maxReceiveCount` times or permanently. */
  readonly deadLetterQueueDepth: Alarm;
  /** The oldest message in the DLQ nobody redrove is older than the threshold. */
  readonly deadLetterQueueAge: Alarm;
  /** The oldest message in the queue is older than the threshold: the consumer fails or lags. */
  readonly oldestMessageAge: Alarm;
  /** The oldest event in the target DLQ is older than the threshold. */
  readonly targetDeadLetterQueueAge: Alarm;
  /** The consumer's invocations failed as a whole (threw, timed out, crashed). */
  readonly consumerErrors: Alarm;
  /** The consumer was throttled. */
  readonly consumerThrottles: Alarm;
  /** EventBridge could not deliver an event to the queue (key or policy problem) and parked it. */
  readonly targetDeadLetterQueueDepth: Alarm;
  /** Per consumed detail-type: the rule's `FailedInvocations` (each one will be retried, then parked). */
  readonly failedInvocations: Readonly<Record<string, Alarm>>;
}

/**
 * One service of the choreography: its own KMS key, a queue fed by one EventBridge rule per consumed
 * event type (pattern on `source` and `detail-type`), the queue's DLQ, a target DLQ for events
 * EventBridge cannot deliver, a consumer with partial batch responses, permission to put exactly its
 * own events, and alarms.
 */
export class ChoreographyService extends Construct {
  /** The `source` of the events the service emits. */
  public readonly source: string;
  /** The `detail-type`s the service may put. */
  public readonly emits: readonly string[];
  public readonly key: Key;
  public readonly queue: Queue;
  /** The queue's redrive DLQ (also where the consumer sends permanent failures, with reasons). */
  public readonly deadLetterQueue: Queue;
  /** Where the rules park events they could not deliver to `queue` (target `DeadLetterConfig`). */
  public readonly targetDeadLetterQueue: Queue;
  /** The rules, by consumed detail-type. */
  public readonly rules: Readonly<Record<string, Rule>>;
  /**
   * The rules' names, by consumed detail-type (the `RuleName` metric dimension). Not `rule.ruleName`:
   * `Ref` of a rule on a custom bus is `<bus>|<rule>`.
   */
  public readonly ruleNames: Record<string, string> = {};
  public readonly consumer: IFunction;
  public readonly consumerFunction?: PatternFunction;
  public readonly eventSource: SqsEventSource;
  public readonly alarms: ChoreographyServiceAlarms;
  private readonly eventBus: IEventBus;

  constructor(scope: Construct, id: string, props: ChoreographyServiceConstructProps) {
    super(scope, id);
    const s = props.service;
    this.source = serviceSource(s);
    this.emits = [...s.emits];
    this.eventBus = props.eventBus;
    const timeout = consumerTimeout(s) ?? D.consumerTimeout;
    const retention = s.retentionPeriod ?? D.retentionPeriod;
    const deadLetterRetention = s.deadLetterRetentionPeriod ?? D.deadLetterRetentionPeriod;
    const encryption = { encryption: QueueEncryption.KMS, enforceSSL: true };

    this.key = createKey(this, "Key", `Encrypts the queues of saga service ${s.id}`, props.keyRemovalPolicy);
    const dlqProps = {
      ...encryption,
      encryptionMasterKey: this.key,
      retentionPeriod: deadLetterRetention,
      maxMessageSizeBytes: CHOREOGRAPHY_LIMITS.deadLetterMessageSizeBytes,
    };
    this.deadLetterQueue = new Queue(this, "DeadLetterQueue", dlqProps);
    this.targetDeadLetterQueue = new Queue(this, "TargetDeadLetterQueue", dlqProps);
    this.queue = new Queue(this, "Queue", {
      ...encryption,
      encryptionMasterKey: this.key,
      visibilityTimeout:
        s.visibilityTimeout ?? Duration.seconds(timeout.toSeconds() * D.visibilityTimeoutFactor),
      retentionPeriod: retention,
      // PutEvents entries are at most 256 KiB, so the default fits every event the bus delivers.
      maxMessageSizeBytes: s.maxMessageSizeBytes ?? D.maxMessageSizeBytes,
      deadLetterQueue: {
        queue: this.deadLetterQueue,
        maxReceiveCount: s.maxReceiveCount ?? D.maxReceiveCount,
      },
    });

    const target = new ServiceQueueTarget({
      queue: this.queue,
      deadLetterQueue: this.targetDeadLetterQueue,
      retryAttempts: props.retryAttempts,
      maxEventAge: props.maxEventAge,
    });
    const rules: Record<string, Rule> = {};
    const ruleArns: string[] = [];
    for (const route of props.routes) {
      const rule = new Rule(this, `On${route.detailType}`, {
        eventBus: props.eventBus,
        description: `${s.id} consumes ${route.detailType} from ${route.source}`,
        eventPattern: { source: [route.source], detailType: [route.detailType] },
      });
      // An explicit name, so the key policy can name the rule's ARN without referencing the rule
      // (the rule references the queue, the queue the key: a reference back would be a cycle).
      const ruleName = Names.uniqueResourceName(rule, { maxLength: 64 });
      (rule.node.defaultChild as CfnRule).name = ruleName;
      this.ruleNames[route.detailType] = ruleName;
      rule.addTarget(target);
      rules[route.detailType] = rule;
      ruleArns.push(
        Stack.of(this).formatArn({
          service: "events",
          resource: "rule",
          resourceName: `${props.eventBus.eventBusName}/${ruleName}`,
        }),
      );
    }
    this.rules = rules;

    const events = new ServicePrincipal("events.amazonaws.com");
    for (const queue of [this.queue, this.targetDeadLetterQueue]) {
      queue.addToResourcePolicy(
        new PolicyStatement({
          sid: "AllowTheServiceRulesToSend",
          principals: [events],
          actions: ["sqs:SendMessage"],
          resources: [queue.queueArn],
          conditions: { ArnEquals: { "aws:SourceArn": ruleArns } },
        }),
      );
    }
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: "AllowTheServiceRulesToEncrypt",
        principals: [events],
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        resources: ["*"],
        conditions: { ArnEquals: { "aws:SourceArn": ruleArns } },
      }),
    );

    const consumer = createQueueConsumer(this, {
      consumer: s.consumer,
      timeout,
      environment: {
        DLQ_URL: this.deadLetterQueue.queueUrl,
        EVENT_BUS_NAME: props.eventBus.eventBusName,
        EVENT_SOURCE: this.source,
        [IDEMPOTENCY_EXPIRES_AFTER_SECONDS]: String(idempotencyExpirySeconds(retention, deadLetterRetention)),
        POWERTOOLS_SERVICE_NAME: s.id,
      },
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      key: this.key,
      batchSize: s.batchSize ?? D.batchSize,
      maxBatchingWindow: s.maxBatchingWindow,
      maxConcurrency: s.maxConcurrency,
      logRetention: props.logRetention,
      description: `Consumes the events saga service ${s.id} reacts to`,
    });
    this.consumer = consumer.consumer;
    this.consumerFunction = consumer.consumerFunction;
    this.eventSource = consumer.eventSource;
    if (this.emits.length > 0) this.grantPutEvents(this.consumer);
    acknowledgeFindings(this);

    const failedInvocations: Record<string, Alarm> = {};
    for (const [detailType, rule] of Object.entries(rules)) {
      const ruleName = this.ruleNames[detailType] as string;
      failedInvocations[detailType] = anyOccurrenceAlarm(
        this,
        `${rule.node.id}FailedInvocationsAlarm`,
        new Metric({
          namespace: "AWS/Events",
          metricName: "FailedInvocations",
          dimensionsMap: { EventBusName: props.eventBus.eventBusName, RuleName: ruleName },
          statistic: "Sum",
          period: Duration.minutes(1),
        }),
        `Saga service ${s.id}: EventBridge failed to deliver ${detailType} to the queue (retried, then parked in the target DLQ); check the queue policy and key`,
        props.alarmTopic,
      );
    }
    const dlqAge = s.deadLetterAgeAlarmThreshold ?? D.deadLetterAgeAlarmThreshold;
    const functions = functionAlarms(
      this,
      "Consumer",
      this.consumer,
      `Saga service ${s.id}: consumer`,
      props.alarmTopic,
    );
    this.alarms = {
      consumerErrors: functions.errors,
      consumerThrottles: functions.throttles,
      deadLetterQueueAge: messageAgeAlarm(
        this,
        "DeadLetterQueueAgeAlarm",
        this.deadLetterQueue,
        dlqAge,
        `Saga service ${s.id}: a DLQ message nobody redrove is getting old (SQS deletes it at the end of the DLQ's retention)`,
        props.alarmTopic,
      ),
      targetDeadLetterQueueAge: messageAgeAlarm(
        this,
        "TargetDeadLetterQueueAgeAlarm",
        this.targetDeadLetterQueue,
        dlqAge,
        `Saga service ${s.id}: an event parked in the target DLQ is getting old; fix the queue policy or key, then redrive`,
        props.alarmTopic,
      ),
      deadLetterQueueDepth: dlqDepthAlarm(
        this,
        "DeadLetterQueueDepthAlarm",
        this.deadLetterQueue,
        `Saga service ${s.id}: events in the DLQ (failed processing); inspect, fix, then redrive`,
        props.alarmTopic,
      ),
      oldestMessageAge: messageAgeAlarm(
        this,
        "OldestMessageAgeAlarm",
        this.queue,
        s.messageAgeAlarmThreshold ?? D.messageAgeAlarmThreshold,
        `Saga service ${s.id}: the oldest event is getting old (consumer failing or lagging)`,
        props.alarmTopic,
      ),
      targetDeadLetterQueueDepth: dlqDepthAlarm(
        this,
        "TargetDeadLetterQueueDepthAlarm",
        this.targetDeadLetterQueue,
        `Saga service ${s.id}: EventBridge parked events it could not deliver to the queue (policy or key problem)`,
        props.alarmTopic,
      ),
      failedInvocations,
    };
  }

  /**
   * Lets `grantee` put this service's events on the bus: `events:PutEvents` on the bus, only with
   * the service's `source` and `detail-type`s (`events:source` / `events:detail-type` conditions),
   * so no service can impersonate another or invent a type the rules do not expect. PutEvents
   * callers need no KMS permission on a customer-managed bus key: EventBridge uses the key itself.
   *
   * @param detailTypes a subset of the service's types (e.g. only `OrderPlaced` for an API
   *   function). @default every type the service emits
   */
  public grantPutEvents(grantee: IGrantable, detailTypes: readonly string[] = this.emits): void {
    const unknown = detailTypes.filter((t) => !this.emits.includes(t));
    if (unknown.length > 0 || detailTypes.length === 0) {
      throw new Error(
        `${this.node.path}: cannot grant PutEvents for [${unknown.join(", ")}]; allowed: a non-empty subset of ${this.emits.join(", ")}`,
      );
    }
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ["events:PutEvents"],
        resources: [this.eventBus.eventBusArn],
        conditions: {
          StringEquals: { "events:source": this.source, "events:detail-type": [...detailTypes] },
        },
      }),
    );
  }
}

/** cdk-nag findings inherent to a service, each with why it is acceptable. */
function acknowledgeFindings(service: ChoreographyService): void {
  for (const dlq of [service.deadLetterQueue, service.targetDeadLetterQueue]) {
    acknowledgeDeadLetterQueueFindings(dlq);
  }
  acknowledgeNag(
    service.targetDeadLetterQueue,
    "AwsSolutions-SQS3",
    "This queue is the EventBridge rule targets' dead-letter queue (target DeadLetterConfig), which cdk-nag cannot see",
  );
  if (service.consumerFunction) acknowledgeSqsConsumerFunctionFindings(service.consumerFunction.function);
}
