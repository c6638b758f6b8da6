/**
 * `npm run bench -- handlers`: bundle size and cold import time of each sns-sqs-fanout handler,
 * next to an empty handler bundled the same way.
 *
 * Bundling uses the repository's `LAMBDA_BUNDLING` (patterns/shared/runtime.ts) translated to the
 * esbuild options aws-lambda-nodejs passes: bundle, platform node, ESM `index.mjs`, minify, source
 * map, node24 target, main fields, the createRequire banner, and the default externals for a
 * Node.js ≥ 18 runtime with `@aws-cdk/aws-lambda-nodejs:sdkV3ExcludeSmithyPackages` (`@aws-sdk/*`,
 * `@smithy/*`: provided by the Lambda runtime, so not in the bundle and loaded from node_modules here).
 *
 * Size: bytes of `index.mjs` (minified, source map excluded). Cold import: a fresh `node` process
 * per sample, with the handler's required environment set, timing `await import(bundle)` with
 * `performance.now()` (Node's own start-up excluded); median of 5. Two baselines (an empty handler
 * that only creates the SDK clients) show how much of a handler's cold import is the AWS SDK.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { LAMBDA_BUNDLING } from "../patterns/shared/runtime.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// Inside the repository so bare `@aws-sdk/*` imports resolve from node_modules, as on Lambda they
// resolve from the runtime.
const outRoot = join(root, "node_modules", ".cache", "handlers-bench");
const SAMPLES = 5;

const consumerEnv = {
  SUBSCRIBER_NAME: "billing",
  IDEMPOTENCY_TABLE_NAME: "idempotency",
  EFFECTS_TABLE_NAME: "effects",
  DLQ_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/billing-dlq",
  RAW_MESSAGE_DELIVERY: "true",
};
const handlers: Array<{ name: string; entry: string; env: Record<string, string> }> = [
  { name: "empty", entry: join(outRoot, "empty.ts"), env: {} },
  { name: "empty + SNS client", entry: join(outRoot, "sdk-sns.ts"), env: {} },
  { name: "empty + SQS, DynamoDB clients", entry: join(outRoot, "sdk-sqs-ddb.ts"), env: {} },
  {
    name: "publish",
    entry: join(root, "functions/sns-sqs-fanout/publish.ts"),
    env: { TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:orders", EVENT_SOURCE: "orders-service" },
  },
  { name: "billing", entry: join(root, "functions/sns-sqs-fanout/billing.ts"), env: consumerEnv },
  {
    name: "shipping",
    entry: join(root, "functions/sns-sqs-fanout/shipping.ts"),
    env: { ...consumerEnv, SUBSCRIBER_NAME: "shipping" },
  },
  {
    name: "audit",
    entry: join(root, "functions/sns-sqs-fanout/audit.ts"),
    env: { ...consumerEnv, SUBSCRIBER_NAME: "audit", RAW_MESSAGE_DELIVERY: "false" },
  },
];

async function bundle(name: string, entry: string): Promise<string> {
  const outfile = join(outRoot, name, "index.mjs");
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: LAMBDA_BUNDLING.format === "esm" ? "esm" : "cjs",
    target: LAMBDA_BUNDLING.target,
    minify: LAMBDA_BUNDLING.minify,
    sourcemap: LAMBDA_BUNDLING.sourceMap,
    mainFields: LAMBDA_BUNDLING.mainFields,
    banner: LAMBDA_BUNDLING.banner ? { js: LAMBDA_BUNDLING.banner } : undefined,
    external: ["@aws-sdk/*", "@smithy/*"],
    logLevel: "error",
  });
  return outfile;
}

function coldImportMs(file: string, env: Record<string, string>, nodeOptions = ""): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    env: {
      PATH: process.env.PATH,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "bench",
      AWS_SECRET_ACCESS_KEY: "bench",
      POWERTOOLS_METRICS_NAMESPACE: "bench",
      NODE_OPTIONS: nodeOptions,
      ...env,
    },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`importing ${file} failed: ${result.stderr}`);
  return Number(result.stdout);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

rmSync(outRoot, { recursive: true, force: true });
mkdirSync(outRoot, { recursive: true });
writeFileSync(join(outRoot, "empty.ts"), "export const handler = async () => ({});\n");
// Baselines: the SDK clients alone (loaded from the runtime, not bundled), so the table separates
// what the handler code costs from what the AWS SDK costs.
writeFileSync(
  join(outRoot, "sdk-sns.ts"),
  'import { SNSClient } from "@aws-sdk/client-sns";\nconst sns = new SNSClient({});\nexport const handler = async () => ({ sns: typeof sns });\n',
);
writeFileSync(
  join(outRoot, "sdk-sqs-ddb.ts"),
  'import { DynamoDBClient } from "@aws-sdk/client-dynamodb";\nimport { SQSClient } from "@aws-sdk/client-sqs";\nconst c = [new SQSClient({}), new DynamoDBClient({})];\nexport const handler = async () => ({ n: c.length });\n',
);

console.log(
  `node ${process.version}; esbuild target ${LAMBDA_BUNDLING.target}, ESM, minified; median of ${SAMPLES}`,
);
const rows: Array<{ name: string; kb: number; ms: number; msMaps: number }> = [];
for (const { name, entry, env } of handlers) {
  const file = await bundle(name, entry);
  const kb = statSync(file).size / 1024;
  coldImportMs(file, env); // warm the OS file cache; not counted
  const ms = median(Array.from({ length: SAMPLES }, () => coldImportMs(file, env)));
  // The stacks set NODE_OPTIONS=--enable-source-maps (readable stack traces); measure its cost too.
  const msMaps = median(
    Array.from({ length: SAMPLES }, () => coldImportMs(file, env, "--enable-source-maps")),
  );
  rows.push({ name, kb, ms, msMaps });
  console.log(`${name}: bundled and measured`);
}
const empty = rows[0] as { kb: number; ms: number; msMaps: number };
console.log(
  `| handler | bundle (KB, minified) | cold import (ms, median of ${SAMPLES}) | vs empty | with --enable-source-maps (ms) |`,
);
console.log("|---|---:|---:|---:|---:|");
for (const row of rows) {
  const ratio = `${(row.ms / empty.ms).toFixed(1)}×`;
  console.log(
    `| ${row.name} | ${row.kb.toFixed(1)} | ${row.ms.toFixed(1)} | ${ratio} | ${row.msMaps.toFixed(1)} |`,
  );
}
