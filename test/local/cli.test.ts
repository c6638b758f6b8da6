import { spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { PATTERNS } from "../../tools/local/patterns.ts";
import { waitFor } from "../helpers/wait.ts";
import { closedPort } from "../unit/local/targets/fakes.ts";

const root = join(import.meta.dirname, "..", "..");
/** No Docker on PATH: only the directory of this Node binary. */
const withoutDocker = { PATH: dirname(process.execPath) };
/** No AWS credentials anywhere in the default chain. */
const withoutCredentials = {
  AWS_PROFILE: "",
  AWS_ACCESS_KEY_ID: "",
  AWS_SECRET_ACCESS_KEY: "",
  AWS_CONFIG_FILE: "/nonexistent",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
  AWS_EC2_METADATA_DISABLED: "true",
};

/** Runs the local-cloud CLI in a fresh process, as `npm run local|verify|diagram` does. */
function cli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(
    process.execPath,
    [
      "--disable-warning=ExperimentalWarning",
      "--import",
      "tsx",
      join(root, "tools", "local", "cli.ts"),
      ...args,
    ],
    { cwd: root, encoding: "utf8", env: { ...process.env, ...env } },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.trim() };
}

describe("local-cloud CLI", () => {
  it("rejects an unknown slug with one line naming the known ones", () => {
    const { status, stderr } = cli(["local", "nope"]);
    expect(status).toBe(1);
    expect(stderr).toBe(`error: unknown pattern "nope"; known: ${Object.keys(PATTERNS).join(", ")}`);
    expect(stderr).toContain("sns-sqs-fanout");
  });

  it("rejects a bad --messages and an unknown --target with one line", () => {
    const messages = cli(["local", "sns-sqs-fanout", "--messages", "lots"]);
    expect(messages.status).toBe(1);
    expect(messages.stderr).toBe(
      "error: option '--messages <n>' argument 'lots' is invalid. expected a whole number from 1 to 1000000",
    );
    const target = cli(["verify", "sns-sqs-fanout", "--target", "moon"]);
    expect(target.status).toBe(1);
    expect(target.stderr.split("\n")).toHaveLength(1);
    expect(target.stderr).toMatch(/Allowed choices are local, localstack, aws/);
  });

  it("says both ways to start LocalStack when none answers and Docker is missing", async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    // --endpoint wins over LOCALSTACK_ENDPOINT.
    const { status, stderr } = cli(
      ["verify", "sns-sqs-fanout", "--target", "localstack", "--endpoint", endpoint],
      { ...withoutDocker, LOCALSTACK_ENDPOINT: "http://localstack.invalid:4566" },
    );
    expect(status).toBe(1);
    expect(stderr.split("\n")).toHaveLength(1);
    expect(stderr).toMatch(
      /^error: no LocalStack answers at http:\/\/127.0.0.1:\d+ \(connection refused\) and no Docker engine .*`localstack start`.*start Docker.*--target local needs neither$/,
    );
  });

  it("rejects --endpoint for a target other than localstack", () => {
    const { status, stderr } = cli([
      "verify",
      "sns-sqs-fanout",
      "--target",
      "aws",
      "--endpoint",
      "http://x:1",
    ]);
    expect(status).toBe(1);
    expect(stderr).toBe("error: --endpoint applies to --target localstack only, not aws");
  });

  it("rejects --force for a target other than aws", () => {
    const { status, stderr } = cli(["verify", "sns-sqs-fanout", "--target", "localstack", "--force"]);
    expect(status).toBe(1);
    expect(stderr).toBe("error: --force applies to --target aws only, not localstack");
  });

  it("says what to do when there are no AWS credentials for the aws target", () => {
    const { status, stderr } = cli(["verify", "sns-sqs-fanout", "--target", "aws"], withoutCredentials);
    expect(status).toBe(1);
    expect(stderr).toMatch(/^error: no AWS credentials or region found/);
  });

  it("prints a Mermaid diagram of the synthesized stack", () => {
    const { status, stdout } = cli(["diagram", "sns-sqs-fanout"]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^flowchart LR/);
    expect(stdout).toMatch(/Orders\/Topic.*SNS topic/);
    expect(stdout).toMatch(/attribute filter type = order.created, raw/);
  });

  it("serves a stack until interrupted: endpoints and outputs as JSON, reachable by the AWS SDK", async () => {
    const child = spawn(
      process.execPath,
      [
        "--disable-warning=ExperimentalWarning",
        "--import",
        "tsx",
        join(root, "tools", "local", "cli.ts"),
        "local",
        "sns-sqs-fanout",
        "--serve",
        "--json",
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const served = await waitFor(
        () => {
          try {
            return JSON.parse(stdout) as {
              endpoints: Record<string, string>;
              outputs: Record<string, string>;
            };
          } catch {
            return undefined;
          }
        },
        { timeoutMs: 120_000, description: "the served stack's JSON" },
      );
      expect(served.outputs.TopicArn).toMatch(/^arn:aws:sns:us-east-1:000000000000:/);
      // Code outside the cloud is told how to reach queues whose URLs name sqs.<region>.localhost.
      await waitFor(() => stderr.includes("useQueueUrlAsEndpoint: false") || undefined, {
        description: "the queue URL host hint",
      });
      expect(stderr).toContain(`explicit endpoint: "${served.endpoints.sqs}"`);
      const response = await fetch(
        `${served.endpoints.lambda}/2015-03-31/functions/${served.outputs.PublisherFunctionName}/configuration`,
      );
      expect(((await response.json()) as { FunctionName: string }).FunctionName).toBe(
        served.outputs.PublisherFunctionName,
      );
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(0);
  });

  it("refuses sns-pubsub-bridge on a deployed target with one line, before looking for credentials", () => {
    for (const target of ["aws", "localstack"]) {
      const { status, stderr } = cli(["verify", "sns-pubsub-bridge", "--target", target], {
        ...withoutCredentials,
        ...withoutDocker,
      });
      expect(status).toBe(1);
      expect(stderr.split("\n")).toHaveLength(1);
      expect(stderr).toMatch(
        /^error: sns-pubsub-bridge runs on --target local only for now: a deployed run needs a Google Cloud project .*patterns\/sns-pubsub-bridge\/README\.md/,
      );
    }
  });

  it("runs sns-pubsub-bridge with faults on the local target (Pub/Sub emulator started) and prints a clean JSON ledger", () => {
    const { status, stdout } = cli(["local", "sns-pubsub-bridge", "--faults", "--json", "--messages", "10"]);
    const ledger = JSON.parse(stdout) as {
      slug: string;
      ok: boolean;
      problems: string[];
      counts: { expected: number; applied: number; lost: number; duplicates: number };
      details: { faultInjection: string; fromGoogle: { rejectedTokens: number; badTokensSent: number } };
    };
    expect(ledger.problems).toEqual([]);
    expect(status).toBe(0);
    expect(ledger).toMatchObject({ slug: "sns-pubsub-bridge", ok: true });
    expect(ledger.counts).toMatchObject({ expected: 20, applied: 20, lost: 0, duplicates: 0 });
    expect(ledger.details.faultInjection).toBe("transient=0.1");
    expect(ledger.details.fromGoogle.rejectedTokens).toBe(ledger.details.fromGoogle.badTokensSent);
  });
});
