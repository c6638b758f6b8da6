import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PINNED_LOCALSTACK_VERSION } from "../../../../tools/local/targets/localstack-endpoint.ts";
import { REQUIRED_SERVICES } from "../../../../tools/local/targets/localstack-health.ts";

const compose = readFileSync(join(import.meta.dirname, "..", "..", "..", "..", "docker-compose.yml"), "utf8");
const environment = [...compose.matchAll(/^\s+- ([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]);
const setting = (name: string) => environment.find(([key]) => key === name)?.[1];
/** Compose's `${…}` interpolation, spelled without a template-literal lookalike. */
const interpolation = (expression: string) => ["$", "{", expression, "}"].join("");

describe("docker-compose.yml", () => {
  it("pins the LocalStack image the target expects and passes the auth token through", () => {
    expect(compose).toContain(`image: localstack/localstack:${PINNED_LOCALSTACK_VERSION}\n`);
    expect(setting("LOCALSTACK_AUTH_TOKEN")).toBe(interpolation("LOCALSTACK_AUTH_TOKEN:-"));
  });

  it("runs the arm64 functions on any host and serves path-style queue URLs", () => {
    expect(setting("LAMBDA_IGNORE_ARCHITECTURE")).toBe("1");
    expect(setting("SQS_ENDPOINT_STRATEGY")).toBe("path");
  });

  it("enables every service the health check requires, on the port the target asks for, on loopback", () => {
    const services = setting("SERVICES")?.split(",") ?? [];
    expect(REQUIRED_SERVICES.filter((s) => !services.includes(s))).toEqual([]);
    expect(compose).toContain(`- "127.0.0.1:${interpolation("LOCALSTACK_PORT:-4566")}:4566"`);
  });
});
