/** LocalStack's (and cdklocal's) default region. */
export const LOCALSTACK_DEFAULT_REGION = "us-east-1";

/**
 * The one region of a LocalStack verify run: bootstrap, deploy and the scenario's clients all use
 * it. `AWS_REGION`, else `AWS_DEFAULT_REGION`, else us-east-1 (what cdklocal would pick).
 */
export function localstackRegion(env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || LOCALSTACK_DEFAULT_REGION;
}
