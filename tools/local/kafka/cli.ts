/**
 * `npm run kafka -- [--port 9092] [--partitions N] [--no-auto-create] [--json] …`: runs the local
 * Kafka-protocol broker standalone so any client (kcat, kafkajs, a JVM app, …) can be pointed at it.
 * Prints the bootstrap address (JSON with `--json`) and runs until Ctrl-C (SIGINT) or SIGTERM.
 */
import { pathToFileURL } from "node:url";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { type KafkaBroker, startKafka } from "./broker.ts";

export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Aborting stops the broker and ends the command. */
  readonly signal: AbortSignal;
  /** Called once the broker is listening (tests use it). */
  readonly onStarted?: (broker: KafkaBroker) => void;
}

/** Exit codes: 0 stopped cleanly, 1 could not start (e.g. port in use), 2 bad input. */
export const EXIT = { ok: 0, failed: 1, badInput: 2 } as const;

const integer =
  (min: number, max: number, what: string) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`allowed is ${what} (an integer from ${min} to ${max})`);
    }
    return n;
  };

interface Options {
  port: number;
  host: string;
  partitions: number;
  autoCreate: boolean;
  retentionMessages?: number;
  retentionBytes?: number;
  initialRebalanceDelayMs: number;
  requireSasl: boolean;
  json: boolean;
  verbose: boolean;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command()
    .name("kafka")
    .description(
      "Run the local single-node, in-memory Kafka-protocol broker (kafkajs, kcat/librdkafka and other clients " +
        "connect over TCP). Data lives in memory and is gone when it stops. Ctrl-C stops it.",
    )
    .option("--port <port>", "TCP port (0 picks a free one)", integer(0, 65535, "a TCP port"), 9092)
    .option("--host <address>", "address to listen on and advertise", "127.0.0.1")
    .option(
      "--partitions <n>",
      "partitions of auto-created topics",
      integer(1, 10_000, "a partition count"),
      1,
    )
    .option("--no-auto-create", "refuse topics that were not created (auto.create.topics.enable=false)")
    .option(
      "--retention-messages <n>",
      "keep about N records per partition",
      integer(1, 2 ** 40, "a record count"),
    )
    .option("--retention-bytes <n>", "keep about N bytes per partition", integer(1, 2 ** 50, "a byte count"))
    .option(
      "--initial-rebalance-delay-ms <ms>",
      "wait this long before the first rebalance of a new consumer group (group.initial.rebalance.delay.ms)",
      integer(0, 300_000, "milliseconds"),
      3_000,
    )
    .addOption(new Option("--require-sasl", "refuse clients that do not authenticate (PLAIN or OAUTHBEARER)"))
    .option("--json", "print the bootstrap address as JSON", false)
    .option("--verbose", "log closed connections and unsupported requests to stderr", false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  let opts: Options;
  try {
    program.parse([...argv], { from: "user" });
    opts = program.opts<Options>();
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === "commander.helpDisplayed" || error.code === "commander.version"
        ? EXIT.ok
        : EXIT.badInput;
    }
    throw error;
  }

  let broker: KafkaBroker;
  try {
    broker = await startKafka({
      port: opts.port,
      host: opts.host,
      defaultPartitions: opts.partitions,
      autoCreateTopics: opts.autoCreate,
      retentionMessages: opts.retentionMessages,
      retentionBytes: opts.retentionBytes,
      requireSasl: opts.requireSasl ?? false,
      groups: { initialRebalanceDelayMs: opts.initialRebalanceDelayMs },
      log: opts.verbose ? (line) => io.stderr.write(`kafka: ${line}\n`) : undefined,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`kafka: cannot listen on ${opts.host}:${opts.port}: ${message}\n`);
    return EXIT.failed;
  }
  const bootstrap = broker.brokers[0] as string;
  if (opts.json) {
    io.stdout.write(`${JSON.stringify({ brokers: broker.brokers, host: broker.host, port: broker.port })}\n`);
  } else {
    io.stdout.write(`Kafka broker listening on ${bootstrap}\n`);
    io.stdout.write(`  kcat:    kcat -b ${bootstrap} -L\n`);
    io.stdout.write(`  kafkajs: new Kafka({ brokers: ["${bootstrap}"] })\n`);
    io.stdout.write("Press Ctrl-C to stop.\n");
  }
  io.onStarted?.(broker);
  if (!io.signal.aborted) {
    await new Promise<void>((resolve) =>
      io.signal.addEventListener("abort", () => resolve(), { once: true }),
    );
  }
  await broker.stop();
  if (!opts.json) io.stdout.write("Kafka broker stopped.\n");
  return EXIT.ok;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  process.once("SIGTERM", () => controller.abort());
  const code = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    signal: controller.signal,
  });
  process.exit(code);
}
