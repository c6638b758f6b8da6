import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { App } from "aws-cdk-lib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The feature flags and context of cdk.json, so test apps synthesize exactly like `cdk synth`. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = (
  JSON.parse(readFileSync(join(root, "cdk.json"), "utf8")) as { context: Record<string, unknown> }
).context;

/** Context that skips esbuild bundling: Template and cdk-nag checks read only the template. */
export const NO_BUNDLING = { "aws:cdk:bundling-stacks": [] as string[] };

/** A test app with cdk.json's feature flags, bundling skipped unless `bundle` is true. */
export function createTestApp(context: Record<string, unknown> = {}, bundle = false): App {
  return new App({ context: { ...CDK_JSON_CONTEXT, ...(bundle ? {} : NO_BUNDLING), ...context } });
}

/** A handler fixture for construct tests that must not depend on real handler code. */
export const NOOP_HANDLER = join(root, "test", "fixtures", "handlers", "noop.ts");
