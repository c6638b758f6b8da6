import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { EXIT, runCli } from "../../../tools/local/kafka/cli.ts";
import type { KafkaBroker } from "../../../tools/local/kafka/index.ts";
import { waitFor } from "../../helpers/wait.ts";
import { kafkajs } from "./clients.ts";

function capture() {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    stdout: { write: (t: string) => (out.stdout += t) },
    stderr: { write: (t: string) => (out.stderr += t) },
  };
}

describe("npm run kafka", () => {
  it("prints help and exits 0", async () => {
    const io = capture();
    expect(await runCli(["--help"], { ...io, signal: new AbortController().signal })).toBe(EXIT.ok);
    expect(io.out.stdout).toContain("--no-auto-create");
  });

  it("rejects bad input with one line naming the option and what is allowed", async () => {
    const io = capture();
    expect(await runCli(["--partitions", "0"], { ...io, signal: new AbortController().signal })).toBe(
      EXIT.badInput,
    );
    expect(io.out.stderr.trim().split("\n")).toHaveLength(1);
    expect(io.out.stderr).toMatch(/--partitions.*allowed is a partition count/);
  });

  it("serves clients until stopped, with the options given", async () => {
    const io = capture();
    const controller = new AbortController();
    let broker: KafkaBroker | undefined;
    const done = runCli(["--port", "0", "--partitions", "4", "--json"], {
      ...io,
      signal: controller.signal,
      onStarted: (b) => {
        broker = b;
      },
    });
    await waitFor(() => broker, { description: "broker started" });
    const printed = JSON.parse(io.out.stdout) as { brokers: string[] };
    expect(printed.brokers).toEqual(broker?.brokers);
    const producer = kafkajs(printed.brokers).producer();
    await producer.connect();
    await producer.send({ topic: "cli-topic", messages: [{ value: "x" }] });
    await producer.disconnect();
    expect(broker?.topics().find((t) => t.name === "cli-topic")?.partitions).toHaveLength(4);

    const second = capture();
    const port = String(broker?.port);
    expect(await runCli(["--port", port], { ...second, signal: new AbortController().signal })).toBe(
      EXIT.failed,
    );
    expect(second.out.stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+/);

    controller.abort();
    expect(await done).toBe(EXIT.ok);
  });

  it("stops cleanly on Ctrl-C (SIGINT) when run as a program", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "tools/local/kafka/cli.ts", "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    await waitFor(() => /listening on 127\.0\.0\.1:\d+/.test(stdout), {
      timeoutMs: 20_000,
      description: "banner",
    });
    child.kill("SIGINT");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    expect(stdout).toContain("Kafka broker stopped.");
  });
});
