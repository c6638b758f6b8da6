import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { RedriveInputError } from "../../functions/shared/redrive/errors.ts";
import { parseQueueRef } from "../../functions/shared/redrive/queues.ts";
import { type RedriveClients, redrive } from "../../functions/shared/redrive/redrive.ts";
import { progressView, summaryText } from "./report.ts";

/** Where the CLI writes, and how it gets its clients (tests inject both). */
export interface CliIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  /** @default SDK clients from the environment (AWS_REGION, AWS_ENDPOINT_URL_SQS, credentials chain) */
  readonly clients?: (region: string | undefined, endpointUrl: string | undefined) => RedriveClients;
  readonly signal?: AbortSignal;
}

/** Exit codes: 0 done, 1 some messages stayed or a call failed, 2 bad input (nothing moved), 130 cancelled. */
export const EXIT = { ok: 0, incomplete: 1, badInput: 2, cancelled: 130 } as const;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("allowed is a positive integer");
  return n;
}

function rate(value: string): number {
  const n = Number(value.replace(/\s*\/\s*s$/, ""));
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError("allowed is messages per second > 0, e.g. 200 or 200/s");
  return n;
}

function defaultClients(region: string | undefined, endpointUrl: string | undefined): RedriveClients {
  const local =
    endpointUrl !== undefined && /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(endpointUrl);
  const credentials =
    local && !process.env.AWS_ACCESS_KEY_ID ? { accessKeyId: "test", secretAccessKey: "test" } : undefined;
  const config = {
    region: region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
    ...(endpointUrl ? { endpoint: endpointUrl } : {}),
    ...(credentials ? { credentials } : {}),
  };
  // Every call to the configured endpoint, not to the host in a queue URL (local endpoints list URLs whose
  // host may not resolve; on AWS both are the same).
  return { sqs: new SQSClient({ ...config, useQueueUrlAsEndpoint: false }), sns: new SNSClient(config) };
}

/**
 * `npm run redrive -- --from <dlq url|arn> [--to <queue url|arn>] [--max N] [--rate N/s] [--dry-run]
 * [--filter EXPR]... [--json]`. Progress goes to stderr (a bar on a terminal, plain lines otherwise), the
 * summary to stdout (JSON with `--json`). Ctrl-C stops cleanly: the mover finishes the batch in hand, a move
 * task is cancelled. Returns the exit code.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command()
    .name("redrive")
    .description(
      "Move messages from an SQS dead-letter queue back to their source queue (or --to another queue). " +
        "Uses SQS's StartMessageMoveTask when the DLQ belongs to SQS queues and the endpoint supports it; " +
        "otherwise receives, re-sends (body, attributes, FIFO group and deduplication ids, redrive-count + 1) " +
        "and only then deletes each message. Exit codes: 0 done, 1 some messages stayed, 2 bad input " +
        "(nothing moved), 130 cancelled.",
    )
    .requiredOption("--from <queue>", "the DLQ: queue URL or ARN")
    .option("--to <queue>", "destination queue URL or ARN (default: the DLQ's source queue)")
    .option("--max <n>", "move at most N messages", positiveInt)
    .option("--rate <n/s>", "at most N messages per second", rate)
    .option("--dry-run", "count what would move; move nothing", false)
    .option(
      "--filter <expr>",
      "only messages matching attr:NAME, attr:NAME=VALUE, body:TEXT or body:/REGEX/ (repeatable; all must match)",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .addOption(
      new Option("--strategy <strategy>", "force SQS's move task or the own mover")
        .choices(["auto", "move-task", "mover"])
        .default("auto"),
    )
    .option("--concurrency <n>", "parallel receive loops of the own mover", positiveInt, 4)
    .option("--endpoint-url <url>", "SQS/SNS endpoint (default: AWS_ENDPOINT_URL_SQS or AWS)")
    .option("--region <region>", "AWS region (default: from the ARN/URL, else AWS_REGION)")
    .option("--json", "print the summary as JSON on stdout", false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  let opts: {
    from: string;
    to?: string;
    max?: number;
    rate?: number;
    dryRun: boolean;
    filter: string[];
    strategy: "auto" | "move-task" | "mover";
    concurrency: number;
    endpointUrl?: string;
    region?: string;
    json: boolean;
  };
  try {
    program.parse([...argv], { from: "user" });
    opts = program.opts();
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === "commander.helpDisplayed" || error.code === "commander.version"
        ? EXIT.ok
        : EXIT.badInput;
    }
    throw error;
  }
  const view = progressView(io.stderr, { quiet: opts.json && !io.stderr.isTTY });
  try {
    const region = opts.region ?? parseQueueRef("--from", opts.from).region;
    const clients = (io.clients ?? defaultClients)(region, opts.endpointUrl);
    const summary = await redrive(clients, {
      from: opts.from,
      ...(opts.to !== undefined ? { to: opts.to } : {}),
      ...(opts.max !== undefined ? { max: opts.max } : {}),
      ...(opts.rate !== undefined ? { ratePerSecond: opts.rate } : {}),
      dryRun: opts.dryRun,
      filters: opts.filter,
      strategy: opts.strategy,
      concurrency: opts.concurrency,
      holder: `redrive-cli pid ${process.pid}`,
      ...(io.signal ? { signal: io.signal } : {}),
      onProgress: (p) => view.update(p),
    });
    view.stop();
    io.stdout.write(opts.json ? `${JSON.stringify(summary, null, 2)}\n` : `${summaryText(summary)}\n`);
    if (summary.cancelled) return EXIT.cancelled;
    if (summary.error || summary.failed > 0 || summary.deleteFailed > 0) return EXIT.incomplete;
    if (summary.deferred > 0) return EXIT.incomplete;
    // Moved, failed again and back in the DLQ while the run lasted: the cause is not fixed.
    if (summary.skippedBy.alreadyMoved > 0) return EXIT.incomplete;
    if (summary.matched === 0 && opts.filter.length > 0) {
      io.stderr.write(
        `redrive: nothing to do: no message matched --filter ${opts.filter.join(" --filter ")}\n`,
      );
      return EXIT.badInput;
    }
    return EXIT.ok;
  } catch (error) {
    view.stop();
    if (error instanceof RedriveInputError) {
      io.stderr.write(`redrive: ${error.message}\n`);
      return EXIT.badInput;
    }
    io.stderr.write(`redrive: ${(error as Error).message}\n`);
    return EXIT.incomplete;
  }
}
