/**
 * The mover sends before it deletes: a redrive killed with SIGKILL (no handler runs) loses nothing. The only
 * messages that can be in both queues are the ones it had in hand at the kill (at most concurrency × 10);
 * they stay in flight in the DLQ until their visibility timeout.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../helpers/wait.ts";
import { type Emulator, startEmulator } from "./fauxqs.ts";

const root = join(import.meta.dirname, "..", "..", "..");
const N = 2000;
const IN_HAND = 4 * 10; // --concurrency 4 receive loops of at most 10 messages

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.stop();
});

describe("SIGKILL in the middle of a redrive", () => {
  it("loses nothing, and only the messages in hand at the kill can be in both queues", async () => {
    const { source, dlq } = await emu.pair();
    await emu.sendAll(
      dlq.url,
      Array.from({ length: N }, (_, i) => ({ MessageBody: `job-${i}` })),
    );
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(root, "tools", "redrive", "main.ts"),
        "--from",
        dlq.url,
        "--endpoint-url",
        emu.endpoint,
        "--rate",
        "500",
        "--concurrency",
        "4",
        "--json",
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_, signal) => resolve(signal)),
    );
    try {
      await waitFor(async () => (await emu.depth(source.url)).visible >= 300, {
        timeoutMs: 60_000,
        description: "300 messages moved",
      });
    } finally {
      child.kill("SIGKILL");
    }
    expect(await exited).toBe("SIGKILL");

    const inSource = (await emu.drain(source.url)).map((m) => m.Body ?? "");
    expect(new Set(inSource).size).toBe(inSource.length); // no message twice in the destination
    expect(inSource.length).toBeLessThan(N); // killed midway
    const dlqDepth = await emu.depth(dlq.url);
    expect(dlqDepth.inFlight).toBeLessThanOrEqual(IN_HAND);
    const visibleInDlq = (await emu.drain(dlq.url)).map((m) => m.Body ?? "");
    const moved = new Set(inSource);
    expect(visibleInDlq.filter((body) => moved.has(body))).toEqual([]); // visible ones were never sent
    // Every message is somewhere: moved, visible in the DLQ, or in flight there (in hand at the kill).
    const accounted = inSource.length + visibleInDlq.length + dlqDepth.inFlight;
    expect(accounted).toBeGreaterThanOrEqual(N);
    expect(accounted - N).toBeLessThanOrEqual(IN_HAND); // sent but not yet deleted: in both, at most in hand
  });
});
