import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { CatalogueError } from "../errors.ts";
import { INSTANCE_PRICE_KEYS } from "../instances.ts";

/**
 * Status of a price, as in the project's price research:
 * - `V`: from a dated primary or machine-generated source (Price List API, infracost snapshot);
 * - `S`: two or more independent secondary sources agree;
 * - `U`: unverified or conflicting: every estimate that uses it is flagged.
 */
export const priceStatusSchema = z.enum(["V", "S", "U"]);
export type PriceStatus = z.infer<typeof priceStatusSchema>;

/** One price: a unit price in USD for one billable unit, with its provenance. */
export const priceItemSchema = z
  .object({
    usdPerUnit: z.number().nonnegative(),
    unit: z.string().min(1),
    status: priceStatusSchema,
    description: z.string().min(1),
    source: z.string().min(1),
    /** When the number was read from its source: `YYYY-MM`, `YYYY-MM-DD`, `YYYY`, or `unverified`. */
    retrieved: z.string().regex(/^(\d{4}(-\d{2}(-\d{2})?)?|unverified)$/),
    /** Free quantity per month (AWS always-free tier), in `unit`. */
    freePerMonth: z.number().nonnegative().optional(),
    /** Items sharing one free allowance (SQS standard and FIFO share one million requests). */
    freePool: z.string().optional(),
    note: z.string().optional(),
  })
  .strict()
  .refine((item) => (item.freePerMonth === undefined) === (item.freePool === undefined), {
    message: "freePerMonth and freePool go together",
  });
export type PriceItem = z.infer<typeof priceItemSchema>;

/** A dated price catalogue for one region (`tools/cost/prices/<region>.json`). */
export const priceCatalogueSchema = z
  .object({
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/),
    currency: z.literal("USD"),
    hoursPerMonth: z.literal(730),
    generated: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    generatedBy: z.string(),
    items: z.record(z.string(), priceItemSchema),
  })
  .strict();
export type PriceCatalogue = z.infer<typeof priceCatalogueSchema>;

/** Every price key the model reads (plus the instance tables' `INSTANCE_PRICE_KEYS`); a catalogue missing one fails validation on load. */
export const REQUIRED_PRICE_KEYS = [
  "sqs.standard.request",
  "sqs.fifo.request",
  "sns.standard.publish",
  "sns.delivery.sqs",
  "sns.fifo.publish",
  "sns.fifo.publishPayload",
  "sns.fifo.deliverySqs",
  "sns.fifo.deliveryPayload",
  "sns.payloadFiltering",
  "lambda.request",
  "lambda.duration.x86_64",
  "lambda.duration.arm64",
  "sfn.standard.transition",
  "sfn.express.request",
  "sfn.express.duration",
  "events.customEvent",
  "dynamodb.onDemand.write",
  "dynamodb.onDemand.read",
  "kinesis.provisioned.shardHour",
  "kinesis.provisioned.putUnit",
  "kinesis.onDemand.streamHour",
  "kinesis.onDemand.ingress",
  "kinesis.onDemand.retrieval",
  "msk.storage",
  "msk.serverless.clusterHour",
  "msk.serverless.partitionHour",
  "msk.serverless.ingress",
  "msk.serverless.egress",
  "msk.serverless.storage",
  "msk.express.storage",
  "msk.express.dataWritten",
  "mq.broker.mq.m5.large",
  "mq.storage",
  "ec2.t3.medium",
  "ec2.m5.large",
  "ec2.m6g.large",
  "ec2.m7g.large",
  "ebs.gp3",
  "transfer.crossAz",
  "gcp.pubsub.throughput",
] as const;
export type PriceKey = (typeof REQUIRED_PRICE_KEYS)[number];

/** Directory of the committed catalogues. */
export const PRICES_DIR = dirname(fileURLToPath(import.meta.url));

/**
 * Validates a parsed catalogue (shape, and that every price the model reads is present).
 * Throws one `CatalogueError` listing every problem.
 */
export function validateCatalogue(data: unknown, origin = "price catalogue"): PriceCatalogue {
  const parsed = priceCatalogueSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new CatalogueError(origin, `${origin} is invalid`, problems);
  }
  const missing = [...REQUIRED_PRICE_KEYS, ...INSTANCE_PRICE_KEYS].filter(
    (key) => parsed.data.items[key] === undefined,
  );
  if (missing.length > 0)
    throw new CatalogueError(origin, `${origin} is missing prices: ${missing.join(", ")}`);
  return parsed.data;
}

/** Reads and validates `tools/cost/prices/<region>.json` (or an explicit file); `CatalogueError` if it cannot. */
export function loadPrices(region = "us-east-1", file = join(PRICES_DIR, `${region}.json`)): PriceCatalogue {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new CatalogueError(
      file,
      `no price catalogue for region "${region}" (${file}); run: npm run cost -- refresh-prices`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new CatalogueError(file, `price catalogue ${file} is not JSON: ${(error as Error).message}`);
  }
  return validateCatalogue(data, file);
}

/** The price item for a key; throws if absent (a validated catalogue always has the required keys). */
export function priceOf(prices: PriceCatalogue, key: PriceKey | string): PriceItem {
  const item = prices.items[key];
  if (!item)
    throw new CatalogueError(prices.region, `price "${key}" is not in the ${prices.region} catalogue`);
  return item;
}
