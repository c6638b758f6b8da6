import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { LocalFunction } from "./environment-pool.ts";
import type { LambdaService } from "./service.ts";

/**
 * A local endpoint for the Lambda API subset that clients use against a deployed stack, so
 * `@aws-sdk/client-lambda` works unchanged (set its `endpoint`, or `AWS_ENDPOINT_URL_LAMBDA`):
 *
 * - `Invoke` (`POST /2015-03-31/functions/{name}/invocations`): `RequestResponse` returns the
 *   result, or status 200 with `X-Amz-Function-Error: Unhandled` and the error as the payload;
 *   `Event` returns 202 at once and runs the function in the background (async retries and
 *   destinations are not emulated); `DryRun` returns 204.
 * - `GetFunctionConfiguration` (`GET …/{name}/configuration`), `GetFunction`, `ListFunctions`.
 *
 * An unknown function answers 404 `ResourceNotFoundException`, as AWS does.
 */
export async function startInvokeServer(
  lambda: LambdaService,
): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    handle(lambda, request, response).catch((error: unknown) => {
      send(
        response,
        500,
        { Type: "Service", message: String(error) },
        { "x-amzn-ErrorType": "ServiceException" },
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(
  lambda: LambdaService,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? "/", "http://localhost");
  const body = await readBody(request);
  const match = /^\/2015-03-31\/functions\/([^/]+)(\/invocations|\/configuration)?\/?$/.exec(url.pathname);
  if (request.method === "GET" && /^\/2015-03-31\/functions\/?$/.test(url.pathname)) {
    send(response, 200, { Functions: lambda.functions.map(configuration) });
    return;
  }
  if (!match?.[1]) {
    send(
      response,
      404,
      { message: `no route for ${request.method} ${url.pathname}` },
      { "x-amzn-ErrorType": "UnknownOperationException" },
    );
    return;
  }
  const name = decodeURIComponent(match[1]);
  const qualifier = url.searchParams.get("Qualifier");
  const fn = lambda.find(qualifier && qualifier !== "$LATEST" ? `${name}:${qualifier}` : name);
  if (!fn) {
    send(
      response,
      404,
      { Type: "User", Message: `Function not found: ${name}` },
      { "x-amzn-ErrorType": "ResourceNotFoundException" },
    );
    return;
  }
  if (request.method === "GET" && match[2] === "/configuration") {
    send(response, 200, configuration(fn));
    return;
  }
  if (request.method === "GET" && match[2] === undefined) {
    send(response, 200, {
      Configuration: configuration(fn),
      Code: { RepositoryType: "S3", Location: fn.codeDir },
    });
    return;
  }
  if (request.method !== "POST" || match[2] !== "/invocations") {
    send(
      response,
      404,
      { message: `no route for ${request.method} ${url.pathname}` },
      { "x-amzn-ErrorType": "UnknownOperationException" },
    );
    return;
  }
  const payload = body.length === 0 ? "{}" : body;
  try {
    JSON.parse(payload);
  } catch {
    send(
      response,
      400,
      { Type: "User", message: "Could not parse request body into json" },
      { "x-amzn-ErrorType": "InvalidRequestContentException" },
    );
    return;
  }
  const type = String(request.headers["x-amz-invocation-type"] ?? "RequestResponse");
  if (type === "DryRun") {
    send(response, 204, undefined);
    return;
  }
  if (type === "Event") {
    void lambda.invoke(fn.logicalId, payload, "api");
    send(response, 202, undefined);
    return;
  }
  const result = await lambda.invoke(fn.logicalId, payload, "api");
  const headers = { "X-Amz-Executed-Version": "$LATEST", "x-amzn-RequestId": result.requestId };
  if (result.ok) {
    response.writeHead(200, { ...headers, "Content-Type": "application/json" }).end(result.payload);
  } else {
    send(response, 200, result.error, { ...headers, "X-Amz-Function-Error": "Unhandled" });
  }
}

function configuration(fn: LocalFunction) {
  return {
    FunctionName: fn.functionName,
    FunctionArn: fn.functionArn,
    Runtime: fn.runtime,
    Handler: fn.handler,
    Timeout: fn.timeoutSeconds,
    MemorySize: fn.memoryMb,
    Version: "$LATEST",
    State: "Active",
    Environment: { Variables: fn.variables },
  };
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (body === undefined) {
    response.writeHead(status, headers).end();
    return;
  }
  response.writeHead(status, { ...headers, "Content-Type": "application/json" }).end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
