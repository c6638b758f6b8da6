/** The push token check: every way a token can fail (missing, issuer, audience, email, signature, expiry). */
import { describe, expect, it } from "vitest";
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
