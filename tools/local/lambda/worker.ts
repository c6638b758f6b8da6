/**
 * One Lambda execution environment: a worker thread that loads a function's bundled asset once
 * (the cold start) and then serves one invocation at a time, like the Lambda Node.js runtime.
 *
 * Runs as plain Node.js (type stripping), so it imports nothing from the project but its sibling
 * `localhost-dns.ts`, and only uses erasable TypeScript syntax. The parent thread enforces the timeout by terminating this worker.
 */
import { existsSync, readFileSync } from "node:fs";
import { registerHooks } from "node:module";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { getHeapStatistics } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import { resolveLocalhostToLoopback } from "./localhost-dns.ts";

/** What the parent passes when it creates the environment. */
interface EnvironmentData {
  readonly codeDir: string;
  readonly handler: string;
  readonly functionName: string;
  readonly functionArn: string;
  readonly memoryMb: number;
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** Directory whose node_modules provide the AWS SDK v3, as the Lambda Node.js runtime does. */
  readonly sdkRoot: string;
  /** Drop the function's output in the worker instead of streaming it to the parent. */
  readonly discardOutput: boolean;
}

/** An invocation request from the parent. */
interface InvokeMessage {
  readonly type: "invoke";
  readonly id: number;
  readonly requestId: string;
  readonly payload: string;
  readonly deadline: number;
}

type LambdaHandler = (event: unknown, context: unknown) => unknown;

const data = workerData as EnvironmentData;
const port = parentPort;
if (!port) throw new Error("the Lambda environment must run in a worker thread");

// The Node.js runtime ships the AWS SDK v3 and bundles built by the CDK leave it external:
// resolve bare specifiers the asset does not contain from the project's node_modules.
const sdkParent = pathToFileURL(join(data.sdkRoot, "package.json")).href;
const assetRoot = resolve(data.codeDir);

/**
 * The module type of a `.js` file of the asset as the Lambda runtime sees it: the nearest
 * package.json inside the asset decides, and without one it is CommonJS. Node itself would also
 * read package.json files above the asset (in cdk.out's parents, say the project's
 * `"type": "module"`), which on Lambda do not exist.
 */
function assetModuleType(file: string): "module" | "commonjs" {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, "utf8")) as { type?: string }).type === "module"
          ? "module"
          : "commonjs";
      } catch {
        return "commonjs";
      }
    }
    if (dir === assetRoot || dirname(dir) === dir) return "commonjs";
  }
}

/** The module type Node itself gives a `.js` file: the nearest package.json anywhere above it. */
function nodeModuleType(file: string): "module" | "commonjs" {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        const type = (JSON.parse(readFileSync(manifest, "utf8")) as { type?: string }).type;
        return type === "module" ? "module" : "commonjs";
      } catch {
        return "commonjs";
      }
    }
    if (dirname(dir) === dir) return "commonjs";
  }
}

// Only when Node and Lambda would disagree about the handler's `.js` (a CommonJS bundle in a cdk.out
// under a "type": "module" project): a load hook makes the asset's `.js` files what Lambda makes
// them. Without a disagreement no load hook is registered, so module loading keeps Node's fast path.
const handlerJs = join(data.codeDir, `${data.handler.split(".")[0] ?? "index"}.js`);
if (existsSync(handlerJs) && assetModuleType(handlerJs) !== nodeModuleType(handlerJs)) {
  registerHooks({
    load(url, context, nextLoad) {
      if (!url.startsWith("file:") || !url.endsWith(".js")) return nextLoad(url, context);
      const file = fileURLToPath(url);
      if (!file.startsWith(assetRoot + sep)) return nextLoad(url, context);
      const format = assetModuleType(file);
      // CommonJS with its source, so Node compiles it as such instead of re-checking package scopes.
      if (format === "commonjs") return { format, source: readFileSync(file), shortCircuit: true };
      return nextLoad(url, { ...context, format });
    },
  });
}
registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      const bare = !specifier.startsWith(".") && !specifier.startsWith("/") && !specifier.includes(":");
      if (!bare) throw error;
      return nextResolve(specifier, { ...context, parentURL: sdkParent });
    }
  },
});
// fauxqs's queue URLs name `sqs.<region>.localhost`, which a plain SQS client uses as its endpoint.
resolveLocalhostToLoopback();
process.setSourceMapsEnabled(true);
if (data.discardOutput) {
  // Logs and EMF metrics nobody reads: skip the copy to the parent thread.
  const discard = ((_chunk: unknown, encoding?: unknown, callback?: unknown) => {
    const done = typeof encoding === "function" ? encoding : callback;
    if (typeof done === "function") done();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = discard;
  process.stderr.write = discard;
}

const [modulePath, ...exportPath] = data.handler.split(".");
let handlerPromise: Promise<LambdaHandler> | undefined;

async function loadHandler(): Promise<LambdaHandler> {
  const base = join(data.codeDir, modulePath ?? "index");
  let loaded: Record<string, unknown> | undefined;
  let lastError: unknown;
  for (const extension of [".mjs", ".js", ".cjs"]) {
    try {
      loaded = (await import(pathToFileURL(base + extension).href)) as Record<string, unknown>;
      break;
    } catch (error) {
      lastError = error;
      if ((error as { code?: string }).code !== "ERR_MODULE_NOT_FOUND" || !String(error).includes(base))
        throw error;
    }
  }
  if (!loaded) throw Object.assign(new Error(`Cannot find module '${modulePath}'`), { cause: lastError });
  let target: unknown = loaded;
  for (const part of exportPath) target = (target as Record<string, unknown> | undefined)?.[part];
  if (typeof target !== "function") {
    throw Object.assign(new Error(`${data.handler} is undefined or not exported`), {
      name: "Runtime.HandlerNotFound",
    });
  }
  return target as LambdaHandler;
}

function errorShape(error: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? "").split("\n") };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

/** This environment's V8 heap in bytes (its "memory used"; the worker threads share one process). */
function heapBytes(): number | undefined {
  return data.discardOutput ? undefined : getHeapStatistics().used_heap_size;
}

port.on("message", async (message: InvokeMessage) => {
  if (message.type !== "invoke") return;
  const context = {
    functionName: data.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: data.functionArn,
    memoryLimitInMB: String(data.memoryMb),
    awsRequestId: message.requestId,
    logGroupName: data.logGroupName,
    logStreamName: data.logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
  };
  process.env._X_AMZN_TRACE_ID = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${message.requestId.replaceAll("-", "").slice(0, 24)}`;
  try {
    handlerPromise ??= loadHandler();
    const handler = await handlerPromise;
    const result = await handler(JSON.parse(message.payload), context);
    // The runtime serializes the result to JSON; undefined becomes null.
    const payload = JSON.stringify(result ?? null);
    port.postMessage({ type: "result", id: message.id, ok: true, payload, heapBytes: heapBytes() });
  } catch (error) {
    port.postMessage({
      type: "result",
      id: message.id,
      ok: false,
      error: errorShape(error),
      heapBytes: heapBytes(),
    });
  }
});
// The init phase: load the handler module before the first invocation, as Lambda does; its time
// does not count against the function timeout (the parent starts the clock at "ready").
handlerPromise = loadHandler();
handlerPromise.then(
  () => port.postMessage({ type: "ready" }),
  (error: unknown) => port.postMessage({ type: "ready", initError: errorShape(error) }),
);
