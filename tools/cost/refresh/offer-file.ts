import { z } from "zod";

/**
 * The AWS Price List bulk offer file (`/offers/v1.0/aws/<ServiceCode>/current/<region>/index.json`):
 * `products` keyed by SKU with `attributes`, and `terms.OnDemand[sku][offerTermCode].priceDimensions`
 * with `unit`, `pricePerUnit.USD` and tier ranges `beginRange`/`endRange` ("Inf" for open ends).
 */
const priceDimensionSchema = z.object({
  rateCode: z.string(),
  description: z.string().default(""),
  beginRange: z.string().optional(),
  endRange: z.string().optional(),
  unit: z.string(),
  pricePerUnit: z.record(z.string(), z.string()),
});
const termSchema = z.object({
  offerTermCode: z.string(),
  sku: z.string(),
  effectiveDate: z.string(),
  priceDimensions: z.record(z.string(), priceDimensionSchema),
});
export const offerFileSchema = z.object({
  offerCode: z.string(),
  version: z.string(),
  publicationDate: z.string(),
  products: z.record(
    z.string(),
    z.object({
      sku: z.string(),
      productFamily: z.string().optional(),
      attributes: z.record(z.string(), z.string()),
    }),
  ),
  terms: z.object({ OnDemand: z.record(z.string(), z.record(z.string(), termSchema)).default({}) }),
});
export type OfferFile = z.infer<typeof offerFileSchema>;

/** Parses and validates an offer file; throws naming the offer and the first problems. */
export function parseOfferFile(data: unknown, origin: string): OfferFile {
  const parsed = offerFileSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`${origin} is not an AWS offer file: ${problems.join("; ")}`);
  }
  return parsed.data;
}

/**
 * Which product and tier of an offer file gives a catalogue price. Attribute values match exactly,
 * or as a regular expression when written `~pattern` (usage types carry a region prefix such as
 * `USE2-` outside us-east-1).
 */
export interface PriceSelector {
  readonly key: string;
  readonly serviceCode: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** Multiplies the offer's unit price into the catalogue's unit (e.g. 1 / 1,000,000). @default 1 */
  readonly factor?: number;
}

export interface FoundPrice {
  readonly usdPerUnit: number;
  /** Quantity of a zero-priced first tier (a free allowance), if the offer has one. */
  readonly freePerMonth?: number;
  readonly sku: string;
  readonly description: string;
  readonly offerUnit: string;
  readonly effectiveDate: string;
}

function matches(
  attributes: Readonly<Record<string, string>>,
  wanted: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(wanted).every(([name, value]) => {
    const actual = attributes[name];
    if (actual === undefined) return false;
    return value.startsWith("~") ? new RegExp(value.slice(1)).test(actual) : actual === value;
  });
}

function range(value: string | undefined, fallback: number): number {
  if (value === undefined || value === "Inf") return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? n : fallback;
}

/**
 * Finds a selector's price: the products whose attributes match, their on-demand price dimensions
 * sorted by `beginRange`, and the first non-zero tier (a zero tier starting at 0 is reported as the
 * free allowance). Several matching products must agree, else the selector is ambiguous (throws).
 */
export function findPrice(offer: OfferFile, selector: PriceSelector): FoundPrice | undefined {
  const products = Object.values(offer.products).filter((p) =>
    matches(
      { ...p.attributes, ...(p.productFamily ? { productFamily: p.productFamily } : {}) },
      selector.attributes,
    ),
  );
  const found: FoundPrice[] = [];
  for (const product of products) {
    const terms = Object.values(offer.terms.OnDemand[product.sku] ?? {});
    for (const term of terms) {
      const dims = Object.values(term.priceDimensions)
        .map((d) => ({ ...d, usd: Number(d.pricePerUnit.USD ?? Number.NaN) }))
        .filter((d) => Number.isFinite(d.usd))
        .sort((a, b) => range(a.beginRange, 0) - range(b.beginRange, 0));
      const paid = dims.find((d) => d.usd > 0);
      if (!paid) continue;
      const free = dims.find((d) => d.usd === 0 && range(d.beginRange, 0) === 0);
      const freeEnd = free ? range(free.endRange, Number.POSITIVE_INFINITY) : undefined;
      found.push({
        usdPerUnit: paid.usd * (selector.factor ?? 1),
        ...(freeEnd !== undefined && Number.isFinite(freeEnd) ? { freePerMonth: freeEnd } : {}),
        sku: product.sku,
        description: paid.description,
        offerUnit: paid.unit,
        effectiveDate: term.effectiveDate,
      });
    }
  }
  if (found.length === 0) return undefined;
  const distinct = new Set(found.map((f) => f.usdPerUnit));
  if (distinct.size > 1) {
    throw new Error(
      `${selector.key}: ${found.length} products in ${selector.serviceCode} match ${JSON.stringify(selector.attributes)} with different prices (${[...distinct].join(", ")}); make the selector narrower`,
    );
  }
  return found[0];
}
