import { randomUUID } from "node:crypto";
import type { ResourceAttributes } from "../intrinsics.ts";
import type { PlanContext } from "../services/local-service.ts";
import type { Json, TemplateResource } from "../template.ts";
import { physicalName } from "./names.ts";

/**
 * Thrown for what a template asks that the embedded cloud cannot honour: a resource type it neither
 * emulates nor lists as a no-op, or a property, runtime or event source a service would otherwise
 * have to ignore. The message names the logical ID, the type, the detail and what to do.
 */
export class UnsupportedResourceError extends Error {
  override readonly name = "UnsupportedResourceError";
  constructor(
    readonly logicalId: string,
    readonly type: string,
    detail = "is not supported by the embedded local cloud",
  ) {
    super(
      `resource ${logicalId} (${type}) ${detail}; see tools/local/README.md (parity table) for what the ` +
        "embedded cloud honours, and run what it cannot on the localstack or aws target",
    );
  }
}

export type { PlanContext } from "../services/local-service.ts";

/**
 * What `Ref` and `Fn::GetAtt` return for a documented no-op resource (nothing is created): names
 * follow CloudFormation's generated-name scheme unless the template sets one, ARNs the usual form
 * (account 000000000000). Emulated types are planned by their service (`services/*.ts`).
 */
export function planNoOp(
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
    case "AWS::EC2::SecurityGroup": {
      // Referenced by GroupId (MSK clusters, functions in a VPC, ingress rules); not enforced locally.
      const id = `sg-${physicalName(stackName, logicalId, 17)
        .replace(/[^a-zA-Z0-9]/g, "")
        .toLowerCase()}`;
      return { ref: id, attributes: { GroupId: id, VpcId: "vpc-local" } };
    }
    default: {
      const name = physicalName(stackName, logicalId, 128);
      const service = resource.Type.split("::")[1]?.toLowerCase() ?? "local";
      return { ref: name, attributes: { Arn: arn(service, name), Id: name } };
    }
  }
}
