import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../units.ts";
import { readTemplate, type StackModel } from "./template.ts";

/** Synthesizes one stack into `cdk.out`; returns an error text on failure. Injected in tests. */
export type Synth = (stackName: string, cwd: string) => { ok: boolean; output: string };

/** Runs `npx cdk synth <Stack> --quiet` in the project. */
export const cdkSynth: Synth = (stackName, cwd) => {
  const result = spawnSync("npx", ["cdk", "synth", stackName, "--quiet"], {
    cwd,
    encoding: "utf8",
    timeout: 600_000,
  });
  return { ok: result.status === 0, output: `${result.stderr ?? ""}${result.stdout ?? ""}`.trim() };
};

function knownStacks(outDir: string): string[] {
  if (!existsSync(outDir)) return [];
  return readdirSync(outDir)
    .filter((f) => f.endsWith(".template.json"))
    .map((f) => f.replace(/\.template\.json$/, ""));
}

/**
 * Reads `cdk.out/<Stack>.template.json`, synthesizing the stack first when the template is missing.
 * A bad name, an unknown stack or a failed synth is an `InputError` naming `--stack`.
 */
export function loadStack(stackName: string, options: { cwd: string; synth?: Synth }): StackModel {
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(stackName)) {
    throw new InputError(
      `--stack: "${stackName}" is not a stack name (letters, digits and hyphens, e.g. SnsSqsFanoutStack)`,
    );
  }
  const outDir = join(options.cwd, "cdk.out");
  const file = join(outDir, `${stackName}.template.json`);
  if (!existsSync(file)) {
    const result = (options.synth ?? cdkSynth)(stackName, options.cwd);
    if (!result.ok || !existsSync(file)) {
      const reason = result.output.split("\n").filter(Boolean).at(-1) ?? "no output";
      const known = knownStacks(outDir);
      throw new InputError(
        `--stack: no template for "${stackName}" (${file} is missing and \`npx cdk synth ${stackName} --quiet\` failed: ${reason})${known.length > 0 ? `; synthesized stacks: ${known.join(", ")}` : ""}`,
      );
    }
  }
  let template: unknown;
  try {
    template = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new InputError(`--stack: ${file} is not valid JSON (${(error as Error).message})`);
  }
  return readTemplate(stackName, template);
}
