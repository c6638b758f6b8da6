import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findPrice, parseOfferFile } from "../../../tools/cost/refresh/offer-file.ts";
import { RefreshError, refreshPrices } from "../../../tools/cost/refresh/refresh.ts";
import { offerUrl, SELECTORS } from "../../../tools/cost/refresh/selectors.ts";
import { FIXTURES, prices } from "./prices.ts";

const offer = (service: string) =>
  JSON.parse(readFileSync(join(FIXTURES, `offer-${service}-us-east-1.json`), "utf8")) as unknown;
const selector = (key: string) => {
  const s = SELECTORS.find((x) => x.key === key);
  if (!s) throw new Error(key);
  return s;
};
const recorded = async (url: string) => {
  for (const service of ["AWSQueueService", "AWSLambda"]) {
    if (url === offerUrl(service, "us-east-1")) return offer(service);
  }
  throw new Error(`getaddrinfo ENOTFOUND pricing.us-east-1.amazonaws.com (${url})`);
};

describe("offer-file parser", () => {
  it("reads the first paid tier and the free allowance of SQS standard requests", () => {
    const sqs = parseOfferFile(offer("AWSQueueService"), "sqs");
    expect(findPrice(sqs, selector("sqs.standard.request"))).toMatchObject({
      usdPerUnit: 0.0000004,
      freePerMonth: 1_000_000,
      sku: "A8KCFT7QTYDGRNQK",
      offerUnit: "Requests",
    });
    expect(findPrice(sqs, selector("sqs.fifo.request"))?.usdPerUnit).toBe(0.0000005);
  });

  it("tells Lambda x86 and arm64 duration apart", () => {
    const lambda = parseOfferFile(offer("AWSLambda"), "lambda");
    expect(findPrice(lambda, selector("lambda.duration.x86_64"))?.usdPerUnit).toBe(0.0000166667);
    expect(findPrice(lambda, selector("lambda.duration.arm64"))?.usdPerUnit).toBe(0.0000133334);
    expect(findPrice(lambda, selector("lambda.request"))?.usdPerUnit).toBe(0.0000002);
  });

  it("returns nothing for an absent product and refuses an ambiguous selector", () => {
    const sqs = parseOfferFile(offer("AWSQueueService"), "sqs");
    expect(
      findPrice(sqs, { key: "x", serviceCode: "AWSQueueService", attributes: { usagetype: "Nope" } }),
    ).toBeUndefined();
    expect(() =>
      findPrice(sqs, {
        key: "any.request",
        serviceCode: "AWSQueueService",
        attributes: { productFamily: "API Request" },
      }),
    ).toThrow(/any.request: 2 products .* different prices/);
  });

  it("rejects a document that is not an offer file", () => {
    expect(() => parseOfferFile({ hello: "world" }, "https://x/index.json")).toThrow(
      /is not an AWS offer file/,
    );
  });
});

describe("refreshPrices", () => {
  it("rebuilds the catalogue items it finds, stamps date and source, and keeps the rest", async () => {
    const stale = structuredClone(prices);
    const item = stale.items["sqs.standard.request"];
    if (item) item.usdPerUnit = 0.0000001;
    const result = await refreshPrices({
      region: "us-east-1",
      existing: stale,
      fetchJson: recorded,
      today: "2026-11-23",
      services: ["AWSQueueService", "AWSLambda"],
    });
    const sqs = result.catalogue.items["sqs.standard.request"];
    expect(sqs).toMatchObject({
      usdPerUnit: 0.0000004,
      status: "V",
      retrieved: "2026-11-23",
      freePerMonth: 1_000_000,
    });
    expect(sqs?.source).toMatch(/AWSQueueService\/current\/us-east-1\/index.json \(offer 20261101000000/);
    expect(result.updated).toContain("sqs.standard.request: 1e-7 → 4e-7");
    expect(result.catalogue.items["gcp.pubsub.throughput"]).toEqual(prices.items["gcp.pubsub.throughput"]);
    expect(result.kept.join("\n")).toMatch(/lambda.duration.*|gcp.pubsub.throughput: no Price List selector/);
    expect(result.catalogue.generated).toBe("2026-11-23");
  });

  it("fails with a clear message naming the offer file when the network fails", async () => {
    const attempt = refreshPrices({
      region: "us-east-1",
      existing: prices,
      fetchJson: recorded,
      today: "2026-11-23",
      services: ["AWSQueueService", "AmazonSNS"],
    });
    await expect(attempt).rejects.toBeInstanceOf(RefreshError);
    await expect(attempt).rejects.toThrow(
      /could not fetch https:\/\/pricing.us-east-1.amazonaws.com\/offers\/v1.0\/aws\/AmazonSNS\/current\/us-east-1\/index.json: getaddrinfo ENOTFOUND.*left untouched/,
    );
  });
});
