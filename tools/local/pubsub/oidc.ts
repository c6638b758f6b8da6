/**
 * A local stand-in for Google's OIDC token issuer, for push subscriptions: it signs RS256 ID
 * tokens with the claims Google puts in a Pub/Sub push token (iss, aud, azp, sub, email,
 * email_verified, iat, exp) using a key generated per process. `certificates()` gives the public
 * key in the `{ kid: PEM }` shape of https://www.googleapis.com/oauth2/v1/certs, which a locally
 * run push endpoint is told to trust instead of Google's keys (a local-only setting).
 */
import { createSign, generateKeyPairSync, type KeyObject, randomUUID } from "node:crypto";

export const GOOGLE_ISSUER = "https://accounts.google.com";

export interface TokenClaims {
  /** The push subscription's service account (`email` and `sub`). */
  readonly email: string;
  readonly audience: string;
  /** @default "https://accounts.google.com" */
  readonly issuer?: string;
  /** Token lifetime. @default 3600 */
  readonly expiresInSeconds?: number;
  /** Issue time, epoch seconds. @default now */
  readonly issuedAt?: number;
}

/** Signs push tokens; a LocalOidcIssuer or a test double producing forged tokens. */
export interface PushTokenSigner {
  sign(claims: TokenClaims): string;
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString("base64url");

export class LocalOidcIssuer implements PushTokenSigner {
  readonly keyId: string;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.keyId = randomUUID().replaceAll("-", "");
  }

  sign(claims: TokenClaims): string {
    const iat = claims.issuedAt ?? Math.floor(Date.now() / 1000);
    const header = base64url(JSON.stringify({ alg: "RS256", kid: this.keyId, typ: "JWT" }));
    const payload = base64url(
      JSON.stringify({
        aud: claims.audience,
        azp: claims.email,
        email: claims.email,
        email_verified: true,
        exp: iat + (claims.expiresInSeconds ?? 3600),
        iat,
        iss: claims.issuer ?? GOOGLE_ISSUER,
        sub: claims.email,
      }),
    );
    const signature = createSign("RSA-SHA256").update(`${header}.${payload}`).sign(this.privateKey);
    return `${header}.${payload}.${base64url(signature)}`;
  }

  /** The public key as Google's PEM certificate endpoint lists keys: `{ [kid]: PEM }`. */
  certificates(): Record<string, string> {
    return { [this.keyId]: this.publicKey.export({ type: "spki", format: "pem" }).toString() };
  }
}
