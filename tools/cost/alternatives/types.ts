import type { LineItem } from "../line-items.ts";
import type { PriceCatalogue } from "../prices/catalogue.ts";
import type { Workload } from "../workload.ts";

/** How an option is run: it decides whether ops labour and reserved discounts apply. */
export type Hosting = "serverless" | "managed" | "self-hosted" | "other cloud";

/** One priced alternative. `lines` must be pure: the same inputs always give the same lines. */
export interface Alternative {
  /** Slug used by `--alternatives`. */
  readonly id: string;
  readonly name: string;
  /** `messaging` options carry the fan-out; `saga` options orchestrate `sagaSteps` per message. */
  readonly category: "messaging" | "saga";
  readonly hosting: Hosting;
  /** Monthly line items (before free tiers). */
  lines(w: Workload, prices: PriceCatalogue): LineItem[];
  /** The assumptions this option's lines rest on, in words. */
  assumptions(w: Workload, prices: PriceCatalogue): string[];
  /** Limits the workload exceeds, or caveats (e.g. FIFO throughput). */
  warnings?(w: Workload, prices: PriceCatalogue): string[];
}
