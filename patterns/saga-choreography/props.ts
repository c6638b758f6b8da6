import type { Duration, RemovalPolicy } from "aws-cdk-lib";
import type { IEventBus } from "aws-cdk-lib/aws-events";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { QueueConsumerFunctionProps, QueueConsumerSettingsProps } from "../shared/consumer-function.js";

/** Settings of the event bus the construct creates (give these or an existing `eventBus`, never both). */
export interface ChoreographyBusProps {
  /** Name of the bus. @default - a name CloudFormation generates */
  readonly eventBusName?: string;
  /** Description of the bus. @default - none */
  readonly description?: string;
}

/**
 * One participating service: the event types it emits (all with the service's `source`), the event
 * types it consumes (routed to its own queue by one rule per type), and its consumer function.
 */
export interface ChoreographyServiceProps extends QueueConsumerSettingsProps {
  /** Construct ID and name of the service, e.g. `inventory` (a letter, then letters, digits or `-`). */
  readonly id: string;
  /**
   * The `source` of every event the service emits; rules match on it, and the service's IAM
   * permission to put events is restricted to it (`events:source` condition).
   * @default `saga.<id>`
   */
  readonly source?: string;
  /** The `detail-type`s the service emits (unique across services: a type has one emitter). */
  readonly emits: readonly string[];
  /** The `detail-type`s the service reacts to; each must be emitted by a service or declared external. */
  readonly consumes: readonly string[];
  /** The consumer of the service's queue: an `entry` to bundle, or an existing function. */
  readonly consumer: QueueConsumerFunctionProps;
  /** Age of the oldest message that raises the alarm. @default Duration.minutes(5) */
  readonly messageAgeAlarmThreshold?: Duration;
  /**
   * Age of the oldest message in the DLQ or the target DLQ that raises their age alarm: nobody
   * redrove it, and SQS deletes it when the DLQ's retention ends. Below `deadLetterRetentionPeriod`.
   * @default Duration.days(1)
   */
  readonly deadLetterAgeAlarmThreshold?: Duration;
}

/** Event types that cross the boundary of the saga, declared so validation accepts them. */
export interface ChoreographyExternalEvents {
  /**
   * Types emitted by the services and consumed outside the saga (e.g. `OrderConfirmed`, for a
   * notification service with its own rule). @default - none
   */
  readonly emitted?: readonly string[];
  /** Types emitted outside the saga and consumed by a service, with the `source` they come from. @default - none */
  readonly consumed?: readonly { readonly detailType: string; readonly source: string }[];
}

/** Props of {@link SagaChoreography}. */
export interface SagaChoreographyProps {
  /** An existing bus. Exclusive with `eventBusProps`. @default - a new bus with its own KMS key and DLQ */
  readonly eventBus?: IEventBus;
  /** Settings of the created bus. Exclusive with `eventBus`. @default - a generated name */
  readonly eventBusProps?: ChoreographyBusProps;
  /** The participating services (at least two). */
  readonly services: readonly ChoreographyServiceProps[];
  /** Event types that leave or enter the saga. @default - none: every type stays inside */
  readonly externalEvents?: ChoreographyExternalEvents;
  /**
   * Delivery attempts of each rule's queue target before the event goes to the target DLQ (0-185).
   * @default 185
   */
  readonly targetRetryAttempts?: number;
  /** Maximum age of an event EventBridge still tries to deliver (60 s to 24 h). @default Duration.hours(24) */
  readonly targetMaxEventAge?: Duration;
  /** Topic notified by every alarm. @default - alarms without actions */
  readonly alarmTopic?: ITopic;
  /** Log retention of bundled consumers. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * Removal policy of the KMS keys. Deleting a key makes its messages unreadable.
   * @default RemovalPolicy.RETAIN
   */
  readonly keyRemovalPolicy?: RemovalPolicy;
}
