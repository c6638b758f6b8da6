import type { IncomingMessage, ServerResponse } from "node:http";
import { Server } from "node:net";
import { type FauxqsServer, startFauxqs } from "fauxqs";

/** An SQS JSON-protocol action the local cloud answers itself (fauxqs does not implement it). */
export type SqsActionHandler = (input: Record<string, unknown>) => Promise<unknown> | unknown;

/** An error answered in SQS's JSON protocol (`__type` is what the AWS SDK turns into the error name). */
export class SqsActionError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** fauxqs on loopback, with the extra SQS actions of the local cloud. */
export interface LoopbackFauxqs {
  readonly fauxqs: FauxqsServer;
  /** `127.0.0.1` and the port it listens on. */
  readonly address: { readonly host: string; readonly port: number };
}

/**
 * Starts fauxqs listening on 127.0.0.1 only (port 0). fauxqs 2.4 always listens on 0.0.0.0, which
 * would expose unauthenticated queues to the network with `--serve`; the listen call it makes is
 * rewritten to loopback while it starts. `actions` are SQS JSON-protocol actions (by name, e.g.
 * `StartMessageMoveTask`) answered before fauxqs's router sees the request.
 */
export async function startLoopbackFauxqs(
  options: { readonly region: string },
  actions: Readonly<Record<string, SqsActionHandler>>,
): Promise<LoopbackFauxqs> {
  let server: Server | undefined;
  const original = Server.prototype.listen;
  Server.prototype.listen = function listenOnLoopback(this: Server, ...args: unknown[]) {
    const [first] = args;
    if (typeof first === "object" && first !== null && (first as { host?: string }).host === "0.0.0.0") {
      args[0] = { ...(first as object), host: "127.0.0.1" };
      server = this;
    }
    return (original as (...a: unknown[]) => Server).apply(this, args);
  } as typeof original;
  let fauxqs: FauxqsServer;
  try {
    fauxqs = await startFauxqs({
      port: 0,
      logger: false,
      host: "localhost",
      defaultRegion: options.region,
      messageSpies: { bufferSize: 1 },
    });
  } finally {
    Server.prototype.listen = original;
  }
  const address = server?.address();
  if (!server || typeof address !== "object" || address?.address !== "127.0.0.1") {
    await fauxqs.stop();
    throw new Error(`fauxqs did not listen on 127.0.0.1 (${JSON.stringify(address)})`);
  }
  intercept(server, actions);
  return { fauxqs, address: { host: "127.0.0.1", port: address.port } };
}

/** Answers the SQS JSON actions in `actions` ahead of fauxqs's own request listener. */
function intercept(server: Server, actions: Readonly<Record<string, SqsActionHandler>>): void {
  const listeners = server.listeners("request") as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners("request");
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const target = request.headers["x-amz-target"];
    const action = typeof target === "string" ? target.replace(/^AmazonSQS\./, "") : "";
    const handler = actions[action];
    if (!handler) {
      for (const listener of listeners) listener.call(server, request, response);
      return;
    }
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void answer(handler, Buffer.concat(chunks).toString("utf8"), response);
    });
  });
}

async function answer(handler: SqsActionHandler, body: string, response: ServerResponse): Promise<void> {
  const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { "content-type": "application/x-amz-json-1.0", ...headers });
    response.end(JSON.stringify(payload));
  };
  try {
    const input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    reply(200, (await handler(input)) ?? {});
  } catch (error) {
    const known = error instanceof SqsActionError;
    const code = known ? error.code : "InternalError";
    reply(
      known ? error.status : 500,
      { __type: `com.amazonaws.sqs#${code}`, message: String((error as Error).message ?? error) },
      { "x-amzn-query-error": `${code};${known ? "Sender" : "Receiver"}` },
    );
  }
}
