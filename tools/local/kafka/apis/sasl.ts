/**
 * SaslHandshake (key 17, v0–v1) and SaslAuthenticate (key 36, v0–v1).
 *
 * PLAIN: `authzid NUL user NUL password`; checked against `plainUsers` when given, any
 * credentials otherwise. OAUTHBEARER (RFC 7628, what the MSK IAM signer's clients send): the
 * bearer token must be present but is NOT verified: the local broker has no IAM to check it
 * against (a documented parity gap with MSK, where the token is a SigV4-signed IAM request).
 */
import type { ConnectionState, Handler, SaslMechanism } from "../context.ts";
import { ErrorCode } from "../protocol/errors.ts";

export const saslHandshake: Handler = (ctx, conn, header, r, w) => {
  const mechanism = r.string();
  const enabled = ctx.settings.saslMechanisms;
  const chosen = enabled.find((m) => m === mechanism.toUpperCase());
  if (conn.authenticated || conn.saslMechanism !== undefined) {
    w.int16(ErrorCode.ILLEGAL_SASL_STATE);
  } else {
    conn.saslMechanism = chosen;
    conn.rawSaslNext = chosen !== undefined && header.apiVersion === 0;
    w.int16(chosen ? ErrorCode.NONE : ErrorCode.UNSUPPORTED_SASL_MECHANISM);
  }
  w.array(enabled, (w, m) => {
    w.string(m);
  });
};

/** Returns the principal, or an error message when the credentials are refused. */
export function authenticate(
  mechanism: SaslMechanism,
  token: Buffer,
  plainUsers: Readonly<Record<string, string>> | undefined,
): { principal: string } | { error: string } {
  const text = token.toString("utf8");
  if (mechanism === "PLAIN") {
    const parts = text.split("\u0000");
    if (parts.length !== 3 || !parts[1]) return { error: "malformed SASL/PLAIN message" };
    const [, user, password] = parts as [string, string, string];
    if (plainUsers !== undefined && plainUsers[user] !== password) {
      return { error: `Authentication failed: invalid username or password for ${user}` };
    }
    return { principal: user };
  }
  const fields = text.split("\u0001");
  const bearer = fields.find((f) => f.startsWith("auth=Bearer ") && f.length > "auth=Bearer ".length);
  if (!text.startsWith("n,") || bearer === undefined)
    return { error: "malformed SASL/OAUTHBEARER initial response" };
  return { principal: "oauthbearer" };
}

export const saslAuthenticate: Handler = (ctx, conn: ConnectionState, header, r, w) => {
  const token = r.bytes();
  const fail = (code: number, message: string) => {
    w.int16(code).nullableString(message).bytes(Buffer.alloc(0));
    if (header.apiVersion >= 1) w.int64(0);
    conn.saslMechanism = undefined;
  };
  if (conn.saslMechanism === undefined || conn.authenticated) {
    fail(ErrorCode.ILLEGAL_SASL_STATE, "SaslAuthenticate without a successful SaslHandshake");
    return;
  }
  const outcome = authenticate(conn.saslMechanism, token, ctx.settings.plainUsers);
  if ("error" in outcome) {
    fail(ErrorCode.SASL_AUTHENTICATION_FAILED, outcome.error);
    return;
  }
  conn.authenticated = true;
  conn.principal = outcome.principal;
  w.int16(ErrorCode.NONE).nullableString(null).bytes(Buffer.alloc(0));
  if (header.apiVersion >= 1) w.int64(0); // session_lifetime_ms: no re-authentication required
};
