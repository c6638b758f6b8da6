/** The push token check: every way a token can fail (missing, issuer, audience, email, signature, expiry). */
import { OAuth2Client } from "google-auth-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  PushTokenError,
  staticCertificates,
  verifyPushToken,
} from "../../../functions/sns-pubsub-bridge/push-token.ts";
import { LocalOidcIssuer } from "../../../tools/local/pubsub/index.ts";

const issuer = new LocalOidcIssuer();
const forger = new LocalOidcIssuer();
const certs = staticCertificates(issuer.certificates());
const expected = {
  audience: "https://bridge.example/push",
  serviceAccountEmail: "pusher@p.iam.gserviceaccount.com",
};
const good = { email: expected.serviceAccountEmail, audience: expected.audience };

async function refusal(authorization: string | undefined): Promise<PushTokenError> {
  try {
    await verifyPushToken(authorization, expected, certs);
  } catch (error) {
    if (error instanceof PushTokenError) return error;
    throw error;
  }
  throw new Error("token was accepted");
}

describe("verifyPushToken", () => {
  it("accepts a token from the push service account for the audience", async () => {
    const claims = await verifyPushToken(`Bearer ${issuer.sign(good)}`, expected, certs);
    expect(claims.email).toBe(expected.serviceAccountEmail);
  });

  it.each([
    ["missing header", undefined, 401, /missing bearer/],
    ["not a bearer token", "Basic abc", 401, /missing bearer/],
    ["garbage", "Bearer abc.def", 401, /invalid token/],
    [
      "wrong issuer",
      `Bearer ${issuer.sign({ ...good, issuer: "https://evil.example" })}`,
      401,
      /invalid token/,
    ],
    ["signed by another key (forged)", `Bearer ${forger.sign(good)}`, 401, /invalid token/],
    [
      "expired (beyond the 5-minute skew)",
      `Bearer ${issuer.sign({ ...good, issuedAt: Math.floor(Date.now() / 1000) - 7200, expiresInSeconds: 3600 })}`,
      401,
      /invalid token/,
    ],
    [
      "wrong audience",
      `Bearer ${issuer.sign({ ...good, audience: "https://other.example" })}`,
      403,
      /audience/,
    ],
    [
      "wrong service account",
      `Bearer ${issuer.sign({ ...good, email: "intruder@x.iam.gserviceaccount.com" })}`,
      403,
      /email/,
    ],
  ])("refuses %s", async (_label, header, status, reason) => {
    const error = await refusal(header);
    expect(error.statusCode).toBe(status);
    expect(error.reason).toMatch(reason);
  });

  it("refuses a token whose signature was tampered with (payload swapped)", async () => {
    const [h, , s] = issuer.sign(good).split(".");
    const [, p] = issuer.sign({ ...good, email: "other@x.iam.gserviceaccount.com" }).split(".");
    expect((await refusal(`Bearer ${h}.${p}.${s}`)).statusCode).toBe(401);
  });
});

describe("verifyPushToken with a token seen before", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  /**
   * A token of its own per test (the verified-token memory is per module, like per environment):
   * each call's lifetime is a second shorter than the last's and than the other tests' (3,600 s),
   * so no two tokens are the same string.
   */
  let made = 0;
  const fresh = (claims: Partial<typeof good> = {}) =>
    issuer.sign({ ...good, ...claims, expiresInSeconds: 3_000 - ++made });

  it("verifies the signature once, and still checks the claims every time", async () => {
    const signatureChecks = vi.spyOn(OAuth2Client.prototype, "verifySignedJwtWithCertsAsync");
    const token = fresh();
    await verifyPushToken(`Bearer ${token}`, expected, certs);
    await verifyPushToken(`Bearer ${token}`, expected, certs);
    expect(signatureChecks).toHaveBeenCalledTimes(1);
    const otherAudience = { ...expected, audience: "https://other.example" };
    await expect(verifyPushToken(`Bearer ${token}`, otherAudience, certs)).rejects.toMatchObject({
      statusCode: 403,
    });
  });

  it("verifies again once the key it was verified with is no longer published", async () => {
    const token = fresh();
    await verifyPushToken(`Bearer ${token}`, expected, certs);
    const rotated = staticCertificates(forger.certificates());
    await expect(verifyPushToken(`Bearer ${token}`, expected, rotated)).rejects.toMatchObject({
      statusCode: 401,
    });
  });

  it("verifies again once the token expired (then the library's 5-minute skew decides)", async () => {
    const signatureChecks = vi.spyOn(OAuth2Client.prototype, "verifySignedJwtWithCertsAsync");
    const token = fresh();
    const exp = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()).exp as number;
    await verifyPushToken(`Bearer ${token}`, expected, certs);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime((exp + 60) * 1000);
    await verifyPushToken(`Bearer ${token}`, expected, certs);
    expect(signatureChecks).toHaveBeenCalledTimes(2);
    vi.setSystemTime((exp + 301) * 1000);
    await expect(verifyPushToken(`Bearer ${token}`, expected, certs)).rejects.toMatchObject({
      statusCode: 401,
    });
  });
});
