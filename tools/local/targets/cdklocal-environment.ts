/**
 * The environment `cdklocal` (aws-cdk-local 3.0.4 with the aws-cdk 2.1x CLI) expects, read from
 * its source (`src/index.js` `configureEnvironment`):
 *
 * - it throws "If specifying 'AWS_ENDPOINT_URL' then 'AWS_ENDPOINT_URL_S3' must be specified" when
 *   only the first is set, so both are set, to the same endpoint;
 * - it deletes every `AWS_*` variable except `AWS_ENDPOINT_URL*` and those named in
 *   `AWS_ENVAR_ALLOWLIST` (comma separated), then defaults the region to us-east-1: the region is
 *   allowlisted so bootstrap, deploy and the scenario's clients use one region;
 * - without `AWS_ENDPOINT_URL*` it would use `localhost.localstack.cloud:<EDGE_PORT>`, which needs
 *   public DNS and ignores the configured endpoint's host.
 *
 * S3 (asset uploads) goes path-style: the CDK CLI forces it for loopback endpoints, and
 * `CDK_S3_FORCE_PATH_STYLE` (not an `AWS_*` variable, so cdklocal keeps it) does it for any other
 * host, so no `<bucket>.<host>` name has to resolve.
 */
export function cdklocalEnvironment(
  env: NodeJS.ProcessEnv,
  endpoint: string,
  region: string,
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  // A leftover AWS_ENDPOINT_URL_<SERVICE> (e.g. exported for `npm run local -- --serve`) would send
  // that service's calls elsewhere: cdklocal keeps every AWS_ENDPOINT_URL* variable.
  for (const [key, value] of Object.entries(env)) if (!key.startsWith("AWS_ENDPOINT_URL")) out[key] = value;
  const allow = new Set(
    (env.AWS_ENVAR_ALLOWLIST ?? "")
      .split(",")
      .map((name) => name.trim())
      .filter((name) => name !== ""),
  );
  allow.add("AWS_REGION").add("AWS_DEFAULT_REGION");
  return {
    ...out,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ENVAR_ALLOWLIST: [...allow].join(","),
    CDK_S3_FORCE_PATH_STYLE: "1",
    CDK_DISABLE_VERSION_CHECK: "1",
  };
}
