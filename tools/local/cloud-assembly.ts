import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { AssetIndex } from "./resources/lambda.ts";
import type { Template } from "./template.ts";

/** The repository root (tools/local/../..). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** What decides whether a synthesized template is up to date: the CDK app's sources and the lockfile. */
export const SOURCE_ROOTS = ["stacks", "patterns", "functions", "package-lock.json", "cdk.json"] as const;

/** When to run `cdk synth`: only when cdk.out is missing or stale (`auto`), `always`, or `never`. */
export type SynthMode = "auto" | "always" | "never";

/** Thrown when synthesis fails or the cloud assembly lacks the stack. */
export class AssemblyError extends Error {
  override readonly name = "AssemblyError";
}

/**
 * A stable hash of every file under {@link SOURCE_ROOTS} (path and content), recorded beside the
 * template after a synth with {@link outputHash}: when both still match, the template and its
 * bundled assets are current and were written by that synth.
 */
export function sourceHash(root: string = REPO_ROOT, roots: readonly string[] = SOURCE_ROOTS): string {
  const hash = createHash("sha256");
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        if (entry !== "node_modules" && !entry.startsWith(".")) visit(join(path, entry));
      }
    } else {
      hash.update(relative(root, path)).update("\0").update(readFileSync(path)).update("\0");
    }
  };
  for (const entry of roots) visit(join(root, entry));
  return hash.digest("hex");
}

/** Hashes `path` (a file, or a directory recursively) into `hash`, with paths relative to `base`. */
function hashTree(hash: ReturnType<typeof createHash>, base: string, path: string): void {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) {
    hash.update(`missing:${relative(base, path)}\0`);
  } else if (stat.isDirectory()) {
    for (const entry of readdirSync(path).sort()) hashTree(hash, base, join(path, entry));
  } else {
    hash.update(relative(base, path)).update("\0").update(readFileSync(path)).update("\0");
  }
}

/**
 * A hash of what a synth of `stack` wrote into `cdkOut`: the template, its assets manifest and every
 * file asset directory the manifest names. Another `cdk synth`, `cdk bootstrap` or `cdk deploy`
 * into the same directory (with other context, without bundling) changes it even though the sources
 * did not change.
 */
export function outputHash(cdkOut: string, stack: string): string {
  const hash = createHash("sha256");
  hashTree(hash, cdkOut, join(cdkOut, `${stack}.template.json`));
  const manifestPath = join(cdkOut, `${stack}.assets.json`);
  hashTree(hash, cdkOut, manifestPath);
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as {
      files?: Record<string, { source: { path?: string } }>;
    };
    const paths = Object.values(manifest.files ?? {})
      .map((file) => file.source.path)
      .filter((path): path is string => path !== undefined && path !== `${stack}.template.json`);
    for (const path of [...new Set(paths)].sort()) hashTree(hash, cdkOut, join(cdkOut, path));
  }
  return hash.digest("hex");
}

/** What the embedded cloud records beside a template it synthesized. */
interface SynthesisRecord {
  /** {@link sourceHash} at synth time. */
  readonly sources: string;
  /** {@link outputHash} right after the synth. */
  readonly output: string;
}

function recordFile(cdkOut: string, stack: string): string {
  return join(cdkOut, `${stack}.local-synth.json`);
}

function readRecord(cdkOut: string, stack: string): SynthesisRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(recordFile(cdkOut, stack), "utf8")) as Partial<SynthesisRecord>;
    return typeof record.sources === "string" && typeof record.output === "string"
      ? { sources: record.sources, output: record.output }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Records that `cdkOut`'s current template of `stack` (and its assets) was synthesized from the
 * sources whose hash is `sources` (@default the sources now).
 */
export function recordSynthesis(
  stack: string,
  cdkOut: string,
  root: string = REPO_ROOT,
  sources?: string,
): void {
  const record: SynthesisRecord = { sources: sources ?? sourceHash(root), output: outputHash(cdkOut, stack) };
  writeFileSync(recordFile(cdkOut, stack), `${JSON.stringify(record, null, 2)}\n`);
}

/** Why the template of `stack` in `cdkOut` must be synthesized again, or undefined when it is current. */
export function staleReason(stack: string, cdkOut: string, root: string = REPO_ROOT): string | undefined {
  if (!existsSync(join(cdkOut, `${stack}.template.json`))) return `no ${stack}.template.json in ${cdkOut}`;
  const record = readRecord(cdkOut, stack);
  if (!record) return "the local cloud did not synthesize this template (no synthesis record beside it)";
  if (record.sources !== sourceHash(root)) return "sources changed since the last synth";
  if (record.output !== outputHash(cdkOut, stack))
    return "the template or its assets changed since the local cloud synthesized them: another synth, bootstrap or deploy wrote this directory";
  return undefined;
}

/**
 * Makes sure `cdkOut` holds a current template for `stack`: in `auto` mode it runs the pinned CDK
 * CLI (`cdk synth <stack> --quiet`, which bundles the handlers with the local esbuild) only when
 * {@link staleReason} finds one, and records what it synthesized afterwards ({@link recordSynthesis}).
 */
export async function ensureSynthesized(options: {
  stack: string;
  cdkOut: string;
  mode: SynthMode;
  root?: string;
  progress?: (line: string) => void;
}): Promise<{ synthesized: boolean; reason: string }> {
  const { stack, cdkOut, mode, progress } = options;
  const root = options.root ?? REPO_ROOT;
  const reason = mode === "always" ? "synth forced" : staleReason(stack, cdkOut, root);
  if (mode === "never" || reason === undefined) {
    if (!existsSync(join(cdkOut, `${stack}.template.json`))) {
      throw new AssemblyError(`no ${stack}.template.json in ${cdkOut}; run \`npx cdk synth ${stack}\` first`);
    }
    progress?.(`cdk.out is up to date for ${stack}: reusing it`);
    return { synthesized: false, reason: "up to date" };
  }
  const release = await acquireSynthLock(cdkOut, progress);
  try {
    // Another process may have synthesized while we waited for the lock.
    const stillStale = mode === "always" ? reason : staleReason(stack, cdkOut, root);
    if (stillStale === undefined) {
      progress?.(`cdk.out was just synthesized by another process: reusing it`);
      return { synthesized: false, reason: "up to date" };
    }
    progress?.(`synthesizing ${stack} (${stillStale})…`);
    const hash = sourceHash(root);
    await runSynth(stack, cdkOut, root);
    // `cdk synth <stack>` synthesizes the whole app: every template in cdk.out is now current.
    for (const file of readdirSync(cdkOut).filter((f) => f.endsWith(".template.json"))) {
      recordSynthesis(file.replace(".template.json", ""), cdkOut, root, hash);
    }
    return { synthesized: true, reason: stillStale };
  } finally {
    release();
  }
}

async function runSynth(stack: string, cdkOut: string, root: string): Promise<void> {
  const cdk = join(root, "node_modules", ".bin", "cdk");
  await new Promise<void>((resolve, reject) => {
    const child = spawn(cdk, ["synth", stack, "--quiet", "--output", cdkOut], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: "1" },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve();
      else
        reject(
          new AssemblyError(
            `cdk synth ${stack} failed (exit ${code}):\n${output.trim().split("\n").slice(-15).join("\n")}`,
          ),
        );
    });
  });
  if (!existsSync(join(cdkOut, `${stack}.template.json`))) {
    throw new AssemblyError(
      `cdk synth succeeded but ${stack}.template.json is not in ${cdkOut}: is ${stack} added in stacks/app.ts?`,
    );
  }
}

/** A directory lock inside cdk.out, so concurrent starts (test files, terminals) never synthesize at once. */
async function acquireSynthLock(cdkOut: string, progress?: (line: string) => void): Promise<() => void> {
  mkdirSync(cdkOut, { recursive: true });
  const lock = join(cdkOut, ".local-synth-lock");
  const deadline = Date.now() + 10 * 60_000;
  let told = false;
  for (;;) {
    try {
      mkdirSync(lock);
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
      // A lock older than 10 minutes belongs to a process that died mid-synth.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 10 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline)
        throw new AssemblyError(`timed out waiting for ${lock}; remove it if no synth is running`);
      if (!told) progress?.("waiting for another synth of this app to finish…");
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Reads `<stack>.template.json` and maps each file asset's S3 object key to its directory. */
export function loadAssembly(cdkOut: string, stack: string): { template: Template; assets: AssetIndex } {
  const templatePath = join(cdkOut, `${stack}.template.json`);
  if (!existsSync(templatePath)) {
    const available = existsSync(cdkOut)
      ? readdirSync(cdkOut)
          .filter((f) => f.endsWith(".template.json"))
          .map((f) => f.replace(".template.json", ""))
      : [];
    throw new AssemblyError(`stack ${stack} is not in ${cdkOut} (found: ${available.join(", ") || "none"})`);
  }
  const template = JSON.parse(readFileSync(templatePath, "utf8")) as Template;
  const assets = new Map<string, string>();
  const manifestPath = join(cdkOut, `${stack}.assets.json`);
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as {
      files?: Record<
        string,
        { source: { path?: string }; destinations: Record<string, { objectKey: string }> }
      >;
    };
    for (const file of Object.values(manifest.files ?? {})) {
      if (!file.source.path) continue;
      for (const destination of Object.values(file.destinations))
        assets.set(destination.objectKey, file.source.path);
    }
  }
  return { template, assets };
}
