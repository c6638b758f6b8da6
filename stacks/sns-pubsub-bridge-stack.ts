import { CfnOutput, Duration, type RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { awsExternalAccountConfiguration, SnsPubsubBridge } from "../patterns/sns-pubsub-bridge/index.js";
import type { SnsPubsubBridgeOutputs as O } from "./sns-pubsub-bridge-outputs.js";
import { isTestDeployment, TEST_DEPLOYMENT_SETTINGS } from "./test-deployment.js";

/** The Google Cloud side of the example, from context `sns-pubsub-bridge:<key>` or these props. */
export interface SnsPubsubBridgeStackProps extends StackProps {
  /** Google Cloud project ID. @default context `sns-pubsub-bridge:project`, else "my-gcp-project" */
  readonly googleProject?: string;
  /** Google Cloud project number (the pool's). @default context `sns-pubsub-bridge:project-number`, else "123456789012" */
  readonly googleProjectNumber?: string;
  /** Pub/Sub topic ID events go to. @default context `sns-pubsub-bridge:topic`, else "aws-events" */
  readonly pubsubTopicId?: string;
  /** Workload identity pool ID. @default "aws-bridge" */
  readonly poolId?: string;
  /** The pool's AWS provider ID. @default "aws" */
  readonly providerId?: string;
  /** Service account the forwarder impersonates. @default `aws-bridge@<project>.iam.gserviceaccount.com` */
  readonly publisherServiceAccount?: string;
  /** Service account the push subscription signs as. @default `pubsub-push@<project>.iam.gserviceaccount.com` */
  readonly pushServiceAccount?: string;
  /** Removal policy of keys and table. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** The CloudEvent types of the example (the order events of sns-sqs-fanout). */
export const BRIDGE_EVENT_TYPES = ["order.created", "order.cancelled", "order.shipped"] as const;

/**
 * The sns-pubsub-bridge example: its own source and target topics, the forwarder to a Pub/Sub
 * topic with a Workload Identity Federation configuration built from the Google Cloud identifiers
 * (an SSM parameter, no key), and the push receiver's function URL. Synthesizes offline with
 * placeholder identifiers; set the context keys (README) before deploying.
 */
export class SnsPubsubBridgeStack extends Stack {
  /** The pattern. */
  public readonly bridge: SnsPubsubBridge;

  constructor(scope: Construct, id: string, props: SnsPubsubBridgeStackProps = {}) {
    super(scope, id, props);
    const ctx = (key: string): string | undefined => this.node.tryGetContext(`sns-pubsub-bridge:${key}`);
    const project = props.googleProject ?? ctx("project") ?? "my-gcp-project";
    const projectNumber = props.googleProjectNumber ?? ctx("project-number") ?? "123456789012";
    const topicId = props.pubsubTopicId ?? ctx("topic") ?? "aws-events";
    const publisher =
      props.publisherServiceAccount ??
      ctx("publisher-service-account") ??
      `aws-bridge@${project}.iam.gserviceaccount.com`;
    const pusher =
      props.pushServiceAccount ??
      ctx("push-service-account") ??
      `pubsub-push@${project}.iam.gserviceaccount.com`;
    const test = isTestDeployment(this) ? TEST_DEPLOYMENT_SETTINGS : undefined;

    this.bridge = new SnsPubsubBridge(this, "Bridge", {
      toGoogle: {
        pubsubTopic: `projects/${project}/topics/${topicId}`,
        eventTypes: [...BRIDGE_EVENT_TYPES],
        credentials: {
          configuration: awsExternalAccountConfiguration({
            projectNumber,
            poolId: props.poolId ?? ctx("pool") ?? "aws-bridge",
            providerId: props.providerId ?? ctx("provider") ?? "aws",
            serviceAccountEmail: publisher,
          }),
        },
        ...(test ? { visibilityTimeout: Duration.seconds(test.visibilityTimeoutSeconds) } : {}),
        forwarder: {
          ...(test ? { timeout: Duration.seconds(test.consumerTimeoutSeconds) } : {}),
          environment: { POWERTOOLS_METRICS_NAMESPACE: "MessagingPatterns" },
        },
      },
      fromGoogle: {
        serviceAccountEmail: pusher,
        eventTypes: [...BRIDGE_EVENT_TYPES],
        environment: { POWERTOOLS_METRICS_NAMESPACE: "MessagingPatterns" },
      },
      removalPolicy: props.removalPolicy,
    });

    const b = this.bridge;
    const outputs: Record<keyof typeof O, string> = {
      SourceTopicArn: b.sourceTopic.topicArn,
      ForwardQueueUrl: b.forwardQueue.queueUrl,
      ForwardDlqUrl: b.forwardDeadLetterQueue.queueUrl,
      SubscriptionDlqUrl: b.subscriptionDeadLetterQueue.queueUrl,
      ForwarderFunctionName: b.forwarder.functionName,
      PubsubTopic: `projects/${project}/topics/${topicId}`,
      GoogleCredentialsParameterName: b.credentialsParameter?.parameterName ?? "",
      TargetTopicArn: b.targetTopic.topicArn,
      PushEndpointUrl: b.pushUrl.url,
      PushAudience: b.pushAudience,
      PushFunctionName: b.pushReceiver.function.functionName,
      IdempotencyTableName: b.idempotencyTable.tableName,
    };
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });
  }
}
