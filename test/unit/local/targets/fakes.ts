/**
 * Fakes for the deployed targets: a stub LocalStack health endpoint, and fake `cdklocal`, `cdk` and
 * `docker` programs that record their arguments, working directory and environment (one JSON line
 * per call) and do what the target relies on (write the outputs file and a cloud assembly).
 */
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const REPO = join(import.meta.dirname, "..", "..", "..", "..");
/** aws-cdk-local 3.0.4's own environment handling, which the fake cdklocal applies like the real one. */
const CDKLOCAL_ENV = join(REPO, "node_modules", "aws-cdk-local", "src", "index.js");

/** One recorded call of a fake program. */
export interface Call {
  readonly program: string;
  readonly args: string[];
  readonly cwd: string;
  /** The environment the program saw (for cdklocal: after its own `configureEnvironment`). */
  readonly env: Record<string, string>;
}

/** The JavaScript of a fake program. `cdklocal` first runs the real aws-cdk-local environment check. */
function fakeProgram(name: string, callsFile: string): string {
  return `#!${process.execPath}
const fs = require("node:fs");
const path = require("node:path");
const args = process.argv.slice(2);
const env = { ...process.env };
${name === "cdklocal" ? `require(${JSON.stringify(CDKLOCAL_ENV)}).configureEnvironment(env, process.env.AWS_ENVAR_ALLOWLIST || "");` : ""}
fs.appendFileSync(${JSON.stringify(callsFile)}, JSON.stringify({ program: ${JSON.stringify(name)}, args, cwd: process.cwd(), env }) + "\\n");
const option = (flag) => { const i = args.indexOf(flag); return i >= 0 ? args[i + 1] : undefined; };
if (${JSON.stringify(name)} === "docker") {
  if (args[0] === "info") process.exit(env.FAKE_DOCKER_ENGINE === "down" ? 1 : 0);
  if (args[0] === "compose") { fs.writeFileSync(env.FAKE_COMPOSE_MARKER, "up"); process.exit(0); }
  process.exit(2);
}
// Like the CDK CLI: the cloud assembly goes to --output, else ./cdk.out.
const out = path.resolve(option("--output") || "cdk.out");
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, "Fake.template.json"), JSON.stringify({ args }));
if (args[0] === "deploy") {
  const stack = args[1];
  fs.writeFileSync(option("--outputs-file"), JSON.stringify({ [stack]: JSON.parse(env.FAKE_OUTPUTS || "{}") }));
}
if (env.FAKE_FAIL === args[0]) { console.error(args[0] + " went wrong"); process.exit(3); }
`;
}

/** A temporary repository root with a `cdk.out`, fake programs and their call log. */
export interface FakeWorld {
  readonly root: string;
  readonly bin: string;
  readonly composeMarker: string;
  readonly commands: { cdk: string; cdklocal: string; docker: string };
  calls(): Call[];
  /** A hash of every file under `<root>/cdk.out` (paths and contents). */
  cdkOutHash(): string;
  dispose(): void;
}

export function fakeWorld(): FakeWorld {
  const root = mkdtempSync(join(tmpdir(), "targets-"));
  const bin = join(root, "bin");
  mkdirSync(bin);
  const callsFile = join(root, "calls.jsonl");
  for (const name of ["cdk", "cdklocal", "docker"]) {
    writeFileSync(join(bin, name), fakeProgram(name, callsFile));
    chmodSync(join(bin, name), 0o755);
  }
  // The embedded cloud's cloud assembly, which no deployed target may touch.
  mkdirSync(join(root, "cdk.out", "asset.abc"), { recursive: true });
  writeFileSync(join(root, "cdk.out", "SnsSqsFanoutStack.template.json"), '{"Resources":{}}');
  writeFileSync(join(root, "cdk.out", "asset.abc", "index.mjs"), "export const handler = () => {};");
  writeFileSync(join(root, "docker-compose.yml"), "services: {}\n");
  const composeMarker = join(root, "compose-up");
  return {
    root,
    bin,
    composeMarker,
    commands: { cdk: join(bin, "cdk"), cdklocal: join(bin, "cdklocal"), docker: "docker" },
    calls: () =>
      existsSync(callsFile)
        ? readFileSync(callsFile, "utf8")
            .trim()
            .split("\n")
            .map((line) => JSON.parse(line) as Call)
        : [],
    cdkOutHash: () => {
      const hash = createHash("sha256");
      const visit = (path: string) => {
        if (statSync(path).isDirectory())
          for (const entry of readdirSync(path).sort()) visit(join(path, entry));
        else hash.update(relative(root, path)).update(readFileSync(path));
      };
      visit(join(root, "cdk.out"));
      return hash.digest("hex");
    },
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** How the stub health endpoint behaves. */
export type HealthMode =
  /** answers like LocalStack 4.14.0 with every service available */
  | "answers"
  /** accepts the connection and closes it at once (nothing listening behind a proxy) */
  | "refuses"
  /** accepts and never answers */
  | "slow"
  /** answers HTTP 404 (something else on the port) */
  | "not-localstack"
  /** refuses until `marker` exists (what `docker compose up` creates), then answers */
  | { readonly untilMarker: string }
  /** answers with these service states */
  | { readonly services: Record<string, string> };

/** A stub `/_localstack/health` on 127.0.0.1, port 0. */
export async function stubHealth(
  mode: HealthMode,
): Promise<{ endpoint: string; requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  const healthy = (services: Record<string, string> = {}) =>
    JSON.stringify({
      services: { cloudformation: "available", sqs: "running", lambda: "available", ...services },
      edition: "community",
      version: "4.14.0",
    });
  const server: Server = createServer((request, response) => {
    requests += 1;
    if (mode === "slow") return;
    if (mode === "not-localstack" || request.url !== "/_localstack/health") {
      response.writeHead(404).end("not found");
      return;
    }
    response.writeHead(200, { "content-type": "application/json" });
    response.end(typeof mode === "object" && "services" in mode ? healthy(mode.services) : healthy());
  });
  server.on("connection", (socket) => {
    if (
      mode === "refuses" ||
      (typeof mode === "object" && "untilMarker" in mode && !existsSync(mode.untilMarker))
    )
      socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (bound and released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** What the stub CloudFormation answers DescribeStacks with. */
export type CloudFormationMode =
  /** these stacks exist, with these stack-level tags */
  | { readonly stacks: Readonly<Record<string, Readonly<Record<string, string>>>> }
  /** every call is refused (a role without cloudformation:DescribeStacks) */
  | "access-denied";

/**
 * A stub CloudFormation (AWS query protocol, as the SDK speaks it) on 127.0.0.1, port 0, answering
 * DescribeStacks like AWS: the stack with its tags, or `ValidationError … does not exist`. Point the
 * SDK at it with `AWS_ENDPOINT_URL_CLOUDFORMATION`.
 */
export async function stubCloudFormation(
  mode: CloudFormationMode,
): Promise<{ endpoint: string; requests: () => string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const xml = (body: string) => `<?xml version="1.0"?>\n${body}`;
  const ns = 'xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"';
  const error = (code: string, message: string) =>
    xml(
      `<ErrorResponse ${ns}><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
    );
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => {
      const form = new URLSearchParams(body);
      const name = form.get("StackName") ?? "";
      requests.push(`${form.get("Action")} ${name}`);
      response.setHeader("content-type", "text/xml");
      if (mode === "access-denied") {
        response
          .writeHead(403)
          .end(error("AccessDenied", "User is not authorized to perform: cloudformation:DescribeStacks"));
        return;
      }
      const tags = mode.stacks[name];
      if (!tags) {
        response.writeHead(400).end(error("ValidationError", `Stack with id ${name} does not exist`));
        return;
      }
      const members = Object.entries(tags)
        .map(([key, value]) => `<member><Key>${key}</Key><Value>${value}</Value></member>`)
        .join("");
      response
        .writeHead(200)
        .end(
          xml(
            `<DescribeStacksResponse ${ns}><DescribeStacksResult><Stacks><member><StackName>${name}</StackName><StackId>arn:aws:cloudformation:eu-central-1:123456789012:stack/${name}/1</StackId><CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>UPDATE_COMPLETE</StackStatus><Tags>${members}</Tags></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStacksResponse>`,
          ),
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => [...requests],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
