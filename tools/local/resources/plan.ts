import { randomUUID } from "node:crypto";
import type { ResourceAttributes } from "../intrinsics.ts";
import { parityEntry } from "../parity.ts";
import type { Json, TemplateResource } from "../template.ts";
import { physicalName } from "./names.ts";

/** Thrown for a resource type the embedded cloud neither emulates nor lists as a no-op. */
export class UnsupportedResourceError extends Error {
  override readonly name = "UnsupportedResourceError";
  constructor(
    readonly logicalId: string,
    readonly type: string,
    detail = "is not supported by the embedded local cloud",
  ) {
    super(`resource ${logicalId} (${type}) ${detail}; see tools/local/README.md (parity table)`);
  }
}

/** Where the local deployment lives: the values ARNs and URLs are built from. */
export interface PlanContext {
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  /** Port of fauxqs: queue URLs are `http://sqs.<region>.localhost:<port>/<account>/<name>`. */
  readonly sqsPort: number;
  /** Resolves a literal name property (e.g. `QueueName`) that may use pseudo parameters. */
  readonly literal: (value: Json, where: string) => string;
}

/** Resource types the embedded cloud creates on an emulator (everything else is a no-op or an error). */
export const EMULATED_TYPES = [
  "AWS::SQS::Queue",
  "AWS::SNS::Topic",
  "AWS::SNS::Subscription",
  "AWS::DynamoDB::Table",
  "AWS::Lambda::Function",
  "AWS::Lambda::EventSourceMapping",
] as const;

/**
 * Computes what `Ref` and `Fn::GetAtt` return for a resource before anything is created, so that
 * intrinsics resolve in any order: names follow CloudFormation's generated-name scheme unless the
 * template sets one, ARNs and URLs follow the emulators' conventions (account 000000000000).
 */
export function planAttributes(
  logicalId: string,
  resource: TemplateResource,
  ctx: PlanContext,
): ResourceAttributes {
  const { stackName, region, accountId } = ctx;
  const props = resource.Properties ?? {};
  const arn = (service: string, rest: string) => `arn:aws:${service}:${region}:${accountId}:${rest}`;
  const named = (property: string, max: number, ending = "") =>
    props[property] !== undefined
      ? ctx.literal(props[property] as Json, `${logicalId}.${property}`)
      : physicalName(stackName, logicalId, max, ending);
  switch (resource.Type) {
    case "AWS::SQS::Queue": {
      const fifo = props.FifoQueue === true || props.FifoQueue === "true";
      const name = named("QueueName", 80, fifo ? ".fifo" : "");
      const url = `http://sqs.${region}.localhost:${ctx.sqsPort}/${accountId}/${name}`;
      return { ref: url, attributes: { Arn: arn("sqs", name), QueueName: name, QueueUrl: url } };
    }
    case "AWS::SNS::Topic": {
      const fifo = props.FifoTopic === true || props.FifoTopic === "true";
      const name = named("TopicName", 256, fifo ? ".fifo" : "");
      const topicArn = arn("sns", name);
      return { ref: topicArn, attributes: { TopicArn: topicArn, TopicName: name } };
    }
    case "AWS::SNS::Subscription": {
      const subscriptionArn = arn("sns", `${logicalId}:${randomUUID()}`);
      return { ref: subscriptionArn, attributes: { Arn: subscriptionArn } };
    }
    case "AWS::DynamoDB::Table": {
      const name = named("TableName", 255);
      const tableArn = arn("dynamodb", `table/${name}`);
      return { ref: name, attributes: { Arn: tableArn } };
    }
    case "AWS::Lambda::Function": {
      const name = named("FunctionName", 64);
      return { ref: name, attributes: { Arn: arn("lambda", `function:${name}`) } };
    }
    case "AWS::Lambda::EventSourceMapping": {
      const id = randomUUID();
      return {
        ref: id,
        attributes: { Id: id, EventSourceMappingArn: arn("lambda", `event-source-mapping:${id}`) },
      };
    }
    case "AWS::IAM::Role": {
      const name = named("RoleName", 64);
      return {
        ref: name,
        attributes: { Arn: `arn:aws:iam::${accountId}:role/${name}`, RoleId: `AROA${logicalId}` },
      };
    }
    case "AWS::IAM::ManagedPolicy": {
      const name = physicalName(stackName, logicalId, 128);
      return { ref: `arn:aws:iam::${accountId}:policy/${name}`, attributes: { PolicyArn: name } };
    }
    case "AWS::KMS::Key": {
      const id = randomUUID();
      return { ref: id, attributes: { Arn: arn("kms", `key/${id}`), KeyId: id } };
    }
    case "AWS::Logs::LogGroup": {
      const name = named("LogGroupName", 512);
      return { ref: name, attributes: { Arn: arn("logs", `log-group:${name}:*`) } };
    }
    case "AWS::CloudWatch::Alarm": {
      const name = named("AlarmName", 255);
      return { ref: name, attributes: { Arn: arn("cloudwatch", `alarm:${name}`) } };
    }
    default: {
      if (!parityEntry(resource.Type)) throw new UnsupportedResourceError(logicalId, resource.Type);
      const name = physicalName(stackName, logicalId, 128);
      const service = resource.Type.split("::")[1]?.toLowerCase() ?? "local";
      return { ref: name, attributes: { Arn: arn(service, name), Id: name } };
    }
  }
}
