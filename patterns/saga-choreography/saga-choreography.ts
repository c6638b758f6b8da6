import { Names, Stack } from "aws-cdk-lib";
import type { Alarm } from "aws-cdk-lib/aws-cloudwatch";
import { EventBus, type IEventBus } from "aws-cdk-lib/aws-events";
import { type IGrantable, PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { Key } from "aws-cdk-lib/aws-kms";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { createKey } from "../shared/kms.js";
import { acknowledgeNag } from "../shared/nag.js";
import { dlqDepthAlarm } from "../shared/queue-alarms.js";
import { validateProps } from "../shared/validation.js";
import { CHOREOGRAPHY_LIMITS, CHOREOGRAPHY_DEFAULTS as D } from "./defaults.js";
import type { SagaChoreographyProps } from "./props.js";
import { ChoreographyService } from "./service.js";
import { CHOREOGRAPHY_RULES, consumedEvents } from "./validate.js";

/**
 * A saga by choreography on EventBridge: no orchestrator; each service reacts to the events of the
 * others through its own queue and emits its own, and a failure event makes the services that
 * already acted compensate.
 *
 * Wires a custom event bus (its own KMS key, and a bus DLQ for events EventBridge cannot decrypt),
 * and per service: an encrypted queue fed by one rule per consumed event type (`source` and
 * `detail-type` of its emitter), its DLQ, a target DLQ with an explicit retry policy, a consumer
 * with partial batch responses, `events:PutEvents` restricted to the service's own source and
 * types, and alarms.
 *
 * Delivery is at least once at every hop (PutEvents retries, rule retries, SQS redelivery), and
 * events of one order can arrive in any order: handlers must be idempotent on the CloudEvent `id`,
 * and compensations must tolerate "nothing to undo" (see the pattern README).
 */
export class SagaChoreography extends Construct {
  /** The bus every service puts to. */
  public readonly eventBus: IEventBus;
  /** The bus's customer-managed key, when the construct created the bus. */
  public readonly eventBusKey?: Key;
  /** The bus's DLQ (events EventBridge cannot encrypt or decrypt), when the construct created the bus. */
  public readonly eventBusDeadLetterQueue?: Queue;
  /** Alarm on the bus DLQ, when the construct created the bus. */
  public readonly eventBusDeadLetterQueueDepthAlarm?: Alarm;
  /** The services, by service ID. */
  public readonly services: Readonly<Record<string, ChoreographyService>>;

  constructor(scope: Construct, id: string, props: SagaChoreographyProps) {
    super(scope, id);
    validateProps(this, props, CHOREOGRAPHY_RULES);

    if (props.eventBus) {
      this.eventBus = props.eventBus;
    } else {
      this.eventBusKey = createKey(this, "BusKey", "Encrypts the saga's event bus", props.keyRemovalPolicy);
      this.eventBusDeadLetterQueue = new Queue(this, "BusDeadLetterQueue", {
        encryption: QueueEncryption.KMS,
        encryptionMasterKey: this.eventBusKey,
        enforceSSL: true,
        retentionPeriod: D.deadLetterRetentionPeriod,
        maxMessageSizeBytes: CHOREOGRAPHY_LIMITS.deadLetterMessageSizeBytes,
      });
      // A name known at synth, so the key policy can name the bus's ARN without referencing the bus
      // (bus → DLQ → key → bus would be a cycle).
      const eventBusName =
        props.eventBusProps?.eventBusName ??
        Names.uniqueResourceName(this, { maxLength: 256, separator: "-" });
      const bus = new EventBus(this, "Bus", {
        eventBusName,
        description: props.eventBusProps?.description,
        kmsKey: this.eventBusKey,
        deadLetterQueue: this.eventBusDeadLetterQueue,
      });
      this.eventBus = bus;
      // EventBridge writes undecryptable events to the bus DLQ: SendMessage, and the key for SQS's
      // encryption (the bus statement CDK adds is bound to the bus's own encryption context).
      const events = new ServicePrincipal("events.amazonaws.com");
      const busArn = Stack.of(this).formatArn({
        service: "events",
        resource: "event-bus",
        resourceName: eventBusName,
      });
      const fromBus = { ArnEquals: { "aws:SourceArn": busArn } };
      this.eventBusDeadLetterQueue.addToResourcePolicy(
        new PolicyStatement({
          sid: "AllowTheBusToSend",
          principals: [events],
          actions: ["sqs:SendMessage"],
          resources: [this.eventBusDeadLetterQueue.queueArn],
          conditions: fromBus,
        }),
      );
      this.eventBusKey.addToResourcePolicy(
        new PolicyStatement({
          sid: "AllowTheBusToWriteItsDeadLetterQueue",
          principals: [events],
          actions: ["kms:GenerateDataKey", "kms:Decrypt"],
          resources: ["*"],
          conditions: fromBus,
        }),
      );
      for (const rule of ["Serverless-SQSRedrivePolicy", "AwsSolutions-SQS3"]) {
        acknowledgeNag(
          this.eventBusDeadLetterQueue,
          rule,
          "This queue is the event bus's own dead-letter queue (bus DeadLetterConfig), which cdk-nag cannot see; a DLQ of a DLQ would hide failures",
        );
      }
      this.eventBusDeadLetterQueueDepthAlarm = dlqDepthAlarm(
        this,
        "BusDeadLetterQueueDepthAlarm",
        this.eventBusDeadLetterQueue,
        "Saga event bus: EventBridge could not encrypt or decrypt events (key disabled or policy changed)",
        props.alarmTopic,
      );
    }

    const routes = consumedEvents(props);
    const services: Record<string, ChoreographyService> = {};
    for (const service of props.services) {
      services[service.id] = new ChoreographyService(this, service.id, {
        service,
        eventBus: this.eventBus,
        routes: routes.filter((r) => r.serviceId === service.id),
        retryAttempts: props.targetRetryAttempts ?? D.targetRetryAttempts,
        maxEventAge: props.targetMaxEventAge ?? D.targetMaxEventAge,
        alarmTopic: props.alarmTopic,
        logRetention: props.logRetention,
        keyRemovalPolicy: props.keyRemovalPolicy,
      });
    }
    this.services = services;
  }

  /**
   * Lets `grantee` (e.g. an API function or a watchdog of the service) put the events of service
   * `serviceId`, with the same restriction as the service's consumer (its source and types only).
   * @param detailTypes a subset of the service's types. @default every type the service emits
   */
  public grantPutEvents(serviceId: string, grantee: IGrantable, detailTypes?: readonly string[]): void {
    const service = this.services[serviceId];
    if (!service)
      throw new Error(`no saga service '${serviceId}'; known: ${Object.keys(this.services).join(", ")}`);
    service.grantPutEvents(grantee, detailTypes);
  }
}
