/**
 * `AWS::Lambda::Url` locally: one HTTP server on 127.0.0.1 (port 0) that turns each request into the
 * function-URL event (payload format 2.0), invokes the function synchronously and maps its result
 * back as Lambda does: an object with `statusCode` is the response (headers, body, base64, cookies);
 * any other value is a 200 `application/json` body; a function error is 502. Each URL is
 * `http://127.0.0.1:<port>/<url id>/`, the path after the id being the event's `rawPath`.
 * Served by the Pub/Sub service, whose push subscriptions deliver to it.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Invokes a function with a payload; resolves with its JSON result or rejects with its error. */
export type UrlInvoker = (
  payload: string,
) => Promise<{ ok: true; payload: string } | { ok: false; errorType: string }>;

interface Route {
  readonly invoke: UrlInvoker;
  readonly urlId: string;
}

export class FunctionUrlServer {
  private server?: Server;
  private readonly routes = new Map<string, Route>();
  private base = "";

  /** Starts listening; returns the base URL. */
  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.base;
  }

  /** The URL a function URL with `urlId` gets (known before the route is added). */
  url(urlId: string): string {
    return `${this.base}/${urlId}/`;
  }

  /** Serves `urlId` by invoking `invoke`. */
  add(urlId: string, invoke: UrlInvoker): void {
    this.routes.set(urlId, { urlId, invoke });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.base);
    const [, urlId = "", ...rest] = url.pathname.split("/");
    const route = this.routes.get(urlId);
    if (!route) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"Message":null}');
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const text = body.toString("utf8");
    const binary = !Buffer.from(text, "utf8").equals(body);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
    }
    const now = new Date();
    const event = {
      version: "2.0",
      routeKey: "$default",
      rawPath: `/${rest.join("/")}`,
      rawQueryString: url.search.slice(1),
      headers,
      ...(url.search ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
      requestContext: {
        accountId: "anonymous",
        apiId: urlId,
        domainName: url.host,
        domainPrefix: urlId,
        http: {
          method: req.method ?? "GET",
          path: `/${rest.join("/")}`,
          protocol: `HTTP/${req.httpVersion}`,
          sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
          userAgent: headers["user-agent"] ?? "",
        },
        requestId: randomUUID(),
        routeKey: "$default",
        stage: "$default",
        time: now.toISOString(),
        timeEpoch: now.getTime(),
      },
      ...(body.length > 0
        ? { body: binary ? body.toString("base64") : text, isBase64Encoded: binary }
        : { isBase64Encoded: false }),
    };
    const result = await route
      .invoke(JSON.stringify(event))
      .catch(() => ({ ok: false as const, errorType: "InvokeFailed" }));
    if (!result.ok) {
      res.writeHead(502, { "content-type": "application/json" }).end('{"Message":"Internal Server Error"}');
      return;
    }
    writeResult(res, JSON.parse(result.payload) as unknown);
  }
}

function writeResult(res: ServerResponse, value: unknown): void {
  if (value !== null && typeof value === "object" && "statusCode" in value) {
    const r = value as {
      statusCode: number;
      headers?: Record<string, string>;
      body?: string;
      isBase64Encoded?: boolean;
      cookies?: string[];
    };
    const headers: Record<string, string | string[]> = { ...(r.headers ?? {}) };
    if (r.cookies?.length) headers["set-cookie"] = r.cookies;
    res.writeHead(r.statusCode, headers);
    res.end(r.body === undefined ? undefined : r.isBase64Encoded ? Buffer.from(r.body, "base64") : r.body);
    return;
  }
  res
    .writeHead(200, { "content-type": "application/json" })
    .end(typeof value === "string" ? value : JSON.stringify(value));
}
