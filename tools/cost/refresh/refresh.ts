import { renameSync, writeFileSync } from "node:fs";
import { type PriceCatalogue, type PriceItem, validateCatalogue } from "../prices/catalogue.ts";
import { findPrice, parseOfferFile } from "./offer-file.ts";
import { DEFAULT_SERVICES, offerUrl, SELECTORS } from "./selectors.ts";

/** Fetches and parses a JSON document; injected so the refresh can be tested without a network. */
export type FetchJson = (url: string) => Promise<unknown>;

/** A refresh failure; nothing has been written when it is thrown. */
export class RefreshError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RefreshError";
  }
}

export interface RefreshInput {
  readonly region: string;
  readonly existing: PriceCatalogue;
  readonly fetchJson: FetchJson;
  /** Date stamped on refreshed prices (`YYYY-MM-DD`). */
  readonly today: string;
  /** Service codes to read. @default every service but AmazonEC2 */
  readonly services?: readonly string[];
  readonly onProgress?: (message: string) => void;
}

export interface RefreshResult {
  readonly catalogue: PriceCatalogue;
  /** Keys whose price now comes from an offer file (with old → new when it changed). */
  readonly updated: readonly string[];
  /** Keys kept from the existing catalogue, with the reason. */
  readonly kept: readonly string[];
}

/**
 * Rebuilds a catalogue from the AWS Price List bulk offer files. Any network or format failure
 * throws a `RefreshError` naming the offer file: callers write nothing in that case.
 */
export async function refreshPrices(input: RefreshInput): Promise<RefreshResult> {
  const services = input.services ?? DEFAULT_SERVICES;
  const items: Record<string, PriceItem> = { ...input.existing.items };
  const updated: string[] = [];
  const kept: string[] = [];
  for (const serviceCode of services) {
    const selectors = SELECTORS.filter((s) => s.serviceCode === serviceCode);
    if (selectors.length === 0) throw new RefreshError(`--services: unknown service code "${serviceCode}"`);
    const url = offerUrl(serviceCode, input.region);
    input.onProgress?.(`fetching ${url}`);
    let data: unknown;
    try {
      data = await input.fetchJson(url);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new RefreshError(
        `could not fetch ${url}: ${reason}. The existing price files were left untouched.`,
      );
    }
    let offer: ReturnType<typeof parseOfferFile>;
    try {
      offer = parseOfferFile(data, url);
    } catch (error) {
      throw new RefreshError(`${(error as Error).message}. The existing price files were left untouched.`);
    }
    for (const selector of selectors) {
      const previous = items[selector.key];
      const found = findPrice(offer, selector);
      if (!found) {
        kept.push(
          `${selector.key}: not found in ${serviceCode} offer ${offer.version}; kept ${previous?.retrieved ?? "no"} value`,
        );
        continue;
      }
      const before = previous?.usdPerUnit;
      items[selector.key] = {
        usdPerUnit: found.usdPerUnit,
        unit: previous?.unit ?? found.offerUnit,
        status: "V",
        description: previous?.description ?? found.description,
        source: `AWS Price List API ${url} (offer ${offer.version}, published ${offer.publicationDate}, SKU ${found.sku}: ${found.description})`,
        retrieved: input.today,
        ...(found.freePerMonth !== undefined
          ? { freePerMonth: found.freePerMonth, freePool: previous?.freePool ?? selector.key }
          : previous?.freePerMonth !== undefined && previous.freePool !== undefined
            ? { freePerMonth: previous.freePerMonth, freePool: previous.freePool }
            : {}),
      };
      updated.push(
        before !== undefined && before !== found.usdPerUnit
          ? `${selector.key}: ${before} → ${found.usdPerUnit}`
          : selector.key,
      );
    }
  }
  for (const key of Object.keys(items)) {
    if (!SELECTORS.some((s) => s.key === key)) kept.push(`${key}: no Price List selector (kept as sourced)`);
    else if (!services.includes(SELECTORS.find((s) => s.key === key)?.serviceCode ?? ""))
      kept.push(`${key}: service not refreshed`);
  }
  const catalogue = validateCatalogue(
    {
      ...input.existing,
      region: input.region,
      generated: input.today,
      generatedBy: `npm run cost -- refresh-prices (services: ${services.join(", ")}); items not found keep their earlier source`,
      items,
    },
    "refreshed catalogue",
  );
  return { catalogue, updated, kept };
}

/** Writes a catalogue atomically (temporary file, then rename), so a failure never leaves half a file. */
export function writeCatalogue(file: string, catalogue: PriceCatalogue): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(catalogue, null, 2)}\n`);
  renameSync(tmp, file);
}
