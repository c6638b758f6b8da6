/**
 * The stack outputs of `SnsSqsFanoutStack`: the contract between the stack, which declares them, and
 * everything that reads a deployed stack (the scenario, `cdk deploy --outputs-file` readers, the docs).
 * No CDK import, so tools and tests can use it without loading aws-cdk-lib. The subscriber list exists
 * here and only here: the keys of `subscribers`.
 */
export const SnsSqsFanoutOutputs = {
  topicArn: "TopicArn",
  publisherFunctionName: "PublisherFunctionName",
  idempotencyTableName: "IdempotencyTableName",
  effectsTableName: "EffectsTableName",
  /** Per example subscriber: its queue, the queue's DLQ, the SNS subscription DLQ and its consumer. */
  subscribers: {
    billing: {
      queueUrl: "BillingQueueUrl",
      dlqUrl: "BillingDlqUrl",
      subscriptionDlqUrl: "BillingSubscriptionDlqUrl",
      functionName: "BillingFunctionName",
    },
    shipping: {
      queueUrl: "ShippingQueueUrl",
      dlqUrl: "ShippingDlqUrl",
      subscriptionDlqUrl: "ShippingSubscriptionDlqUrl",
      functionName: "ShippingFunctionName",
    },
    audit: {
      queueUrl: "AuditQueueUrl",
      dlqUrl: "AuditDlqUrl",
      subscriptionDlqUrl: "AuditSubscriptionDlqUrl",
      functionName: "AuditFunctionName",
    },
  },
} as const;

/** Name of an example subscriber (also its `SUBSCRIBER_NAME` and handler role). */
export type FanoutSubscriberName = keyof typeof SnsSqsFanoutOutputs.subscribers;

/** The example subscribers, in declaration order. */
export const FANOUT_SUBSCRIBER_NAMES = Object.keys(SnsSqsFanoutOutputs.subscribers) as FanoutSubscriberName[];
