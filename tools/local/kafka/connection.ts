/**
 * One client connection: splits the TCP stream into size-prefixed frames, decodes the request
 * header, runs the API's handler and writes the response.
 *
 * Requests on a connection are handled one at a time, in order, as Kafka does (a parked Fetch or
 * JoinGroup holds back later requests on the same connection, and responses keep request order).
 * A frame that cannot be decoded closes this connection only; nothing a client sends can stop the
 * broker. An API or version this broker does not implement gets UNSUPPORTED_VERSION (35).
 */
import type { Socket } from "node:net";
import { writeApiVersionsResponse } from "./apis/api-versions.ts";
import { HANDLERS } from "./apis/index.ts";
import { authenticate } from "./apis/sasl.ts";
import type { BrokerContext, ConnectionState, RequestHeader } from "./context.ts";
import { ApiKey, apiName, isSupported } from "./protocol/api-keys.ts";
import { ErrorCode } from "./protocol/errors.ts";
import { Reader } from "./protocol/reader.ts";
import { Writer } from "./protocol/writer.ts";

/** api_key + api_version + correlation_id + client_id length. */
const MIN_FRAME = 10;

/** APIs a connection may use before it has authenticated on a SASL-only broker. */
const PRE_AUTH = new Set<number>([ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]);

export class Connection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected = -1;
  private readonly queue: Buffer[] = [];
  private processing = false;
  private closed = false;
  readonly state: ConnectionState;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: BrokerContext,
    private readonly maxRequestBytes: number,
    private readonly log: (line: string) => void,
  ) {
    this.state = {
      clientHost: `/${socket.remoteAddress ?? "unknown"}`,
      clientId: "",
      saslMechanism: undefined,
      rawSaslNext: false,
      // every connection starts unauthenticated, so a client may run the SASL handshake on a
      // broker where it is optional; only a `requireSasl` broker refuses other requests before it
      authenticated: false,
      principal: undefined,
    };
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", () => this.close());
    socket.on("close", () => {
      this.closed = true;
    });
  }

  close(reason?: string): void {
    if (reason) this.log(`closing connection from ${this.state.clientHost}: ${reason}`);
    this.closed = true;
    this.queue.length = 0;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < 4) break;
        const head = (this.chunks[0] as Buffer).length >= 4 ? (this.chunks[0] as Buffer) : this.flatten();
        this.expected = head.readInt32BE(0);
        const min = this.state.rawSaslNext ? 0 : MIN_FRAME;
        if (this.expected < min || this.expected > this.maxRequestBytes) {
          this.close(`invalid frame size ${this.expected}`);
          return;
        }
      }
      if (this.buffered < 4 + this.expected) break;
      const all = this.flatten();
      this.queue.push(all.subarray(4, 4 + this.expected));
      const rest = all.subarray(4 + this.expected);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.expected = -1;
    }
    void this.pump();
  }

  private flatten(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] as Buffer;
  }

  private async pump(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (!this.closed) {
        const frame = this.queue.shift();
        if (frame === undefined) break;
        await this.handle(frame);
      }
    } catch (error) {
      this.close(error instanceof Error ? error.message : String(error));
    } finally {
      this.processing = false;
    }
  }

  private async handle(frame: Buffer): Promise<void> {
    if (this.state.rawSaslNext) {
      this.rawSasl(frame);
      return;
    }
    const r = new Reader(frame);
    const apiKey = r.int16();
    const apiVersion = r.int16();
    const correlationId = r.int32();
    const w = new Writer();
    if (!isSupported(apiKey, apiVersion)) {
      this.log(`unsupported request: api key ${apiKey} (${apiName(apiKey) ?? "unknown"}) v${apiVersion}`);
      if (apiKey === ApiKey.ApiVersions) writeApiVersionsResponse(w, 0, ErrorCode.UNSUPPORTED_VERSION);
      else w.int16(ErrorCode.UNSUPPORTED_VERSION);
      this.send(correlationId, w);
      return;
    }
    const clientId = r.nullableString() ?? "";
    if (apiKey === ApiKey.ApiVersions && apiVersion >= 3) r.taggedFields(); // request header v2
    this.state.clientId = clientId;
    if (this.ctx.settings.requireSasl && !this.state.authenticated && !PRE_AUTH.has(apiKey)) {
      this.close(`${apiName(apiKey)} before SASL authentication`);
      return;
    }
    const header: RequestHeader = { apiKey, apiVersion, correlationId, clientId };
    const name = apiName(apiKey);
    if (name === undefined) return;
    const result = await HANDLERS[name](this.ctx, this.state, header, r, w);
    if (result !== "none") this.send(correlationId, w);
  }

  /** SaslHandshake v0 (KIP-43): the token travels as a bare size-prefixed frame, and so does the answer. */
  private rawSasl(token: Buffer): void {
    this.state.rawSaslNext = false;
    const mechanism = this.state.saslMechanism;
    const outcome = mechanism
      ? authenticate(mechanism, token, this.ctx.settings.plainUsers)
      : { error: "no mechanism" };
    if ("error" in outcome) {
      this.close(`SASL authentication failed: ${outcome.error}`);
      return;
    }
    this.state.authenticated = true;
    this.state.principal = outcome.principal;
    this.socket.write(Buffer.alloc(4)); // an empty server challenge: authentication complete
  }

  private send(correlationId: number, body: Writer): void {
    if (this.closed) return;
    const chunks = body.toChunks();
    const head = Buffer.allocUnsafe(8);
    head.writeInt32BE(4 + body.length, 0);
    head.writeInt32BE(correlationId, 4);
    this.socket.cork();
    this.socket.write(head);
    for (const c of chunks) this.socket.write(c);
    this.socket.uncork();
  }
}
