import { describe, expect, it } from "vitest";
import { cdklocalEnvironment } from "../../../../tools/local/targets/cdklocal-environment.ts";
import { composePort, localstackEndpoint } from "../../../../tools/local/targets/localstack-endpoint.ts";

describe("LocalStack endpoint", () => {
  it("is --endpoint, else LOCALSTACK_ENDPOINT, else http://localhost:4566, as an origin", () => {
    const env = { LOCALSTACK_ENDPOINT: "http://ci-localstack:4566/" };
    expect(localstackEndpoint("http://127.0.0.1:4577", env)).toBe("http://127.0.0.1:4577");
    expect(localstackEndpoint(undefined, env)).toBe("http://ci-localstack:4566");
    expect(localstackEndpoint(undefined, { LOCALSTACK_ENDPOINT: "" })).toBe("http://localhost:4566");
    expect(localstackEndpoint(undefined, {})).toBe("http://localhost:4566");
  });

  it("is started by docker compose only on this machine's loopback over http", () => {
    expect(composePort("http://localhost:4566")).toBe(4566);
    expect(composePort("http://127.0.0.1:4600")).toBe(4600);
    expect(composePort("http://[::1]:4566")).toBe(4566);
    expect(composePort("http://ci-localstack:4566")).toBeUndefined();
    expect(composePort("https://localhost:4566")).toBeUndefined();
  });
});

describe("cdklocal environment", () => {
  it("sets both endpoints, keeps the user's allowlist and drops leftover per-service endpoints", () => {
    const env = cdklocalEnvironment(
      {
        AWS_ENVAR_ALLOWLIST: "AWS_PROFILE, AWS_REGION",
        AWS_ENDPOINT_URL_SQS: "http://127.0.0.1:1",
        HOME: "/h",
      },
      "http://ci-localstack:4566",
      "eu-west-1",
    );
    expect(env).toEqual({
      HOME: "/h",
      AWS_ENDPOINT_URL: "http://ci-localstack:4566",
      AWS_ENDPOINT_URL_S3: "http://ci-localstack:4566",
      AWS_REGION: "eu-west-1",
      AWS_DEFAULT_REGION: "eu-west-1",
      AWS_ENVAR_ALLOWLIST: "AWS_PROFILE,AWS_REGION,AWS_DEFAULT_REGION",
      // S3 path-style for a non-loopback host: no <bucket>.ci-localstack name to resolve.
      CDK_S3_FORCE_PATH_STYLE: "1",
      CDK_DISABLE_VERSION_CHECK: "1",
    });
  });
});
