/**
 * Workload Identity Federation configurations for AWS, built and checked at synth (no secret in
 * them: the function's own AWS credentials are exchanged for a Google token at run time).
 */

/** What identifies the federation on the Google Cloud side. */
export interface AwsWorkloadIdentityProps {
  /** The Google Cloud project *number* (not its ID) that owns the pool. */
  readonly projectNumber: string;
  /** The workload identity pool ID. */
  readonly poolId: string;
  /** The pool's AWS provider ID. */
  readonly providerId: string;
  /** The service account to impersonate (it has `roles/pubsub.publisher` on the topic). */
  readonly serviceAccountEmail: string;
}

/**
 * The external-account configuration `gcloud iam workload-identity-pools create-cred-config --aws`
 * writes, without its metadata-server URLs: in Lambda, google-auth-library reads the AWS credentials
 * and region from the environment.
 */
export function awsExternalAccountConfiguration(props: AwsWorkloadIdentityProps): Record<string, unknown> {
  return {
    type: "external_account",
    audience: `//iam.googleapis.com/projects/${props.projectNumber}/locations/global/workloadIdentityPools/${props.poolId}/providers/${props.providerId}`,
    subject_token_type: "urn:ietf:params:aws:token-type:aws4_request",
    token_url: "https://sts.googleapis.com/v1/token",
    service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${props.serviceAccountEmail}:generateAccessToken`,
    credential_source: {
      environment_id: "aws1",
      regional_cred_verification_url:
        "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
    },
  };
}

/** Why a credential configuration is refused, or `undefined` when it is an AWS external account. */
export function credentialConfigurationProblem(
  config: Readonly<Record<string, unknown>>,
): string | undefined {
  if (config.type === "service_account" || "private_key" in config) {
    return "credentials.configuration is a service-account key; refused: a key is a long-lived secret that leaks with every copy. Use Workload Identity Federation (awsExternalAccountConfiguration or `gcloud iam workload-identity-pools create-cred-config --aws`)";
  }
  if (config.type !== "external_account") {
    return `credentials.configuration has type "${String(config.type)}"; allowed: "external_account"`;
  }
  const source = config.credential_source as Record<string, unknown> | undefined;
  if (typeof source?.environment_id !== "string" || !source.environment_id.startsWith("aws")) {
    return 'credentials.configuration is not for AWS; allowed: credential_source.environment_id "aws1"';
  }
  for (const field of ["audience", "subject_token_type", "token_url"]) {
    if (typeof config[field] !== "string") return `credentials.configuration lacks ${field}`;
  }
  return undefined;
}
