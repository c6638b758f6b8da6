/** Output names of SnsPubsubBridgeStack (no CDK import: scenarios and tools read these). */
export const SnsPubsubBridgeOutputs = {
  /** Publish here to send an event to Google Cloud. */
  SourceTopicArn: "SourceTopicArn",
  ForwardQueueUrl: "ForwardQueueUrl",
  ForwardDlqUrl: "ForwardDlqUrl",
  SubscriptionDlqUrl: "SubscriptionDlqUrl",
  ForwarderFunctionName: "ForwarderFunctionName",
  /** The Pub/Sub topic the forwarder publishes to. */
  PubsubTopic: "PubsubTopic",
  /** The SSM parameter holding the Workload Identity Federation configuration. */
  GoogleCredentialsParameterName: "GoogleCredentialsParameterName",
  /** Events from Google Cloud are published here. */
  TargetTopicArn: "TargetTopicArn",
  /** The push subscription's endpoint (`--push-endpoint`). */
  PushEndpointUrl: "PushEndpointUrl",
  /** The push subscription's OIDC audience (`--push-auth-token-audience`). */
  PushAudience: "PushAudience",
  PushFunctionName: "PushFunctionName",
  IdempotencyTableName: "IdempotencyTableName",
} as const;
