/**
 * How a function in the cluster VPC connects to MSK with IAM auth:
 * - bootstrap brokers from `GetBootstrapBrokers` (`BootstrapBrokerStringSaslIam`, port 9098),
 *   called once per execution environment and cached (a failed call is not cached);
 * - SASL/OAUTHBEARER with a token from `aws-msk-iam-sasl-signer-js` (a SigV4-signed
 *   `kafka-cluster:Connect` request valid for 15 minutes), cached and refreshed a minute before it
 *   expires, so a re-authenticating connection (KIP-368) always gets a fresh one (FAULTS MSK-08).
 */
import { GetBootstrapBrokersCommand, type KafkaClient } from "@aws-sdk/client-kafka";
import type { SASLOptions } from "@platformatic/kafka";

/** A token and its expiry (epoch ms), as the signer returns it. */
export interface MskAuthToken {
  readonly token: string;
  readonly expiryTime: number;
}

/** Thrown when a cluster has no IAM bootstrap string (IAM auth off, or not yet active). */
export class BootstrapBrokersError extends Error {
  override readonly name = "BootstrapBrokersError";
}

/** Returns a cached `GetBootstrapBrokers` lookup of the IAM bootstrap brokers (`host:port` list). */
export function bootstrapBrokerDiscovery(
  client: Pick<KafkaClient, "send">,
  clusterArn: string,
): () => Promise<string[]> {
  let cached: Promise<string[]> | undefined;
  return () => {
    cached ??= (async () => {
      const response = await client.send(new GetBootstrapBrokersCommand({ ClusterArn: clusterArn }));
      const list = response.BootstrapBrokerStringSaslIam;
      if (!list) {
        throw new BootstrapBrokersError(
          `cluster ${clusterArn} returned no BootstrapBrokerStringSaslIam: IAM access control must be on`,
        );
      }
      return list
        .split(",")
        .map((b) => b.trim())
        .filter(Boolean);
    })().catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
}

/** Options of {@link iamTokenProvider}. */
export interface IamTokenProviderOptions {
  /** Signs a token (`generateAuthToken` of aws-msk-iam-sasl-signer-js, bound to the region). */
  readonly generate: () => Promise<MskAuthToken>;
  /** Refresh this long before expiry. @default 60_000 ms */
  readonly refreshBeforeMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** A token provider that signs once and re-signs shortly before the token expires. */
export function iamTokenProvider(options: IamTokenProviderOptions): () => Promise<string> {
  const refreshBefore = options.refreshBeforeMs ?? 60_000;
  const now = options.now ?? Date.now;
  let current: MskAuthToken | undefined;
  return async () => {
    if (!current || current.expiryTime - refreshBefore <= now()) current = await options.generate();
    return current.token;
  };
}

/** The `sasl` option of a @platformatic/kafka client for MSK IAM auth. */
export function mskIamSasl(token: () => Promise<string>): SASLOptions {
  return { mechanism: "OAUTHBEARER", token };
}

/**
 * TLS options: MSK's IAM listener (9098) is TLS only, so TLS is always on, except when the embedded
 * local cloud (whose broker is plaintext) sets `KAFKA_TLS=false`; on AWS that setting would only make
 * every connection fail, never downgrade one.
 */
export function kafkaTls(env: Readonly<Record<string, string | undefined>> = process.env): {
  tls?: Record<string, never>;
} {
  return env.KAFKA_TLS === "false" ? {} : { tls: {} };
}
