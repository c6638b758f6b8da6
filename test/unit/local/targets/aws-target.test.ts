import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TEST_DEPLOYMENT_CONTEXT } from "../../../../stacks/test-deployment.ts";
import { patternFor } from "../../../../tools/local/patterns.ts";
import { awsTarget, TargetError } from "../../../../tools/local/targets/deployed.ts";
import { type CloudFormationMode, type FakeWorld, fakeWorld, stubCloudFormation } from "./fakes.ts";

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
const CREDENTIALS = { AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret" };

let world: FakeWorld;
let closers: (() => Promise<void>)[] = [];
beforeEach(() => {
  world = fakeWorld();
});
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const close of closers) await close();
  closers = [];
  world.dispose();
});

async function cloudFormation(mode: CloudFormationMode = { stacks: {} }) {
  const stub = await stubCloudFormation(mode);
  closers.push(stub.close);
  return stub;
}

/**
 * Opens the target with exactly `env` as the deploy's environment (never this process's): an empty
 * credential chain, the fakes on PATH, plus `extra`.
 */
function open(extra: Record<string, string>, options: { outputsFile?: string; force?: boolean } = {}) {
  const lines: string[] = [];
  return awsTarget(pattern, {
    faults: true,
    env: { ...NO_CREDENTIALS, PATH: world.bin, FAKE_OUTPUTS: JSON.stringify(OUTPUTS), ...extra },
    root: world.root,
    commands: world.commands,
    progress: (line) => lines.push(line),
    ...options,
  }).then((target) => ({ target, lines }));
}

const programs = () => world.calls().map((c) => c.program);

describe("aws target", () => {
  it("fails with one line, before running anything, when the deploy's environment has no credentials", async () => {
    // This process has credentials and a region: the check must not look at them.
    for (const [key, value] of Object.entries({ ...CREDENTIALS, AWS_REGION: "eu-central-1" }))
      vi.stubEnv(key, value);
    const attempt = open({});
    await expect(attempt).rejects.toThrow(TargetError);
    await expect(attempt).rejects.toThrow(
      /^no AWS credentials or region found \(set AWS_PROFILE .*--target local$/,
    );
    expect(world.calls()).toEqual([]);
  });

  it("fails the same way with credentials but no region", async () => {
    vi.stubEnv("AWS_REGION", "eu-central-1");
    await expect(open(CREDENTIALS)).rejects.toThrow(/^no AWS credentials or region found/);
  });

  it("checks the credentials and region the deploy gets, then deploys a new stack into cdk.out.aws, leaving cdk.out alone", async () => {
    // Nothing in this process's environment: only what the deploy gets counts.
    for (const [key, value] of Object.entries(NO_CREDENTIALS)) vi.stubEnv(key, value);
    const cfn = await cloudFormation();
    const before = world.cdkOutHash();
    const { target, lines } = await open({
      ...CREDENTIALS,
      AWS_REGION: "eu-central-1",
      AWS_ENDPOINT_URL_CLOUDFORMATION: cfn.endpoint,
    });
    expect(cfn.requests()).toEqual(["DescribeStacks SqsDlqRedriveStack"]);
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

  it("refuses to deploy over an existing stack that is not tagged as a test deployment, unless --force", async () => {
    const cfn = await cloudFormation({ stacks: { SqsDlqRedriveStack: { team: "payments" } } });
    const env = { ...CREDENTIALS, AWS_REGION: "eu-central-1", AWS_ENDPOINT_URL_CLOUDFORMATION: cfn.endpoint };
    const attempt = open(env);
    await expect(attempt).rejects.toThrow(TargetError);
    const message = await attempt.then(
      () => "",
      (error: Error) => error.message,
    );
    expect(message).toBe(
      `SqsDlqRedriveStack already exists in eu-central-1 (UPDATE_COMPLETE) and is not a test deployment (no tag ${TEST_DEPLOYMENT_CONTEXT}=true): deploying would give it short retry loops and fault injection; use --outputs-file to run against it as is, another account or region, or --force to deploy over it`,
    );
    expect(world.calls()).toEqual([]);

    const { lines } = await open(env, { force: true });
    expect(programs()).toEqual(["cdk"]);
    expect(lines).toContain(
      "--force: deploying test settings over SqsDlqRedriveStack in eu-central-1, which is not tagged as a test deployment",
    );
  });

  it("updates an existing stack tagged as a test deployment", async () => {
    const cfn = await cloudFormation({
      stacks: { SqsDlqRedriveStack: { [TEST_DEPLOYMENT_CONTEXT]: "true" } },
    });
    const { lines } = await open({
      ...CREDENTIALS,
      AWS_REGION: "eu-central-1",
      AWS_ENDPOINT_URL_CLOUDFORMATION: cfn.endpoint,
    });
    expect(programs()).toEqual(["cdk"]);
    expect(lines).toContain("SqsDlqRedriveStack exists in eu-central-1 as a test deployment: updating it");
  });

  it("refuses when it cannot check whether the stack exists, naming --force", async () => {
    const cfn = await cloudFormation("access-denied");
    const env = { ...CREDENTIALS, AWS_REGION: "eu-central-1", AWS_ENDPOINT_URL_CLOUDFORMATION: cfn.endpoint };
    await expect(open(env)).rejects.toThrow(
      /^could not check whether SqsDlqRedriveStack already exists in eu-central-1 \(AccessDenied: User is not authorized.*\); grant cloudformation:DescribeStacks, or pass --force/,
    );
    expect(world.calls()).toEqual([]);
  });

  it("uses an existing deployment's outputs file without deploying", async () => {
    const cfn = await cloudFormation({ stacks: { SqsDlqRedriveStack: {} } });
    await expect(
      open(
        { ...CREDENTIALS, AWS_REGION: "eu-central-1", AWS_ENDPOINT_URL_CLOUDFORMATION: cfn.endpoint },
        { outputsFile: join(world.root, "missing.json") },
      ),
    ).rejects.toThrow(/outputs file .*missing.json does not exist/);
    expect(world.calls()).toEqual([]);
  });
});
