import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { describeIssues } from "./schema-issues.ts";
import { TargetError } from "./target-error.ts";

/** What `cdk deploy --outputs-file` writes: `{ <Stack>: { <OutputName>: value } }`, every value a string. */
const outputsFileSchema = z.record(z.string(), z.record(z.string(), z.string()));

/**
 * Reads `{ <Stack>: { <Output>: value } }` as written by `cdk deploy --outputs-file`. The file is a
 * boundary (written by the CDK CLI, or handed over with `--outputs-file`), so it is validated: a
 * file that is not JSON, or not of that shape, fails with a {@link TargetError} naming the file and
 * the offending entry, never later as an `undefined` queue URL.
 */
export function readOutputsFile(file: string, stack: string): Record<string, string> {
  if (!existsSync(file))
    throw new TargetError(`outputs file ${file} does not exist; deploy first or drop --outputs-file`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new TargetError(`outputs file ${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = outputsFileSchema.safeParse(data);
  if (!parsed.success) {
    throw new TargetError(
      `outputs file ${file} is not what \`cdk deploy --outputs-file\` writes ({ stack: { output: string } }): ${describeIssues(parsed.error)}`,
    );
  }
  const outputs = parsed.data[stack];
  if (!outputs)
    throw new TargetError(
      `${file} has no outputs for ${stack} (found: ${Object.keys(parsed.data).join(", ") || "none"})`,
    );
  return outputs;
}
