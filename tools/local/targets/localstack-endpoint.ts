import { TargetError } from "./target-error.ts";

/** Where LocalStack listens unless `--endpoint` or `LOCALSTACK_ENDPOINT` says otherwise. */
export const DEFAULT_LOCALSTACK_ENDPOINT = "http://localhost:4566";

/** The LocalStack image docker-compose.yml pins: the last that starts without an auth token. */
export const PINNED_LOCALSTACK_VERSION = "4.14.0";

/**
 * The LocalStack endpoint of a verify run: `--endpoint`, else `LOCALSTACK_ENDPOINT`, else
 * {@link DEFAULT_LOCALSTACK_ENDPOINT}; an origin (`http(s)://host:port`, no path), without a
 * trailing slash.
 */
export function localstackEndpoint(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const given = option ?? (env.LOCALSTACK_ENDPOINT || undefined) ?? DEFAULT_LOCALSTACK_ENDPOINT;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new TargetError(
      `LocalStack endpoint "${given}" is not a URL; expected e.g. ${DEFAULT_LOCALSTACK_ENDPOINT}`,
    );
  }
  if (
    (url.protocol !== "http:" && url.protocol !== "https:") ||
    (url.pathname !== "/" && url.pathname !== "")
  ) {
    throw new TargetError(
      `LocalStack endpoint "${given}" must be http(s)://host[:port] without a path, e.g. ${DEFAULT_LOCALSTACK_ENDPOINT}`,
    );
  }
  return url.origin;
}

/**
 * The host port `docker compose up` must publish for `endpoint`, or undefined when docker-compose.yml
 * cannot serve it (not plain http on this machine's loopback): then only an already running
 * LocalStack can.
 */
export function composePort(endpoint: string): number | undefined {
  const url = new URL(endpoint);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (url.protocol !== "http:") return undefined;
  if (host !== "localhost" && host !== "::1" && !host.startsWith("127.")) return undefined;
  return url.port === "" ? 80 : Number(url.port);
}
