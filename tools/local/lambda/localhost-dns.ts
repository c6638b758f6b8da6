/**
 * RFC 6761 §6.3 for the Lambda execution environments: `localhost` and every name under
 * `.localhost` resolve to the loopback address, without asking the system resolver.
 *
 * Why: fauxqs hands out AWS-shaped queue URLs (`http://sqs.us-east-1.localhost:PORT/000000000000/q`)
 * and a plain `new SQSClient({})` uses a QueueUrl's host as its endpoint ("using QueueUrl host as
 * endpoint"), even when `AWS_ENDPOINT_URL_SQS` is set. macOS and systemd-resolved answer
 * `*.localhost` with loopback as the RFC asks; glibc's plain `files dns` lookup does not
 * (`getaddrinfo ENOTFOUND sqs.us-east-1.localhost`). On Lambda the same code reaches
 * `sqs.<region>.amazonaws.com`, so a handler must not need `useQueueUrlAsEndpoint: false` to run
 * locally.
 *
 * Node's `net` (and so `http`, the AWS SDK's `NodeHttpHandler` and `fetch`) calls `dns.lookup`
 * through the module object at connect time, so replacing that property covers every client of
 * the thread. Runs as plain Node.js (type stripping) inside the worker: erasable syntax only.
 */
import dns from "node:dns";

/** True for `localhost` and any name under `.localhost` (case-insensitive, trailing dot allowed). */
export function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  return name === "localhost" || name.endsWith(".localhost");
}

type LookupAddress = { address: string; family: number };
type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;
type LookupOptions = { family?: number | string; all?: boolean };

let installed = false;

/**
 * Replaces `dns.lookup` in this thread so that `localhost` and `*.localhost` resolve to 127.0.0.1
 * (or `::1` when only IPv6 is asked for); every other name goes to the original lookup.
 * Idempotent.
 */
export function resolveLocalhostToLoopback(): void {
  if (installed) return;
  installed = true;
  const original = dns.lookup;
  const lookup = function (
    this: unknown,
    hostname: string,
    options: LookupOptions | number | LookupCallback,
    callback?: LookupCallback,
  ): void {
    const done = (typeof options === "function" ? options : callback) as LookupCallback;
    const opts: LookupOptions = typeof options === "object" && options !== null ? options : {};
    const family = typeof options === "number" ? options : opts.family;
    if (typeof hostname !== "string" || !isLocalhostName(hostname) || typeof done !== "function") {
      // biome-ignore lint/complexity/noArguments: pass every overload through unchanged
      (original as (...args: unknown[]) => void).apply(this, arguments as unknown as unknown[]);
      return;
    }
    const v6 = family === 6 || family === "IPv6";
    const result: LookupAddress = v6 ? { address: "::1", family: 6 } : { address: "127.0.0.1", family: 4 };
    if (opts.all) process.nextTick(done, null, [result]);
    else process.nextTick(done, null, result.address, result.family);
  };
  dns.lookup = lookup as typeof dns.lookup;
}
