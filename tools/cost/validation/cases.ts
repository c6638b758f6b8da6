import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { CatalogueError } from "../errors.ts";

/**
 * A published worked example the model must reproduce: where it was read (source, date, the
 * quoted figure), its inputs, the published result by component, and the tolerance. Cases are
 * data in `tools/cost/validation/cases/*.json`; `evaluateCase` prices them with the model.
 */
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const validationSourceSchema = z
  .object({
    title: z.string().min(1),
    publisher: z.string().min(1),
    url: z.string().url(),
    /** When the source was published or last updated, if it says. */
    published: z.string().optional(),
    /** When we read it. */
    read: day,
    /** How it was read here (no live network): the stored copy, or who quotes it. */
    via: z.string().min(1),
    /** The published arithmetic or figure, quoted. */
    quote: z.string().min(1),
  })
  .strict();

const workloadRecord = z.record(z.string(), z.unknown());

export const validationModelSchema = z.discriminatedUnion("kind", [
  z
    .object({
      /** Lambda requests and GB-seconds, priced with the catalogue and its free tier. */
      kind: z.literal("lambda"),
      invocations: z.number().positive(),
      memoryMb: z.number().int().positive(),
      durationMs: z.number().positive(),
      arch: z.enum(["x86_64", "arm64"]),
      freeTier: z.boolean(),
    })
    .strict(),
  z
    .object({
      /** One alternative priced on a workload; each published component is a sum of its lines. */
      kind: z.literal("alternative"),
      alternative: z.string().min(1),
      workload: workloadRecord,
      /** Sets the rate from a monthly count (730 h month), when the source gives one. */
      messagesPerMonth: z.number().positive().optional(),
      /** Published component → substrings of the model's line components summed for it. */
      components: z.record(z.string(), z.array(z.string().min(1)).min(1)),
    })
    .strict(),
  z
    .object({
      /** Brokers of one type the Kafka sizer needs (before choosing the cheapest type). */
      kind: z.literal("kafka-brokers"),
      brokerType: z.string().min(1),
      workload: workloadRecord,
    })
    .strict(),
  z
    .object({
      /** Sustained vCPUs of the self-hosted RabbitMQ fleet the model sizes. */
      kind: z.literal("rabbitmq-vcpu"),
      workload: workloadRecord,
    })
    .strict(),
]);

export const validationCaseSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    service: z.string().min(1),
    title: z.string().min(1),
    source: validationSourceSchema,
    /** Published figures by component (USD per month unless `unit` says otherwise). */
    published: z.record(z.string(), z.number().positive()),
    unit: z.enum(["USD/month", "brokers", "vCPU"]).default("USD/month"),
    /** Relative tolerance per component (0.01 = 1 %). */
    tolerance: z.number().positive().max(0.5),
    model: validationModelSchema,
    /** Why the inputs are what they are, and any difference the page's rounding explains. */
    note: z.string().min(1),
  })
  .strict();
export type ValidationCase = z.output<typeof validationCaseSchema>;

/** Directory of the committed cases. */
export const CASES_DIR = join(dirname(fileURLToPath(import.meta.url)), "cases");

/** Reads and validates every case file; a malformed one is a `CatalogueError` naming the file. */
export function loadCases(dir = CASES_DIR): ValidationCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const file = join(dir, f);
      const parsed = validationCaseSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
      if (!parsed.success) {
        throw new CatalogueError(
          file,
          `validation case ${file} is invalid`,
          parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`),
        );
      }
      return parsed.data;
    });
}
