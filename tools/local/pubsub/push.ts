/**
 * Push delivery: a push subscription POSTs each message to its endpoint as Pub/Sub does, the
 * JSON wrapper `{ message: { data (base64), attributes, messageId, publishTime, orderingKey },
 * subscription, deliveryAttempt }`, with `Authorization: Bearer <OIDC token>` when the
 * subscription has an OIDC token configured. 102, 200, 201, 202 and 204 acknowledge; anything
 * else, a network error or no answer within the ack deadline is a failed attempt (retry policy,
 * then the dead-letter topic).
 *
 * Cost per push (the emulator shares its thread with the rest of the local cloud): requests go
 * through `node:http` with a keep-alive agent rather than `fetch` (undici's fetch costs about three
 * times the CPU per loopback request), and a subscription's OIDC token is signed once and reused
 * until shortly before it expires ({@link PushTokenCache}), as an OIDC client reuses an ID token instead of
 * minting one per request (an RSA-2048 signature per push was the emulator's largest cost). The
 * receiver verifies every request's token either way.
 */

import { Agent, request } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { PushTokenSigner, TokenClaims } from "./oidc.ts";
import type { StoredMessage } from "./state/message.ts";
import type { Delivery, LeaseOwner, SubscriptionQueue } from "./state/subscription.ts";

const SUCCESS = new Set([102, 200, 201, 202, 204]);

/** A cached token is replaced this long before its `exp`, so no push carries an expiring token. */
export const TOKEN_RENEW_BEFORE_EXPIRY_MS = 10 * 60 * 1000;

export interface PushOptions {
  readonly signer: PushTokenSigner;
  /** The clock tokens are reused by. @default Date.now */
  readonly now?: () => number;
  /** Concurrent deliveries per subscription. */
  readonly concurrency: number;
  readonly log: (line: string) => void;
}

function publishTimeIso(message: StoredMessage): string {
  return new Date(Number(message.publishTime.seconds) * 1000 + message.publishTime.nanos / 1e6).toISOString();
}

/** The JSON body Pub/Sub pushes (the default wrapped format). */
export function pushBody(subscription: string, delivery: Delivery): string {
  const m = delivery.message;
  const publishTime = publishTimeIso(m);
  return JSON.stringify({
    message: {
      attributes: m.attributes,
      data: m.data.toString("base64"),
      messageId: m.messageId,
      message_id: m.messageId,
      publishTime,
      publish_time: publishTime,
      ...(m.orderingKey ? { orderingKey: m.orderingKey } : {}),
    },
    subscription,
    ...(delivery.deliveryAttempt ? { deliveryAttempt: delivery.deliveryAttempt } : {}),
  });
}

/** The `exp` claim (epoch seconds) of a JWT, or undefined when it has none or does not parse. */
function expiryOf(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as {
      exp?: unknown;
    };
    return typeof payload.exp === "number" ? payload.exp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A subscription's push tokens: the signer's token is reused until {@link TOKEN_RENEW_BEFORE_EXPIRY_MS}
 * before its own `exp` (a token without a readable `exp` is never reused), and re-signed when the
 * claims change.
 */
export class PushTokenCache {
  private cached?: { readonly token: string; readonly key: string; readonly renewAt: number };

  constructor(
    private readonly signer: PushTokenSigner,
    private readonly now: () => number = Date.now,
  ) {}

  /** A token for `claims`. */
  token(claims: Pick<TokenClaims, "email" | "audience">): string {
    const key = `${claims.email}\n${claims.audience}`;
    const cached = this.cached;
    if (cached && cached.key === key && this.now() < cached.renewAt) return cached.token;
    const token = this.signer.sign({ email: claims.email, audience: claims.audience });
    const exp = expiryOf(token);
    this.cached =
      exp === undefined ? undefined : { token, key, renewAt: exp * 1000 - TOKEN_RENEW_BEFORE_EXPIRY_MS };
    return token;
  }
}

interface PushResult {
  readonly status: number;
}

/** Keep-alive agents of one deliverer (its connections are closed when it stops). */
interface Agents {
  readonly http: Agent;
  readonly https: HttpsAgent;
}

/** POSTs `body` to `endpoint`; resolves with the status, rejects on a network error or the deadline. */
function post(
  agents: Agents,
  endpoint: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<PushResult> {
  return new Promise<PushResult>((resolve, reject) => {
    const url = new URL(endpoint);
    const secure = url.protocol === "https:";
    const send = secure ? httpsRequest : request;
    const req = send(
      url,
      {
        method: "POST",
        agent: secure ? agents.https : agents.http,
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
      },
      (response) => {
        // The body is read to the end (and dropped) so the connection is reused.
        response.resume();
        response.on("end", () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0 });
        });
        response.on("error", (error) => {
          clearTimeout(timer);
          reject(error);
        });
      },
    );
    // No answer within the ack deadline: a failed attempt, as on Pub/Sub.
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body);
  });
}

/** Delivers a push subscription's messages until `stop()`. */
export class PushDeliverer {
  private readonly owner: LeaseOwner = { outstanding: 0 };
  private readonly off: () => void;
  private readonly tokens: PushTokenCache;
  private readonly agents: Agents = {
    http: new Agent({ keepAlive: true }),
    https: new HttpsAgent({ keepAlive: true }),
  };
  private stopped = false;
  /** Push attempts by HTTP status (0 = network error or timeout). */
  readonly attempts = new Map<number, number>();

  constructor(
    private readonly queue: SubscriptionQueue,
    private readonly options: PushOptions,
  ) {
    this.tokens = new PushTokenCache(options.signer, options.now);
    this.off = queue.onAvailable(() => this.pump());
    this.pump();
  }

  private pump(): void {
    if (this.stopped) return;
    const free = this.options.concurrency - this.owner.outstanding;
    if (free <= 0) return;
    for (const delivery of this.queue.take(free, this.owner)) void this.deliver(delivery);
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const { config } = this.queue;
    let status = 0;
    try {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (config.pushOidc) {
        const token = this.tokens.token({
          email: config.pushOidc.serviceAccountEmail,
          audience: config.pushOidc.audience,
        });
        headers.authorization = `Bearer ${token}`;
      }
      ({ status } = await post(
        this.agents,
        config.pushEndpoint ?? "",
        headers,
        pushBody(config.name, delivery),
        config.ackDeadlineSeconds * 1000,
      ));
    } catch (error) {
      if (!this.stopped) this.options.log(`push to ${config.pushEndpoint} failed: ${String(error)}`);
    }
    this.attempts.set(status, (this.attempts.get(status) ?? 0) + 1);
    if (this.stopped) return;
    if (SUCCESS.has(status)) this.queue.acknowledge([delivery.ackId]);
    else this.queue.modifyAckDeadline([delivery.ackId], 0);
  }

  stop(): void {
    this.stopped = true;
    this.off();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
