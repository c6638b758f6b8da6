import type { Duration, RemovalPolicy } from "aws-cdk-lib";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IStringParameter } from "aws-cdk-lib/aws-ssm";
import type { QueueConsumerFunctionProps, QueueConsumerSettingsProps } from "../shared/consumer-function.js";

/**
 * Where the forwarder's Google Cloud credential is: a Workload Identity Federation configuration
 * (an *external account* JSON, no private key). Exactly one of the three. A service-account key is
 * refused by validation: it is a long-lived secret, and federation makes it unnecessary.
 */
export interface GoogleCredentialsProps {
  /**
   * The configuration itself (e.g. from {@link awsExternalAccountConfiguration} or the file
   * `gcloud iam workload-identity-pools create-cred-config --aws` writes); the construct stores it in
   * an SSM String parameter (it holds no secret) and validates it at synth.
   * @default - none
   */
  readonly configuration?: Readonly<Record<string, unknown>>;
  /** An existing SSM parameter holding the configuration. @default - none */
  readonly parameter?: IStringParameter;
  /** An existing Secrets Manager secret holding the configuration. @default - none */
  readonly secret?: ISecret;
}

/** AWS → Google Cloud: SNS topic → SQS queue → forwarder → Pub/Sub topic. */
export interface ToGoogleProps extends QueueConsumerSettingsProps {
  /**
   * The SNS topic whose events go to Google Cloud (e.g. the fan-out's `topic`). A FIFO topic makes
   * the queue FIFO and each message group a Pub/Sub ordering key.
   * @default - a new KMS-encrypted standard topic
   */
  readonly sourceTopic?: ITopic;
  /** The Pub/Sub topic, `projects/<project>/topics/<topic>`. */
  readonly pubsubTopic: string;
  /** CloudEvent types allowed to leave AWS; any other goes to the DLQ (`UnknownEventType`). */
  readonly eventTypes: readonly string[];
  /** The Workload Identity Federation configuration. */
  readonly credentials: GoogleCredentialsProps;
  /** The forwarder function. @default the bundled functions/sns-pubsub-bridge/forwarder-entry.ts */
  readonly forwarder?: QueueConsumerFunctionProps;
  /** Age of the queue's oldest message that raises its alarm. @default Duration.minutes(5) */
  readonly messageAgeAlarmThreshold?: Duration;
}

/** Google Cloud → AWS: Pub/Sub push subscription → function URL → SNS topic. */
export interface FromGoogleProps {
  /** The SNS topic events from Google Cloud are published to. @default - a new KMS-encrypted topic */
  readonly targetTopic?: ITopic;
  /** The service account the push subscription signs its OIDC tokens as (`--push-auth-service-account`). */
  readonly serviceAccountEmail: string;
  /**
   * The OIDC audience of the push subscription (`--push-auth-token-audience`); tokens for any other
   * audience are refused (403). Any string; it cannot be the function URL itself, which is only
   * known after deployment.
   * @default - `sns-pubsub-bridge:<stack name>/<construct path>` (also a stack output)
   */
  readonly audience?: string;
  /** CloudEvent types allowed to enter AWS; any other is answered 400 (then Pub/Sub's dead-letter topic). */
  readonly eventTypes: readonly string[];
  /**
   * How long a CloudEvent id is remembered against redelivery; at least the subscription's message
   * retention. @default Duration.days(7)
   */
  readonly redeliveryWindow?: Duration;
  /** Push receiver timeout; below the push subscription's ack deadline. @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** Memory of the push receiver in MB. @default 256 */
  readonly memorySize?: number;
  /**
   * Reserved concurrency: a hard cap on concurrent push requests (and on what a flood of unauthenticated
   * requests can cost). Unset by default because reserving concurrency fails in accounts whose
   * concurrency quota is at the minimum; Pub/Sub push flow control backs off on 429/5xx anyway.
   * @default - unreserved
   */
  readonly reservedConcurrentExecutions?: number;
  /** Entry of the push receiver. @default functions/sns-pubsub-bridge/push-receiver-entry.ts */
  readonly entry?: string;
  /** Extra environment of the push receiver. @default - none */
  readonly environment?: Record<string, string>;
}

/** Props of {@link SnsPubsubBridge}. */
export interface SnsPubsubBridgeProps {
  /** AWS → Google Cloud. */
  readonly toGoogle: ToGoogleProps;
  /** Google Cloud → AWS. */
  readonly fromGoogle: FromGoogleProps;
  /** Topic notified by every alarm. @default - alarms without actions */
  readonly alarmTopic?: ITopic;
  /** Log retention of the bundled functions. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** Removal policy of the KMS keys and the idempotency table. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}
