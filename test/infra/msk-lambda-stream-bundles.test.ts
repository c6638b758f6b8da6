import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { MskLambdaStreamStack } from "../../stacks/msk-lambda-stream-stack.js";
import { createTestApp } from "../helpers/app.js";

/**
 * The functions are bundled by esbuild; a dependency that reads files next to its own source at
 * load time (like @platformatic/wasm-utils' `native.wasm`) breaks only in the bundle, at cold start.
 * So each bundle is loaded here, with its environment, as Lambda's INIT phase would.
 */
describe("MskLambdaStreamStack bundles", () => {
  const app = createTestApp({ "aws:cdk:enable-asset-metadata": true }, true);
  const stack = new MskLambdaStreamStack(app, "MskLambdaStreamStack");
  const template = Template.fromStack(stack);
  const outdir = app.synth().directory;
  const functions = Object.values(
    template.findResources("AWS::Lambda::Function") as Record<
      string,
      {
        Metadata?: Record<string, string>;
        Properties: { Description?: string; Environment?: { Variables: Record<string, unknown> } };
      }
    >,
  );

  it.each([
    ["producer", "Publishes"],
    ["consumer", "Consumes"],
    ["topic administrator", "topics"],
  ])("loads the %s bundle at cold start", async (_name, description) => {
    const fn = functions.find((f) => String(f.Properties.Description).includes(description));
    const assetPath = fn?.Metadata?.["aws:asset:path"];
    expect(assetPath).toBeDefined();
    const env: Record<string, string> = {
      CLUSTER_ARN: "arn:aws:kafka:us-east-1:123456789012:cluster/c/u",
      TOPIC_NAME: "orders",
      AWS_REGION: "us-east-1",
      EFFECTS_TABLE_NAME: "effects",
      IDEMPOTENCY_TABLE_NAME: "idempotency",
    };
    const previous = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      const module = (await import(pathToFileURL(join(outdir, assetPath as string, "index.mjs")).href)) as {
        handler?: unknown;
      };
      expect(typeof module.handler).toBe("function");
    } finally {
      for (const [k, v] of Object.entries(previous)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
