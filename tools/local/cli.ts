/**
 * `npm run local | verify | diagram`: the command line of the embedded local cloud.
 *
 *   npm run local -- <slug> [--messages N] [--faults] [--json] [--serve]
 *   npm run verify -- <slug> --target local|localstack|aws [--endpoint URL] [--outputs-file F] [--force]
 *   npm run diagram -- <slug> [--out FILE]
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Command, InvalidArgumentError, Option } from "commander";
import { ensureSynthesized, loadAssembly, REPO_ROOT } from "./cloud-assembly.ts";
import { mermaidDiagram } from "./diagram.ts";
import { formatLedger, type PatternEntry, patternFor } from "./patterns.ts";
import { patternLocalOptions, runOnTarget, type TargetName } from "./run.ts";
import { startLocal } from "./start-local.ts";

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000)
    throw new InvalidArgumentError("expected a whole number from 1 to 1000000");
  return n;
}

/** Builds the program (exported for tests). */
export function program(): Command {
  const cli = new Command("local-cloud")
    .description("Run the patterns' synthesized stacks on the embedded local cloud, LocalStack or AWS")
    .configureOutput({
      outputError: (text, write) => write(text.split("\n")[0] ? `${text.split("\n")[0]}\n` : text),
    });

  cli
    .command("local")
    .description(
      "run a pattern's scenario on the embedded local cloud (no Docker, no account) and print its ledger",
    )
    .argument("<slug>", "pattern slug, e.g. sns-sqs-fanout")
    .option("--messages <n>", "events to send (default: the pattern's demo size)", positiveInteger)
    .option("--faults", "inject the pattern's faults (malformed, transient, duplicate)", false)
    .option("--json", "print the ledger as JSON on stdout", false)
    .option("--logs <dir>", "where function output goes", join(REPO_ROOT, ".local-cloud", "logs"))
    .option(
      "--serve",
      "start the stack and keep it running (no scenario): prints endpoints and outputs, Ctrl-C stops",
      false,
    )
    .action(
      async (
        slug: string,
        opts: { messages?: number; faults: boolean; json: boolean; logs: string; serve: boolean },
      ) => {
        if (opts.serve) {
          await serve(patternFor(slug), opts);
          return;
        }
        const ledger = await runOnTarget(patternFor(slug), "local", {
          ...opts,
          progress: !opts.json || process.stderr.isTTY,
        });
        print(ledger, opts.json);
        if (!ledger.ok) process.exitCode = 1;
      },
    );

  cli
    .command("verify")
    .description("run a pattern's scenario with faults on a target and fail unless the ledger is clean")
    .argument("<slug>", "pattern slug, e.g. sns-sqs-fanout")
    .addOption(
      new Option("--target <target>", "where to run")
        .choices(["local", "localstack", "aws"])
        .default("local"),
    )
    .option(
      "--endpoint <url>",
      "localstack: LocalStack's endpoint; one already running there is used as is (default: LOCALSTACK_ENDPOINT, else http://localhost:4566)",
    )
    .option("--outputs-file <file>", "aws: use this `cdk deploy --outputs-file` file instead of deploying")
    .option(
      "--force",
      "aws: deploy even over an existing stack not tagged serverless-messaging:test-deployment=true (it gets the test deployment's short retry loops and fault injection)",
      false,
    )
    .option("--messages <n>", "events to send", positiveInteger)
    .option("--json", "print the ledger as JSON on stdout", false)
    .action(
      async (
        slug: string,
        opts: {
          target: TargetName;
          endpoint?: string;
          outputsFile?: string;
          force: boolean;
          messages?: number;
          json: boolean;
        },
      ) => {
        if (opts.endpoint !== undefined && opts.target !== "localstack")
          throw new InvalidArgumentError(
            `--endpoint applies to --target localstack only, not ${opts.target}`,
          );
        if (opts.force && opts.target !== "aws")
          throw new InvalidArgumentError(`--force applies to --target aws only, not ${opts.target}`);
        const ledger = await runOnTarget(patternFor(slug), opts.target, {
          ...opts,
          faults: true,
          logs: join(REPO_ROOT, ".local-cloud", "logs"),
          progress: true,
        });
        print(ledger, opts.json);
        if (!ledger.ok) process.exitCode = 1;
      },
    );

  cli
    .command("diagram")
    .description(
      "print a Mermaid diagram of a pattern's synthesized stack (synthesizes when cdk.out is stale)",
    )
    .argument("<slug>", "pattern slug, e.g. sns-sqs-fanout")
    .option("--out <file>", "write the diagram to a file instead of stdout")
    .action(async (slug: string, opts: { out?: string }) => {
      const pattern = patternFor(slug);
      const cdkOut = join(REPO_ROOT, "cdk.out");
      await ensureSynthesized({
        stack: pattern.stack,
        cdkOut,
        mode: "auto",
        progress: (l) => console.error(l),
      });
      const diagram = mermaidDiagram(loadAssembly(cdkOut, pattern.stack).template);
      if (opts.out) writeFileSync(opts.out, `\`\`\`mermaid\n${diagram}\n\`\`\`\n`);
      else console.log(diagram);
    });
  return cli;
}

/**
 * Printed by `--serve`: fauxqs's queue URLs are AWS-shaped (`http://sqs.<region>.localhost:PORT/…`)
 * and the AWS SDK for JavaScript v3 uses a QueueUrl's host as its SQS endpoint. Inside the cloud's
 * Lambda environments `*.localhost` resolves to loopback (RFC 6761); outside it, glibc without
 * systemd-resolved does not resolve it (`getaddrinfo ENOTFOUND sqs.<region>.localhost`).
 */
export function queueUrlHostHint(region: string, sqsEndpoint: string): string {
  return [
    `Queue URLs name the host sqs.${region}.localhost, which the AWS SDK v3 uses as its SQS endpoint.`,
    "Code outside the local cloud on a system that does not resolve *.localhost (glibc without systemd-resolved)",
    `fails with ENOTFOUND: use new SQSClient({ useQueueUrlAsEndpoint: false }) with AWS_ENDPOINT_URL_SQS, or an explicit endpoint: "${sqsEndpoint}".`,
  ].join("\n");
}

/** `local <slug> --serve`: the stack on the embedded cloud until Ctrl-C, for the AWS CLI or your own code. */
async function serve(
  pattern: PatternEntry,
  opts: { faults: boolean; logs: string; json: boolean },
): Promise<void> {
  const cloud = await startLocal({
    stack: pattern.stack,
    environment: opts.faults ? pattern.faultEnvironment : {},
    logs: { dir: opts.logs },
    onProgress: (line) => console.error(line),
    ...patternLocalOptions(pattern),
  });
  const hint = queueUrlHostHint(cloud.region, cloud.endpoints.sqs);
  if (opts.json) {
    console.error(hint);
    console.log(
      JSON.stringify({ endpoints: cloud.endpoints, outputs: cloud.outputs, region: cloud.region }, null, 2),
    );
  } else {
    console.log(
      `\n${pattern.stack} is running locally (function output: ${opts.logs}). Point the AWS CLI or SDK here:\n`,
    );
    console.log(
      `export AWS_REGION=${cloud.region} AWS_DEFAULT_REGION=${cloud.region} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local`,
    );
    // One AWS_ENDPOINT_URL_<SERVICE> per endpoint of every service (SQS, SNS, DynamoDB, Lambda, …).
    for (const [name, url] of Object.entries(cloud.endpoints)) {
      console.log(`export AWS_ENDPOINT_URL_${name.toUpperCase().replaceAll("-", "_")}=${url}`);
    }
    console.log("");
    console.log(`${hint}\n`);
    for (const [name, value] of Object.entries(cloud.outputs)) console.log(`${name.padEnd(28)} ${value}`);
    console.log("\nCtrl-C stops it.");
  }
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await cloud.stop();
}

function print(ledger: Parameters<typeof formatLedger>[0], json: boolean): void {
  console.log(json ? JSON.stringify(ledger, null, 2) : formatLedger(ledger));
}

/** Runs the CLI; known errors print one line and exit 1. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    await program().parseAsync([...argv], { from: "user" });
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  await main(process.argv.slice(2));
