import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../../tools/redrive/cli.ts";
import { attachConsumer, clientFor, fakeDepth } from "./consumers.ts";
import { type Emulator, startEmulator } from "./fauxqs.ts";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.stop();
});

function capture() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  return {
    stream: Object.assign(stream, { isTTY: false }) as unknown as NodeJS.WriteStream,
    text: () => text,
  };
}

async function cli(...argv: string[]) {
  return cliWith(undefined, ...argv);
}

async function cliWith(sqs: import("@aws-sdk/client-sqs").SQSClient | undefined, ...argv: string[]) {
  const stdout = capture();
  const stderr = capture();
  const code = await runCli(argv, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    ...(sqs ? { clients: () => ({ sqs }) } : {}),
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe("npm run redrive", () => {
  it("redrives with --json and exits 0", async () => {
    const { source, dlq } = await emu.pair();
    await emu.sendAll(
      dlq.url,
      Array.from({ length: 12 }, (_, i) => ({ MessageBody: `job-${i}` })),
    );
    const out = await cli("--from", dlq.url, "--endpoint-url", emu.endpoint, "--json");
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ strategy: "mover", moved: 12, to: source.url, failed: 0 });
    expect((await emu.depth(source.url)).visible).toBe(12);
  });

  it("--json says what was skipped and why, and exits 1 when moved messages came back to the DLQ", async () => {
    const { source, dlq } = await emu.pair();
    await emu.sendAll(dlq.url, [
      { MessageBody: "poison-1", MessageAttributes: { kind: { DataType: "String", StringValue: "x" } } },
      { MessageBody: "good-1", MessageAttributes: { kind: { DataType: "String", StringValue: "x" } } },
      { MessageBody: "other" },
    ]);
    const sqs = clientFor(emu.endpoint);
    const consumer = attachConsumer(sqs, {
      endpoint: emu.endpoint,
      sourceUrl: source.url,
      dlqUrl: dlq.url,
      isPoison: (m) => (m.Body ?? "").startsWith("poison"),
      path: "dlq-sender",
    });
    // An approximate depth above the real 3 leaves the run room to meet the poison again.
    fakeDepth(sqs, dlq.url, { visible: 10, inFlight: 0 });
    try {
      const out = await cliWith(
        sqs,
        "--from",
        dlq.url,
        "--filter",
        "attr:kind",
        "--concurrency",
        "1",
        "--json",
      );
      expect(out.code).toBe(1);
      const summary = JSON.parse(out.stdout);
      expect(summary).toMatchObject({
        moved: 2,
        skipped: 2,
        skippedBy: { filter: 1, alreadyMoved: 1 },
        plannedDepth: 10,
        stopReason: "drained",
      });
      expect(summary.skips.map((k: { reason: string }) => k.reason)).toEqual([
        expect.stringMatching(/^moved by this run and back in the DLQ/),
        "did not match --filter",
      ]);
    } finally {
      consumer.stop();
      sqs.destroy();
    }
  });

  it("prints a human summary without --json", async () => {
    const { dlq } = await emu.pair();
    await emu.sendAll(dlq.url, [{ MessageBody: "a" }, { MessageBody: "b" }]);
    const out = await cli("--from", dlq.url, "--endpoint-url", emu.endpoint, "--dry-run");
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(
      /^dry run: would move 2 message\(s\) from .*dlq\d+ to .*work\d+ via own mover/,
    );
  });

  it("exits 2 when --filter matches nothing, leaving the DLQ as it was", async () => {
    const { source, dlq } = await emu.pair();
    await emu.sendAll(dlq.url, [{ MessageBody: "a" }, { MessageBody: "b" }]);
    const out = await cli("--from", dlq.url, "--endpoint-url", emu.endpoint, "--filter", "body:zzz");
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^redrive: nothing to do: no message matched --filter body:zzz$/m);
    expect((await emu.depth(dlq.url)).visible).toBe(2);
    expect((await emu.depth(source.url)).visible).toBe(0);
  });

  it.each([
    [["--from", "not-a-queue"], /^redrive: --from "not-a-queue" is not an SQS queue URL/],
    [["--from", "arn:aws:sqs:us-east-1:000000000000:missing"], /^redrive: --from: unknown queue/],
    [["--from", "arn:aws:sqs:us-east-1:000000000000:x", "--max", "0"], /--max.*positive integer/],
    [["--from", "arn:aws:sqs:us-east-1:000000000000:x", "--rate", "fast"], /--rate.*messages per second/],
    [["--to", "arn:aws:sqs:us-east-1:000000000000:x"], /required option '--from <queue>'/],
  ])("bad input %j: one line on stderr, exit 2", async (argv, message) => {
    const out = await cli(...argv, "--endpoint-url", emu.endpoint);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("--help exits 0 and lists every option", async () => {
    const out = await cli("--help");
    expect(out.code).toBe(0);
    for (const flag of ["--from", "--to", "--max", "--rate", "--dry-run", "--filter", "--json"]) {
      expect(out.stdout).toContain(flag);
    }
  });
});
