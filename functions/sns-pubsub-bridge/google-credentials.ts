/**
 * The Google Cloud credential of the forwarder: a Workload Identity Federation *external account*
 * configuration (the JSON `gcloud iam workload-identity-pools create-cred-config --aws` writes). It
 * holds no secret: google-auth-library signs a GetCallerIdentity request with the function's own
 * AWS credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, all set
 * by Lambda), exchanges it at Google's STS for a federated token, and impersonates the service
 * account. A service-account key file (`"type": "service_account"`, a `private_key`) is refused: it
 * is a long-lived secret that leaks with every copy.
 *
 * The configuration lives in SSM Parameter Store (`GOOGLE_CREDENTIALS_PARAMETER`) or Secrets Manager
 * (`GOOGLE_CREDENTIALS_SECRET_ARN`), so rotating the pool or the service account is not a redeploy.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { ConfigError } from "../shared/env.js";

/** The parts of an external-account configuration this bridge checks. */
export interface ExternalAccountConfig {
  readonly type: "external_account";
  readonly audience: string;
  readonly subject_token_type: string;
  readonly token_url: string;
  readonly credential_source: Readonly<Record<string, unknown>>;
  readonly service_account_impersonation_url?: string;
  readonly [field: string]: unknown;
}

/**
 * Parses and checks a credential configuration; throws {@link ConfigError} with the reason for a
 * service-account key, a non-AWS source, or a malformed document.
 */
export function parseExternalAccountConfig(text: string): ExternalAccountConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`the Google credential configuration is not JSON: ${(error as Error).message}`);
  }
  const config = (value ?? {}) as Record<string, unknown>;
  if (config.type === "service_account" || "private_key" in config) {
    throw new ConfigError(
      "the Google credential configuration is a service-account key; refused: a key is a long-lived secret. Use a Workload Identity Federation configuration (gcloud iam workload-identity-pools create-cred-config --aws)",
    );
  }
  if (config.type !== "external_account") {
    throw new ConfigError(
      `the Google credential configuration has type "${String(config.type)}"; allowed: "external_account"`,
    );
  }
  const source = config.credential_source as Record<string, unknown> | undefined;
  const missing = ["audience", "subject_token_type", "token_url"].filter(
    (k) => typeof config[k] !== "string",
  );
  if (missing.length > 0 || typeof source !== "object" || source === null) {
    throw new ConfigError(
      `the Google credential configuration lacks ${[...missing, ...(source ? [] : ["credential_source"])].join(", ")}`,
    );
  }
  if (typeof source.environment_id !== "string" || !source.environment_id.startsWith("aws")) {
    throw new ConfigError(
      'the Google credential configuration is not for AWS; allowed: credential_source.environment_id "aws1"',
    );
  }
  return config as ExternalAccountConfig;
}

/** Where the configuration is stored (exactly one). */
export type CredentialLocation =
  | { readonly parameterName: string; readonly secretArn?: undefined }
  | { readonly secretArn: string; readonly parameterName?: undefined };

/** Reads the configuration from SSM or Secrets Manager and checks it. */
export async function loadExternalAccountConfig(
  location: CredentialLocation,
  clients: { readonly ssm: Pick<SSMClient, "send">; readonly secrets: Pick<SecretsManagerClient, "send"> },
): Promise<ExternalAccountConfig> {
  if (location.parameterName) {
    const out = await clients.ssm.send(
      new GetParameterCommand({ Name: location.parameterName, WithDecryption: true }),
    );
    return parseExternalAccountConfig(out.Parameter?.Value ?? "");
  }
  const out = await clients.secrets.send(new GetSecretValueCommand({ SecretId: location.secretArn }));
  return parseExternalAccountConfig(out.SecretString ?? "");
}
