import { existsSync, readFileSync } from "node:fs";
import { TargetError } from "./target-error.ts";

/** Reads `{ <Stack>: { <Output>: value } }` as written by `cdk deploy --outputs-file`. */
export function readOutputsFile(file: string, stack: string): Record<string, string> {
  if (!existsSync(file))
    throw new TargetError(`outputs file ${file} does not exist; deploy first or drop --outputs-file`);
  const all = JSON.parse(readFileSync(file, "utf8")) as Record<string, Record<string, string>>;
  const outputs = all[stack];
  if (!outputs)
    throw new TargetError(
      `${file} has no outputs for ${stack} (found: ${Object.keys(all).join(", ") || "none"})`,
    );
  return outputs;
}
