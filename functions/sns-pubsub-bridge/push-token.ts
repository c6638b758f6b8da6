/**
 * Verifies the OIDC token Pub/Sub puts in a push request (`Authorization: Bearer <JWT>`), before
 * anything else happens: signature (RS256) against Google's published keys, issuer
 * (`accounts.google.com`), audience (the one configured on the push subscription), expiry (with
 * google-auth-library's 5-minute clock skew), and the signing service account's `email` with
 * `email_verified`. The function URL has no IAM auth (Pub/Sub cannot sign SigV4), so this check IS
 * the authentication: anything else on the internet reaches the URL and gets 401 or 403.
 *
 * Keys come from Google (https://www.googleapis.com/oauth2/v1/certs, cached per its Cache-Control)
 * unless the locally run function is given the emulator's keys (`LOCAL_PUSH_TOKEN_CERTS`, never
 * set by the construct).
 *
 * Pub/Sub signs a token for a while and sends it with many pushes, so an environment remembers the
 * tokens whose signature it verified ({@link VERIFIED_TOKEN_CACHE_SIZE}, exact token strings, until
 * their `exp`): the same token again skips the RSA verification (0.1–0.2 ms, a fifth of the
 * handler's own CPU), never the claim checks below. A remembered token is verified again from scratch
 * once it expired, or when the key it was verified with is no longer among the published keys
 * (rotation or revocation).
 */
import { OAuth2Client } from "google-auth-library";

/** Google's ID token issuers. */
export const GOOGLE_ISSUERS = ["https://accounts.google.com", "accounts.google.com"] as const;

/** Why a push request was refused: 401 (no or invalid token) or 403 (valid token, wrong identity). */
export class PushTokenError extends Error {
  override readonly name = "PushTokenError";
  readonly statusCode: 401 | 403;
  readonly reason: string;
  constructor(statusCode: 401 | 403, reason: string) {
    super(reason);
    this.statusCode = statusCode;
    this.reason = reason;
  }
}

/** What a valid push token must say. */
export interface PushTokenExpectations {
  /** The push subscription's OIDC audience. */
  readonly audience: string;
  /** The service account the push subscription signs as. */
  readonly serviceAccountEmail: string;
}

/** Google's signing keys, `{ kid: PEM }`. */
export type CertificateSource = () => Promise<Record<string, string>>;

/** Google's published keys through google-auth-library (fetched once, then per Cache-Control). */
export function googleCertificates(client = new OAuth2Client()): CertificateSource {
  return async () => (await client.getFederatedSignonCertsAsync()).certs as Record<string, string>;
}

/** Fixed keys (the local emulator's). */
export function staticCertificates(certs: Record<string, string>): CertificateSource {
  return async () => certs;
}

const verifier = new OAuth2Client();

/** How many verified tokens an environment remembers (one per push subscription and hour is typical). */
export const VERIFIED_TOKEN_CACHE_SIZE = 64;

interface VerifiedToken {
  readonly payload: Record<string, unknown>;
  /** The key id of the token's header and the PEM it was verified with. */
  readonly kid: string;
  readonly pem: string;
  /** `exp` in ms: from then on the token goes through the full verification again. */
  readonly expiresAtMs: number;
}

const verifiedTokens = new Map<string, VerifiedToken>();

/** The payload of `token` if its signature was verified before with a key still published, and it has not expired. */
function rememberedPayload(
  token: string,
  certs: Record<string, string>,
): Record<string, unknown> | undefined {
  const entry = verifiedTokens.get(token);
  if (!entry) return undefined;
  if (Date.now() < entry.expiresAtMs && certs[entry.kid] === entry.pem) return entry.payload;
  verifiedTokens.delete(token);
  return undefined;
}

function remember(token: string, payload: Record<string, unknown>, certs: Record<string, string>): void {
  let kid: unknown;
  try {
    kid = (
      JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8")) as { kid?: unknown }
    ).kid;
  } catch {
    return;
  }
  const pem = typeof kid === "string" ? certs[kid] : undefined;
  if (typeof kid !== "string" || pem === undefined || typeof payload.exp !== "number") return;
  if (verifiedTokens.size >= VERIFIED_TOKEN_CACHE_SIZE) {
    const oldest = verifiedTokens.keys().next().value;
    if (oldest !== undefined) verifiedTokens.delete(oldest);
  }
  verifiedTokens.set(token, { payload, kid, pem, expiresAtMs: payload.exp * 1000 });
}

/** The verified claims of a push token. */
export interface PushTokenClaims {
  readonly email: string;
  readonly audience: string;
  readonly subject: string | undefined;
}

/**
 * Verifies `authorization` (the header value); resolves with the claims or throws
 * {@link PushTokenError}. Wrong audience and wrong email are 403 (authenticated, not authorised);
 * everything else is 401.
 */
export async function verifyPushToken(
  authorization: string | undefined,
  expected: PushTokenExpectations,
  certificates: CertificateSource,
): Promise<PushTokenClaims> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  if (!match?.[1]) throw new PushTokenError(401, "missing bearer token");
  const token = match[1];
  const certs = await certificates();
  let payload = rememberedPayload(token, certs);
  if (!payload) {
    try {
      const ticket = await verifier.verifySignedJwtWithCertsAsync(token, certs, undefined, [
        ...GOOGLE_ISSUERS,
      ]);
      payload = ticket.getPayload() as Record<string, unknown> | undefined;
    } catch (error) {
      throw new PushTokenError(401, `invalid token: ${(error as Error).message.split(":")[0]}`);
    }
    if (payload) remember(token, payload, certs);
  }
  if (!payload) throw new PushTokenError(401, "invalid token: no payload");
  if (payload.aud !== expected.audience) {
    throw new PushTokenError(403, `token audience "${String(payload.aud)}" is not "${expected.audience}"`);
  }
  if (payload.email !== expected.serviceAccountEmail || payload.email_verified !== true) {
    throw new PushTokenError(
      403,
      `token email "${String(payload.email)}" is not the push service account "${expected.serviceAccountEmail}" (or not verified)`,
    );
  }
  return { email: payload.email, audience: payload.aud, subject: payload.sub as string | undefined };
}
