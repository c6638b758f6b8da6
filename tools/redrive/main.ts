#!/usr/bin/env node
/**
 * Entry point of `npm run redrive`: wires process streams and Ctrl-C to {@link runCli}. The first Ctrl-C
 * stops cleanly (the mover finishes its batch in hand; a move task is cancelled); a second one exits at once.
 */
import { runCli } from "./cli.ts";

const controller = new AbortController();
process.on("SIGINT", () => {
  if (controller.signal.aborted) process.exit(130);
  process.stderr.write("\nredrive: stopping (Ctrl-C again to quit at once)…\n");
  controller.abort();
});
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
});
