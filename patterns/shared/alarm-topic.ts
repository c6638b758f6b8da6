import { ArnFormat, type RemovalPolicy, Stack } from "aws-cdk-lib";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { Key } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
import { createKey } from "./kms.js";

/** Props of {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /**
   * An address to e-mail every alarm to. AWS sends a confirmation mail first; nothing arrives until
   * the recipient confirms it.
   * @default - no subscription (subscribe a pager, chat or ticket integration to `topic` yourself)
   */
  readonly email?: string;
  /** Removal policy of the topic's KMS key. @default RemovalPolicy.RETAIN */
  readonly keyRemovalPolicy?: RemovalPolicy;
}

/**
 * The topic every alarm of a stack notifies: encrypted with its own customer-managed key, TLS only.
 *
 * CloudWatch publishes alarm notifications as the service principal `cloudwatch.amazonaws.com`, and
 * an SNS topic encrypted with a customer-managed key accepts them only if the key policy lets that
 * principal use the key (the AWS-managed `alias/aws/sns` key cannot grant it, so alarms to such a
 * topic fail silently). Both the key and the topic policy admit CloudWatch for this account's alarms
 * only.
 */
export class AlarmTopic extends Construct {
  /** The topic to pass as `alarmTopic` to the patterns. */
  public readonly topic: Topic;
  /** Its key. */
  public readonly key: Key;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = createKey(this, "Key", "Encrypts the alarm topic", props.keyRemovalPolicy);
    this.topic = new Topic(this, "Topic", { masterKey: this.key, enforceSSL: true });
    const cloudWatch = new ServicePrincipal("cloudwatch.amazonaws.com");
    const fromThisAccountsAlarms = {
      StringEquals: { "aws:SourceAccount": stack.account },
      ArnLike: {
        "aws:SourceArn": stack.formatArn({
          service: "cloudwatch",
          resource: "alarm",
          resourceName: "*",
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: "AllowCloudWatchAlarmsToPublishEncrypted",
        principals: [cloudWatch],
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        resources: ["*"],
        conditions: fromThisAccountsAlarms,
      }),
    );
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: "AllowCloudWatchAlarmsToPublish",
        principals: [cloudWatch],
        actions: ["sns:Publish"],
        resources: [this.topic.topicArn],
        conditions: fromThisAccountsAlarms,
      }),
    );
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
  }
}

/** Context key of the optional alarm e-mail address: `cdk deploy -c alarmEmail=ops@example.com`. */
export const ALARM_EMAIL_CONTEXT = "alarmEmail";

/** The alarm e-mail address: the prop when given, else the `alarmEmail` context, else none. */
export function alarmEmail(scope: Construct, prop: string | undefined): string | undefined {
  const value = prop ?? scope.node.tryGetContext(ALARM_EMAIL_CONTEXT);
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}
