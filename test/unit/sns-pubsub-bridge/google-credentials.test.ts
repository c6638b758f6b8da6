/** The Workload Identity Federation configuration: AWS external accounts pass, keys are refused. */
import { describe, expect, it, vi } from "vitest";
import type { CloudEvent } from "../../../functions/shared/cloudevents.ts";
import {
  fromPubsubMessage,
  toPubsubMessage,
} from "../../../functions/sns-pubsub-bridge/cloudevent-pubsub.ts";
import {
  loadExternalAccountConfig,
  parseExternalAccountConfig,
} from "../../../functions/sns-pubsub-bridge/google-credentials.ts";
import { cloudEvent } from "../../helpers/events.ts";

const AWS_EXTERNAL_ACCOUNT = {
  type: "external_account",
  audience: "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/aws/providers/aws",
  subject_token_type: "urn:ietf:params:aws:token-type:aws4_request",
  token_url: "https://sts.googleapis.com/v1/token",
  service_account_impersonation_url:
    "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/bridge@p.iam.gserviceaccount.com:generateAccessToken",
  credential_source: {
    environment_id: "aws1",
    regional_cred_verification_url:
      "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
  },
};

describe("parseExternalAccountConfig", () => {
  it("accepts an AWS external-account configuration", () => {
    expect(parseExternalAccountConfig(JSON.stringify(AWS_EXTERNAL_ACCOUNT)).type).toBe("external_account");
  });
  it("refuses a service-account key, with the reason", () => {
    const key = { type: "service_account", private_key: "-----BEGIN PRIVATE KEY-----", client_email: "x@p" };
    expect(() => parseExternalAccountConfig(JSON.stringify(key))).toThrow(
      /service-account key; refused: a key is a long-lived secret/,
    );
    expect(() =>
      parseExternalAccountConfig(JSON.stringify({ ...AWS_EXTERNAL_ACCOUNT, private_key: "k" })),
    ).toThrow(/refused/);
  });
  it("refuses a configuration for another cloud, and non-JSON", () => {
    const azure = { ...AWS_EXTERNAL_ACCOUNT, credential_source: { url: "http://169.254.169.254/metadata" } };
    expect(() => parseExternalAccountConfig(JSON.stringify(azure))).toThrow(/not for AWS/);
    expect(() => parseExternalAccountConfig("{")).toThrow(/not JSON/);
  });
  it("reads it from SSM Parameter Store or Secrets Manager", async () => {
    const text = JSON.stringify(AWS_EXTERNAL_ACCOUNT);
    const ssm = { send: vi.fn(async () => ({ Parameter: { Value: text } })) };
    const secrets = { send: vi.fn(async () => ({ SecretString: text })) };
    await loadExternalAccountConfig({ parameterName: "/bridge/google" }, { ssm, secrets } as never);
    await loadExternalAccountConfig({ secretArn: "arn:secret" }, { ssm, secrets } as never);
    expect(ssm.send).toHaveBeenCalledTimes(1);
    expect(secrets.send).toHaveBeenCalledTimes(1);
  });
});

describe("CloudEvents binary mode", () => {
  it("round-trips an event through Pub/Sub attributes and data", () => {
    const event = cloudEvent({ subject: "s-1" });
    const message = toPubsubMessage(event as CloudEvent, "key-1");
    expect(message.orderingKey).toBe("key-1");
    expect(Object.keys(message.attributes).every((k) => k.startsWith("ce-") || k === "content-type")).toBe(
      true,
    );
    expect(fromPubsubMessage(message.attributes, message.data)).toEqual(event);
  });
  it("refuses a message without the required ce- attributes", () => {
    expect(() => fromPubsubMessage({ "ce-id": "1" }, Buffer.from("{}"))).toThrow(
      /ce-source, ce-type, ce-specversion/,
    );
  });
});
