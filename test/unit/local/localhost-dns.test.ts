import dns from "node:dns";
import { describe, expect, it } from "vitest";
import { isLocalhostName, resolveLocalhostToLoopback } from "../../../tools/local/lambda/localhost-dns.ts";

describe("RFC 6761 localhost names in the Lambda environments", () => {
  it("cover localhost and every name under .localhost, nothing else", () => {
    expect(isLocalhostName("localhost")).toBe(true);
    expect(isLocalhostName("sqs.us-east-1.localhost")).toBe(true);
    expect(isLocalhostName("SQS.US-EAST-1.LOCALHOST.")).toBe(true);
    expect(isLocalhostName("localhost.example.com")).toBe(false);
    expect(isLocalhostName("notlocalhost")).toBe(false);
    expect(isLocalhostName("sqs.us-east-1.amazonaws.com")).toBe(false);
  });

  it("resolve to loopback through dns.lookup in every calling form, without the system resolver", async () => {
    const original = dns.lookup;
    try {
      resolveLocalhostToLoopback();
      const lookup = (...args: unknown[]) =>
        new Promise<unknown[]>((resolve) =>
          (dns.lookup as unknown as (...a: unknown[]) => void)(...args, (...result: unknown[]) =>
            resolve(result),
          ),
        );
      expect(await lookup("sqs.us-east-1.localhost")).toEqual([null, "127.0.0.1", 4]);
      expect(await lookup("sqs.us-east-1.localhost", 6)).toEqual([null, "::1", 6]);
      expect(await lookup("sqs.us-east-1.localhost", { all: true })).toEqual([
        null,
        [{ address: "127.0.0.1", family: 4 }],
      ]);
      // Other names still reach the original lookup (an IP literal resolves without a network).
      expect(await lookup("10.1.2.3", { family: 4 })).toEqual([null, "10.1.2.3", 4]);
    } finally {
      dns.lookup = original;
    }
  });
});
