/**
 * `npm run cost -- [options]`: what a messaging workload costs on SNS + SQS + Lambda and on the
 * managed and self-hosted alternatives; `--stack` prices a synthesized stack; `--chart` draws cost
 * against throughput; `refresh-prices` rebuilds the price catalogue from the AWS Price List API.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { SingleBar } from "cli-progress";
import { Command, CommanderError } from "commander";
import { ALTERNATIVES, type Alternative, MESSAGING_IDS, selectAlternatives } from "./alternatives/index.ts";
import { chartData, renderChartSvg } from "./chart.ts";
import { CatalogueError, WorkloadError } from "./errors.ts";
import { estimateOne } from "./estimate.ts";
import { formatReport } from "./format.ts";
import { loadPrices, PRICES_DIR } from "./prices/catalogue.ts";
import { type FetchJson, RefreshError, refreshPrices, writeCatalogue } from "./refresh/refresh.ts";
import { DEFAULT_SERVICES } from "./refresh/selectors.ts";
import { loadStack, type Synth } from "./stack/load-stack.ts";
import { stackAlternatives } from "./stack/stack-kind.ts";
import {
  InputError,
  parseChoice,
  parseDurationHours,
  parseInteger,
  parseNumber,
  parseRate,
  parseSize,
} from "./units.ts";
import { resolveWorkload, type WorkloadInput } from "./workload.ts";

/** Where the CLI writes and what it may call; injected by tests. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  readonly fetchJson?: FetchJson;
  readonly synth?: Synth;
  readonly today?: () => string;
  readonly isTty?: boolean;
}

interface CostOptions {
  rate: string;
  size: string;
  fanOut: string;
  retention: string;
  alternatives?: string;
  stack?: string;
  match?: string;
  batchSize?: string;
  batchWindow?: string;
  memory?: string;
  msPerMessage?: string;
  arch?: string;
  idempotencyWrites?: string;
  publishBatch?: string;
  partitions?: string;
  consumerGroups?: string;
  retry?: string;
  dlq?: string;
  sagaSteps?: string;
  sagaRetries?: string;
  sagaCompensated?: string;
  inboundRatio?: string;
  replicationFactor?: string;
  diskFill?: string;
  crossAzClients?: string;
  followerFetching?: boolean;
  brokerRecovery?: string;
  freeTier?: boolean;
  opsHours?: string;
  opsRate?: string;
  reservedDiscount?: string;
  region: string;
  prices?: string;
  json?: boolean;
  details?: boolean;
  chart?: string;
  from: string;
  to: string;
}

/** Parses `--match 0.25` (every filtered subscriber) or `--match billing=0.25,shipping=0.5`. */
export function parseMatch(raw: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of raw
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, value] = part.includes("=") ? part.split("=", 2) : ["*", part];
    if (!name) throw new InputError(`--match: "${part}" needs a subscriber name before "="`);
    out[name.trim()] = parseNumber(value ?? "", `--match ${name}`, 0, 1);
  }
  if (Object.keys(out).length === 0)
    throw new InputError(`--match: "${raw}" is empty (e.g. 0.25 or billing=0.25,shipping=0.5)`);
  return out;
}

function optional<T>(raw: string | undefined, parse: (raw: string) => T): T | undefined {
  return raw === undefined ? undefined : parse(raw);
}

function workloadFrom(o: CostOptions): WorkloadInput {
  const input: Record<string, unknown> = {
    messagesPerSecond: parseRate(o.rate, "--rate"),
    payloadBytes: parseSize(o.size, "--size"),
    fanOut: parseInteger(o.fanOut, "--fan-out", 1, 1_000),
    retentionHours: parseDurationHours(o.retention, "--retention"),
    batchSize: optional(o.batchSize, (r) => parseInteger(r, "--batch-size", 1, 10_000)),
    batchWindowSeconds: optional(o.batchWindow, (r) => parseNumber(r, "--batch-window", 0, 300)),
    lambdaMemoryMb: optional(o.memory, (r) => parseInteger(r, "--memory", 128, 10_240)),
    lambdaMsPerMessage: optional(o.msPerMessage, (r) => parseNumber(r, "--ms-per-message", 0, 900_000)),
    lambdaArch: optional(o.arch, (r) =>
      parseChoice(r, "--arch", "a Lambda architecture", ["arm64", "x86_64"] as const),
    ),
    idempotencyWritesPerMessage: optional(o.idempotencyWrites, (r) =>
      parseNumber(r, "--idempotency-writes", 0, 100),
    ),
    publishBatchSize: optional(o.publishBatch, (r) => parseInteger(r, "--publish-batch", 1, 1_000)),
    partitions: optional(o.partitions, (r) => parseInteger(r, "--partitions", 1, 100_000)),
    consumerGroups: optional(o.consumerGroups, (r) => parseInteger(r, "--consumer-groups", 1, 1_000)),
    retryFraction: optional(o.retry, (r) => parseNumber(r, "--retry", 0, 10)),
    dlqFraction: optional(o.dlq, (r) => parseNumber(r, "--dlq", 0, 1)),
    sagaSteps: optional(o.sagaSteps, (r) => parseInteger(r, "--saga-steps", 1, 1_000)),
    sagaRetriesPerStep: optional(o.sagaRetries, (r) => parseNumber(r, "--saga-retries", 0, 10)),
    sagaCompensatedFraction: optional(o.sagaCompensated, (r) => parseNumber(r, "--saga-compensated", 0, 1)),
    bridgeInboundRatio: optional(o.inboundRatio, (r) => parseNumber(r, "--inbound-ratio", 0, 1_000)),
    replicationFactor: optional(o.replicationFactor, (r) => parseInteger(r, "--replication-factor", 1, 5)),
    diskFillTarget: optional(o.diskFill, (r) => parseNumber(r, "--disk-fill", 0.05, 1)),
    crossAzClientFraction: optional(o.crossAzClients, (r) => parseNumber(r, "--cross-az-clients", 0, 1)),
    followerFetching: o.followerFetching === true,
    brokerRecoveryHours: optional(o.brokerRecovery, (r) => parseDurationHours(r, "--broker-recovery")),
    freeTier: o.freeTier === true,
    opsHoursPerMonth: optional(o.opsHours, (r) => parseNumber(r, "--ops-hours", 0, 10_000)),
    opsHourlyRateUsd: optional(o.opsRate, (r) => parseNumber(r, "--ops-rate", 0, 10_000)),
    reservedDiscount: optional(o.reservedDiscount, (r) => parseNumber(r, "--reserved-discount", 0, 0.75)),
  };
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as WorkloadInput;
}

function alternativeIds(raw: string | undefined): string[] {
  if (raw === undefined) return [...MESSAGING_IDS];
  if (raw.trim() === "all") return ALTERNATIVES.map((a) => a.id);
  const ids = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0)
    throw new InputError(
      `--alternatives: "${raw}" names no alternative (allowed: all, ${ALTERNATIVES.map((a) => a.id).join(", ")})`,
    );
  return ids;
}

async function runCost(o: CostOptions, io: CliIo): Promise<number> {
  const w = resolveWorkload(workloadFrom(o));
  const prices = loadPrices(o.region, o.prices);
  let chosen: Alternative[] = selectAlternatives(alternativeIds(o.alternatives));
  if (o.match !== undefined && o.stack === undefined) {
    throw new InputError("--match: only applies with --stack (filter policies come from the template)");
  }
  if (o.stack !== undefined) {
    const model = loadStack(o.stack, { cwd: io.cwd, ...(io.synth ? { synth: io.synth } : {}) });
    const fromStack = stackAlternatives(model, {
      ...(o.match === undefined ? {} : { match: parseMatch(o.match) }),
      ...(o.idempotencyWrites === undefined ? {} : { writesPerMessage: w.idempotencyWritesPerMessage }),
    });
    // A saga stack compares with the saga options, not the messaging ones, unless --alternatives says otherwise.
    if (o.alternatives === undefined && fromStack.every((a) => a.category === "saga")) {
      chosen = selectAlternatives(["sfn-standard", "sfn-express"]);
    }
    chosen.unshift(...fromStack);
  }
  const estimates = chosen.map((alt) => estimateOne(alt, w, prices));
  let chart: { file: string; crossovers: unknown[] } | undefined;
  if (o.chart !== undefined) {
    if (!o.chart.endsWith(".svg")) throw new InputError(`--chart: "${o.chart}" must be an .svg file`);
    const from = parseRate(o.from, "--from");
    const to = parseRate(o.to, "--to");
    if (to <= from) throw new InputError(`--to: ${o.to} must be above --from ${o.from}`);
    io.stderr(`charting ${chosen.length} alternatives from ${o.from} to ${o.to}…`);
    const data = chartData({
      workload: w,
      prices,
      alternatives: chosen,
      fromMessagesPerSecond: from,
      toMessagesPerSecond: to,
    });
    writeFileSync(o.chart, await renderChartSvg(data));
    chart = { file: o.chart, crossovers: data.crossovers };
    io.stderr(`wrote ${o.chart}`);
  }
  if (o.json) {
    io.stdout(
      JSON.stringify(
        {
          workload: w,
          prices: { region: prices.region, generated: prices.generated },
          estimates,
          ...(chart ? { chart } : {}),
        },
        null,
        2,
      ),
    );
  } else {
    io.stdout(formatReport(estimates, w, o.details === true));
  }
  return 0;
}

async function runRefresh(
  o: { region: string; services?: string; out?: string; prices?: string },
  io: CliIo,
): Promise<number> {
  const file = o.out ?? join(PRICES_DIR, `${o.region}.json`);
  const existing = loadPrices(o.region, o.prices ?? file);
  const services = o.services
    ? o.services
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : DEFAULT_SERVICES;
  const fetchJson: FetchJson =
    io.fetchJson ??
    (async (url) => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
      return response.json();
    });
  const bar = io.isTty
    ? new SingleBar({ format: "refresh-prices [{bar}] {value}/{total} {service}" })
    : undefined;
  bar?.start(services.length, 0, { service: "" });
  let done = 0;
  try {
    const result = await refreshPrices({
      region: o.region,
      existing,
      fetchJson,
      services,
      today: (io.today ?? (() => new Date().toISOString().slice(0, 10)))(),
      onProgress: (message) => {
        if (bar) bar.update(done++, { service: message.split("/aws/")[1]?.split("/")[0] ?? "" });
        else io.stderr(message);
      },
    });
    bar?.update(services.length);
    bar?.stop();
    writeCatalogue(file, result.catalogue);
    io.stdout(
      `wrote ${file}: ${result.updated.length} prices from the Price List API, ${result.kept.length} kept`,
    );
    for (const u of result.updated) io.stdout(`  updated ${u}`);
    for (const k of result.kept) io.stdout(`  kept    ${k}`);
    return 0;
  } catch (error) {
    bar?.stop();
    if (error instanceof RefreshError) {
      io.stderr(`refresh-prices: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/** Builds the commander program (exposed for `--help` tests). */
export function program(io: CliIo, done: (code: Promise<number>) => void): Command {
  const cmd = new Command("cost");
  // Set before the subcommand is added: subcommands inherit these settings when created.
  cmd.exitOverride().configureOutput({
    writeOut: (s) => io.stdout(s.trimEnd()),
    writeErr: (s) => io.stderr(s.trimEnd()),
  });
  cmd
    .description(
      "Monthly cost of a messaging workload on SNS + SQS + Lambda and its managed and self-hosted alternatives (us-east-1, USD, 730 h month). Every line: billable unit, quantity, unit price, source and date.",
    )
    .option(
      "--rate <rate>",
      "published messages per second (before fan-out), or /min, /h, /day, /month (730 h); a bare number is per second",
      "100/s",
    )
    .option(
      "--size <size>",
      "payload per message with its unit: B, KB (1,000), KiB (1,024), MB, MiB; at most 1 MiB (the SQS maximum; SNS, EventBridge and Step Functions take at most 256 KiB, and their options warn above it). A unit is required: 1B is one byte",
      "1KB",
    )
    .option("--fan-out <n>", "subscribers (SQS queues, Pub/Sub subscriptions) receiving every message", "3")
    .option(
      "--retention <duration>",
      "how long the transport keeps messages (streams: retention; queue brokers: backlog they must hold): min, h, d, w",
      "24h",
    )
    .option(
      "--alternatives <ids>",
      `comma-separated ids, or "all" (default: every messaging option). Ids: ${ALTERNATIVES.map((a) => a.id).join(", ")}`,
    )
    .option(
      "--stack <StackName>",
      "price cdk.out/<StackName>.template.json (synthesized if missing) next to the alternatives; its subscribers replace --fan-out",
    )
    .option(
      "--match <fractions>",
      "with --stack: share of messages each filtered subscriber receives, e.g. 0.25 or billing=0.25,shipping=0.5 (default 1: upper bound)",
    )
    .option(
      "--batch-size <n>",
      "event source mapping batch size: messages per Lambda invocation (default 10)",
    )
    .option(
      "--batch-window <seconds>",
      "event source mapping batching window in seconds (default 1; 0 is modelled as 1: the next poll returns what arrived meanwhile)",
    )
    .option("--memory <MB>", "consumer Lambda memory in MB, 128-10240 (default 256)")
    .option(
      "--ms-per-message <ms>",
      "consumer Lambda billed milliseconds per message, the handler's own work (default 5)",
    )
    .option("--arch <arch>", "consumer Lambda architecture: arm64 or x86_64 (default arm64)")
    .option(
      "--idempotency-writes <n>",
      "DynamoDB writes per processed message on every option (default 0; 2 for Powertools idempotency: in-progress + completed)",
    )
    .option(
      "--publish-batch <n>",
      "messages per publish call, 1-1000 (default 1): Pub/Sub publishes up to 1,000 per request; SNS PublishBatch takes at most 10, so larger values are sent to SNS as several calls of 10",
    )
    .option(
      "--partitions <n>",
      "Kafka topic partitions: MSK Serverless partition-hours and partition replicas per broker (default 12)",
    )
    .option(
      "--consumer-groups <n>",
      "stream consumer groups (Kafka, Kinesis), each reading every message (default: --fan-out)",
    )
    .option(
      "--retry <fraction>",
      "share of deliveries that fail once and are processed again, 0-10 (default 0)",
    )
    .option("--dlq <fraction>", "share of deliveries that end in a dead-letter queue, 0-1 (default 0)")
    .option("--saga-steps <n>", "task states per saga for sfn-standard / sfn-express (default 4)")
    .option(
      "--saga-retries <n>",
      "retries per saga step, 0-10: each is one more billed transition and Lambda invocation (default 0.05)",
    )
    .option(
      "--saga-compensated <fraction>",
      "with --stack on a saga: share of sagas refused at a business step that run their compensations, 0-1 (default 0.05)",
    )
    .option(
      "--inbound-ratio <n>",
      "with --stack on the SNS ↔ Pub/Sub bridge: Google → AWS messages per AWS → Google message (--rate), 0-1000 (default 1)",
    )
    .option(
      "--replication-factor <n>",
      "copies of every message on Kafka, RabbitMQ quorum queues, NATS and Redis replicas, 1-5 (default 3, one per AZ)",
    )
    .option(
      "--disk-fill <fraction>",
      "target fill of broker disks: storage = RF × retention × ingest ÷ fill, 0.05-1. 0.5 keeps half free for growth, reassignment and a lost broker's replicas; 1 sizes with no headroom, as many published teardowns do (default 0.5)",
    )
    .option(
      "--cross-az-clients <fraction>",
      "share of client traffic (produce and consume) crossing AZs, billed $0.01/GB each way, 0-1. Clients spread over 3 AZs reach a leader elsewhere 2/3 of the time; 0 when clients sit in their leader's AZ (default 0.667)",
    )
    .option(
      "--follower-fetching",
      "Kafka consumers read from a replica in their own AZ (KIP-392 rack-aware clients: client.rack + RackAwareReplicaSelector): consumer traffic stops crossing AZs, produce still does",
    )
    .option(
      "--broker-recovery <duration>",
      "Kafka sizing: a replaced broker must re-replicate its data within this time at 80 % of its baseline bandwidth, which caps storage per broker: min, h, d (default 24h)",
    )
    .option(
      "--free-tier",
      "apply AWS always-free tiers (default off: they are per account, shared with everything else)",
    )
    .option(
      "--ops-hours <hours>",
      "ops labour for self-hosted options, hours per month (default 0: set it, it is never hidden)",
    )
    .option("--ops-rate <usd>", "ops labour hourly rate in USD (default 0)")
    .option(
      "--reserved-discount <fraction>",
      "EC2 reserved-instance / savings-plan discount on instance-hours, 0-0.75 (default 0: on-demand)",
    )
    .option("--region <region>", "price catalogue region", "us-east-1")
    .option("--prices <file>", "price catalogue file (default tools/cost/prices/<region>.json)")
    .option("--json", "print JSON (workload, every line item, assumptions)")
    .option("--details", "print every line item, not only the three largest")
    .option("--chart <file.svg>", "also draw monthly cost against throughput (log-log) to this SVG")
    .option("--from <rate>", "chart range start", "10/s")
    .option("--to <rate>", "chart range end", "10000/s")
    .action((o: CostOptions) => done(runCost(o, io)));
  cmd
    .command("refresh-prices")
    .description(
      "Rebuild tools/cost/prices/<region>.json from the AWS Price List API bulk offer files. On any network or format failure nothing is written.",
    )
    .option("--region <region>", "region of the offer files", "us-east-1")
    .option(
      "--services <codes>",
      `service codes to refresh (default: ${DEFAULT_SERVICES.join(",")}; AmazonEC2 is several GB, opt in)`,
    )
    .option("--out <file>", "catalogue to write (default tools/cost/prices/<region>.json)")
    .option("--prices <file>", "catalogue to start from (default: --out)")
    .action((o: { region: string; services?: string; out?: string; prices?: string }) =>
      done(runRefresh(o, io)),
    );
  return cmd;
}

/** Runs the CLI; returns the exit code. Bad input prints one line naming the input and exits 1. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let pending: Promise<number> | undefined;
  try {
    await program(io, (p) => {
      pending = p;
    }).parseAsync([...argv], { from: "user" });
    return await (pending ?? Promise.resolve(0));
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    if (
      error instanceof InputError ||
      error instanceof WorkloadError ||
      error instanceof CatalogueError ||
      error instanceof RefreshError
    ) {
      io.stderr(`cost: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const code = await main(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(`${t}\n`),
    stderr: (t) => process.stderr.write(`${t}\n`),
    cwd: process.cwd(),
    isTty: process.stderr.isTTY === true,
  });
  process.exitCode = code;
}
