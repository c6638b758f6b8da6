/** Push tokens: one signature reused per subscription until shortly before its expiry. */
import { OAuth2Client } from "google-auth-library";
import { describe, expect, it } from "vitest";
import { LocalOidcIssuer, type PushTokenSigner, type TokenClaims } from "../../../tools/local/pubsub/oidc.ts";
import { PushTokenCache, TOKEN_RENEW_BEFORE_EXPIRY_MS } from "../../../tools/local/pubsub/push.ts";

const claims = { email: "pusher@p.iam.gserviceaccount.com", audience: "https://bridge.example/push" };

/** Counts signatures; tokens carry `exp` = issue time + 3600 s unless told otherwise. */
function countingSigner(inner: PushTokenSigner): PushTokenSigner & { signed: TokenClaims[] } {
  const signed: TokenClaims[] = [];
  return {
    signed,
    sign(c) {
      signed.push(c);
      return inner.sign(c);
    },
  };
}

describe("PushTokenCache", () => {
  it("reuses one verifiable token until TOKEN_RENEW_BEFORE_EXPIRY_MS before its exp, then signs anew", async () => {
    const issuer = new LocalOidcIssuer();
    const signer = countingSigner(issuer);
    let now = Date.now();
    const cache = new PushTokenCache(signer, () => now);
    const first = cache.token(claims);
    expect(cache.token(claims)).toBe(first);
    const ticket = await new OAuth2Client().verifySignedJwtWithCertsAsync(
      first,
      issuer.certificates(),
      claims.audience,
      ["https://accounts.google.com"],
    );
    const exp = (ticket.getPayload()?.exp ?? 0) * 1000;
    now = exp - TOKEN_RENEW_BEFORE_EXPIRY_MS - 1;
    expect(cache.token(claims)).toBe(first);
    expect(signer.signed).toHaveLength(1);
    now = exp - TOKEN_RENEW_BEFORE_EXPIRY_MS;
    cache.token(claims);
    expect(signer.signed).toHaveLength(2);
  });

  it("signs again for other claims, and never reuses a token without a readable exp", () => {
    const signer = countingSigner(new LocalOidcIssuer());
    const cache = new PushTokenCache(signer);
    cache.token(claims);
    cache.token({ ...claims, audience: "https://other.example" });
    expect(signer.signed.map((c) => c.audience)).toEqual([claims.audience, "https://other.example"]);

    const opaque = countingSigner({ sign: () => "not-a-jwt" });
    const opaqueCache = new PushTokenCache(opaque);
    opaqueCache.token(claims);
    opaqueCache.token(claims);
    expect(opaque.signed).toHaveLength(2);
  });
});
