import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TEST_DEPLOYMENT_CONTEXT } from "../../../../stacks/test-deployment.ts";
import { patternFor } from "../../../../tools/local/patterns.ts";
import { awsTarget, TargetError } from "../../../../tools/local/targets/deployed.ts";
import { type FakeWorld, fakeWorld } from "./fakes.ts";

const pattern = patternFor("sqs-dlq-redrive");
const OUTPUTS = { QueueUrl: "https://sqs.eu-central-1.amazonaws.com/123456789012/jobs" };

/** The default credential chain with nothing in it (no env keys, files, profile or instance metadata). */
const NO_CREDENTIALS = {
  AWS_PROFILE: "",
  AWS_ACCESS_KEY_ID: "",
  AWS_SECRET_ACCESS_KEY: "",
  AWS_SESSION_TOKEN: "",
  AWS_REGION: "",
  AWS_DEFAULT_REGION: "",
  AWS_CONFIG_FILE: "/nonexistent",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "",
  AWS_CONTAINER_CREDENTIALS_FULL_URI: "",
  AWS_WEB_IDENTITY_TOKEN_FILE: "",
};

let world: FakeWorld;
beforeEach(() => {
  world = fakeWorld();
  for (const [key, value] of Object.entries(NO_CREDENTIALS)) vi.stubEnv(key, value);
});
afterEach(() => {
  vi.unstubAllEnvs();
  world.dispose();
});

function open(options: { outputsFile?: string } = {}) {
  const lines: string[] = [];
  return awsTarget(pattern, {
    faults: true,
    env: { PATH: world.bin, FAKE_OUTPUTS: JSON.stringify(OUTPUTS) },
    root: world.root,
    commands: world.commands,
    progress: (line) => lines.push(line),
    ...options,
  }).then((target) => ({ target, lines }));
}

describe("aws target", () => {
  it("fails with one line, before running anything, when no credentials resolve", async () => {
    const attempt = open();
    await expect(attempt).rejects.toThrow(TargetError);
    await expect(attempt).rejects.toThrow(
      /^no AWS credentials or region found \(set AWS_PROFILE .*--target local$/,
    );
    expect(world.calls()).toEqual([]);
  });

  it("fails the same way with credentials but no region", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "secret");
    await expect(open()).rejects.toThrow(/^no AWS credentials or region found/);
  });

  it("deploys a test deployment into cdk.out.aws in the clients' region, leaving cdk.out alone", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "secret");
    vi.stubEnv("AWS_REGION", "eu-central-1");
    const before = world.cdkOutHash();
    const { target, lines } = await open();
    expect(world.cdkOutHash()).toBe(before);
    const [deploy, ...rest] = world.calls();
    expect(rest).toEqual([]);
    expect(deploy?.program).toBe("cdk");
    expect(deploy?.args).toEqual([
      "deploy",
      "SqsDlqRedriveStack",
      "--require-approval",
      "never",
      "--outputs-file",
      join(world.root, "outputs-sqs-dlq-redrive.json"),
      "--output",
      "cdk.out.aws",
      "-c",
      `${TEST_DEPLOYMENT_CONTEXT}=true`,
    ]);
    expect(deploy?.env).toMatchObject({ AWS_REGION: "eu-central-1", AWS_DEFAULT_REGION: "eu-central-1" });
    expect(target.outputs).toEqual(OUTPUTS);
    expect(target.clientConfig("sqs")).toEqual({ region: "eu-central-1" });
    expect(lines.some((l) => l.startsWith("test deployment ("))).toBe(true);
  });

  it("uses an existing deployment's outputs file without deploying", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "secret");
    vi.stubEnv("AWS_REGION", "eu-central-1");
    await expect(open({ outputsFile: join(world.root, "missing.json") })).rejects.toThrow(
      /outputs file .*missing.json does not exist/,
    );
    expect(world.calls()).toEqual([]);
  });
});
