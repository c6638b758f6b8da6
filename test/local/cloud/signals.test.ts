import { type ChildProcess, spawn } from "node:child_process";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../helpers/wait.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/**
 * What `timeout`, CI runners and supervisors do: signal the npm process only (not its process
 * group). Everything `npm run …` started must stop, and its ports must close.
 */
interface Started {
  readonly npm: ChildProcess;
  /** stdout and stderr. */
  readonly output: () => string;
  readonly stdout: () => string;
}

const groups: number[] = [];
afterEach(() => {
  for (const pgid of groups.splice(0)) if (groupAlive(pgid)) process.kill(-pgid, "SIGKILL");
});

function startNpm(args: readonly string[]): Started {
  // A process group of its own, so the test can see whether anything of it is left.
  const npm = spawn("npm", ["run", ...args], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (npm.pid) groups.push(npm.pid);
  let output = "";
  let stdout = "";
  npm.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    stdout += chunk.toString();
  });
  npm.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return { npm, output: () => output, stdout: () => stdout };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function signalAndCheck(
  started: Started,
  signal: NodeJS.Signals,
  ports: readonly number[],
): Promise<void> {
  const pgid = started.npm.pid as number;
  started.npm.kill(signal);
  await waitFor(() => !groupAlive(pgid), {
    timeoutMs: 20_000,
    description: `every process of \`npm run\` to stop after ${signal}`,
  });
  for (const port of ports) expect(await portOpen(port), `port ${port} after ${signal}`).toBe(false);
}

describe("signals to npm run", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`npm run kafka: ${signal} to npm leaves no process and no open port`, async () => {
      const started = startNpm(["kafka", "--", "--port", "0"]);
      const match = await waitFor(
        () => /listening on 127\.0\.0\.1:(\d+)/.exec(started.output()) ?? undefined,
        {
          timeoutMs: 60_000,
          description: "the broker's address",
        },
      );
      const port = Number(match[1]);
      expect(await portOpen(port)).toBe(true);
      await signalAndCheck(started, signal, [port]);
    }, 90_000);
  }

  it("npm run local -- --serve: SIGTERM to npm leaves no process and no open port", async () => {
    const started = startNpm(["local", "--", "sns-sqs-fanout", "--serve", "--json"]);
    const served = await waitFor(
      () => {
        const json = /^\{\n[\s\S]*\n\}$/m.exec(started.stdout());
        return json ? (JSON.parse(json[0]) as { endpoints: Record<string, string> }) : undefined;
      },
      { timeoutMs: 180_000, description: "the served stack's endpoints" },
    );
    const ports = Object.values(served.endpoints).map((url) => Number(new URL(url).port));
    await signalAndCheck(started, "SIGTERM", ports);
  }, 240_000);

  it("npm start: SIGTERM to npm during the scenario leaves no process", async () => {
    const started = startNpm(["start"]);
    await waitFor(() => started.output().includes("local cloud up") || started.output().includes("sent"), {
      timeoutMs: 180_000,
      description: "the scenario to start",
    });
    await signalAndCheck(started, "SIGTERM", []);
  }, 240_000);
});
