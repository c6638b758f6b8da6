import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type CliIo, main } from "../../../tools/cost/cli.ts";
import { FIXTURES } from "./prices.ts";

const work = mkdtempSync(join(tmpdir(), "cost-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function run(args: string[], extra: Partial<CliIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    cwd: work,
    synth: () => ({ ok: false, output: "Error: No stack found matching 'Nope'" }),
    ...extra,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("cost CLI", () => {
  it("prints a table with monthly cost, per million, floor, top lines with sources, and assumptions", async () => {
    const r = await run(["--rate", "100/s", "--size", "1KB", "--alternatives", "sns-sqs-lambda,kafka-ec2"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/alternative\s+monthly\s+per M msgs\s+fixed floor/);
    expect(r.out).toMatch(/SNS \+ SQS \+ Lambda \(sns-sqs-lambda\)\s+\$538\.\d\d/);
    expect(r.out).toMatch(
      /SQS sends \(by SNS\) \(× 3\): 788,400,000 request × \$0\.4 per million request = \$315\.36/,
    );
    expect(r.out).toMatch(/price sqs\.standard\.request \(V, 2024-07\): infracost/);
    expect(r.out).toMatch(/ops labour: 0 h\/month × \$0\/h \(explicit input\)/);
  });

  it("prints JSON a script can read", async () => {
    const r = await run(["--rate", "5000/s", "--json", "--alternatives", "kinesis-provisioned"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.workload).toMatchObject({ messagesPerSecond: 5_000, payloadBytes: 1_000, fanOut: 3 });
    expect(json.estimates[0]).toMatchObject({ id: "kinesis-provisioned" });
    expect(json.estimates[0].lineItems[0]).toHaveProperty("source");
  });

  it.each([
    [["--rate", "0/s"], /--rate: "0\/s" must be greater than zero/],
    [["--rate", "-3/s"], /--rate: "-3\/s" must be greater than zero/],
    [["--rate", "5/fortnight"], /--rate: unknown rate unit/],
    [["--size", "2XB"], /--size: unknown size unit "XB"/],
    [["--fan-out", "0"], /--fan-out: "0" must be a whole number from 1 to 1000/],
    [
      ["--alternatives", "carrier-pigeon"],
      /--alternatives: unknown "carrier-pigeon" \(allowed: sns-sqs-lambda/,
    ],
    [
      ["--stack", "Nope"],
      /--stack: no template for "Nope" .*cdk synth Nope --quiet` failed: Error: No stack found/,
    ],
    [["--stack", "../etc"], /--stack: "..\/etc" is not a stack name/],
    [["--match", "0.5"], /--match: only applies with --stack/],
    [["--chart", "x.png"], /--chart: "x.png" must be an .svg file/],
    [["--arch", "sparc"], /^cost: --arch: "sparc" is not a Lambda architecture \(allowed: arm64, x86_64\)$/],
    [["--size", "2MB"], /^cost: invalid workload: --size: too big: at most 1 MiB \(1,048,576 B/],
    [["--size", "1"], /^cost: --size: "1" needs a unit: 1B for bytes, 1KB for kilobytes/],
    [["--disk-fill", "0"], /^cost: --disk-fill: "0" must be a number from 0.05 to 1$/],
    [["--replication-factor", "7"], /^cost: --replication-factor: "7" must be a whole number from 1 to 5$/],
    [["--prices", "/nonexistent/prices.json"], /^cost: no price catalogue for region "us-east-1"/],
  ])("rejects %j with one clear line and exit 1", async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.err.split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("says which service allows which payload size, and what --publish-batch the model honours", async () => {
    const help = (await run(["--help"])).out.replace(/\s+/g, " ");
    expect(help).toMatch(
      /at most 1 MiB \(the SQS maximum; SNS, EventBridge and Step Functions take at most 256 KiB/,
    );
    expect(help).not.toMatch(/SQS\/SNS maximum/);
    expect(help).toMatch(/--publish-batch <n> .*1-1000 .*SNS PublishBatch takes at most 10/);
  });

  it("accepts a Pub/Sub-sized --publish-batch and sends SNS batches of at most 10", async () => {
    const r = await run(["--publish-batch", "100", "--json", "--alternatives", "sns-sqs-lambda,gcp-pubsub"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { estimates: { id: string; assumptions: string[] }[] };
    const sns = json.estimates.find((e) => e.id === "sns-sqs-lambda");
    expect(sns?.assumptions.join(" ")).toMatch(
      /PublishBatch of 10 \(--publish-batch 100; SNS takes at most 10\)/,
    );
    expect((await run(["--publish-batch", "1001"])).err).toMatch(
      /--publish-batch: "1001" must be a whole number from 1 to 1000/,
    );
  });

  it("has --help on the command and on refresh-prices", async () => {
    const main = await run(["--help"]);
    expect(main.code).toBe(0);
    expect(main.out).toMatch(/--rate <rate>/);
    expect(main.out).toMatch(/refresh-prices/);
    const refresh = await run(["refresh-prices", "--help"]);
    expect(refresh.code).toBe(0);
    expect(refresh.out).toMatch(/Usage: cost refresh-prices/);
    expect(refresh.out).toMatch(/--services <codes>/);
  });

  it("prices a synthesized stack from cdk.out, with --match", async () => {
    mkdirSync(join(work, "cdk.out"), { recursive: true });
    copyFileSync(
      join(FIXTURES, "fanout-fixture.template.json"),
      join(work, "cdk.out", "FanoutFixture.template.json"),
    );
    const r = await run([
      "--stack",
      "FanoutFixture",
      "--match",
      "billing=0.25,shipping=0.5",
      "--alternatives",
      "sns-sqs-lambda",
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/== FanoutFixture \(as synthesized\) \(stack:FanoutFixture, serverless\)/);
    expect(r.out).toMatch(/billing: filter policy .* ASSUMED to match 25 %/);
    expect(r.out).toMatch(/UNVERIFIED: shipping: SNS message-body filtering/);
  });

  it("prices the saga and bridge stacks from cdk.out (each used to be refused: no SNS → SQS subscription)", async () => {
    mkdirSync(join(work, "cdk.out"), { recursive: true });
    for (const [fixture, stack] of [
      ["sfn-saga", "SfnSagaStack"],
      ["saga-choreography", "SagaChoreographyStack"],
      ["sns-pubsub-bridge", "SnsPubsubBridgeStack"],
    ]) {
      copyFileSync(
        join(FIXTURES, `${fixture}.template.json`),
        join(work, "cdk.out", `${stack}.template.json`),
      );
    }
    const sfn = await run([
      "--stack",
      "SfnSagaStack",
      "--saga-compensated",
      "1",
      "--saga-retries",
      "0",
      "--rate",
      "10/s",
    ]);
    expect(sfn.code).toBe(0);
    // every saga compensated at CreateShipment, no retries: 6 transitions × 26,280,000 × $0.000025.
    expect(sfn.out).toMatch(/state transitions: 157,680,000 state transition .* = \$3,942\.00/);
    expect(sfn.out).toMatch(/SfnSagaStack as an Express workflow \(stack:SfnSagaStack:express\)/);
    const choreo = await run(["--stack", "SagaChoreographyStack", "--rate", "10/s"]);
    expect(choreo.code).toBe(0);
    expect(choreo.out).toMatch(
      /comparison: the orchestrated saga at the same traffic \(sfn-standard, 4 steps/,
    );
    const bridge = await run([
      "--stack",
      "SnsPubsubBridgeStack",
      "--inbound-ratio",
      "0.5",
      "--rate",
      "100/s",
    ]);
    expect(bridge.code).toBe(0);
    expect(bridge.out).toMatch(/Google → AWS 0\.5 × that \(--inbound-ratio\)/);
  });

  it("writes a chart", async () => {
    const file = join(work, "chart.svg");
    const r = await run([
      "--chart",
      file,
      "--from",
      "10/s",
      "--to",
      "1000/s",
      "--alternatives",
      "sns-sqs-lambda,kafka-ec2",
      "--json",
    ]);
    expect(r.code).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(/^<svg/);
    expect(JSON.parse(r.out).chart.crossovers[0].cheaperAbove).toBe("Kafka on EC2 (self-hosted)");
  });

  it("refresh-prices fails on the network with a clear message and leaves the file untouched", async () => {
    const file = join(work, "prices.json");
    copyFileSync(join(FIXTURES, "prices-us-east-1-2026-11-23.json"), file);
    const before = readFileSync(file, "utf8");
    const r = await run(["refresh-prices", "--out", file], {
      fetchJson: async () => {
        throw new Error("fetch failed (ENOTFOUND)");
      },
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /refresh-prices: could not fetch https:\/\/pricing.us-east-1.amazonaws.com\/offers\/v1.0\/aws\/\w+\/current\/us-east-1\/index.json: fetch failed \(ENOTFOUND\)\. The existing price files were left untouched\./,
    );
    expect(readFileSync(file, "utf8")).toBe(before);
    expect(existsSync(`${file}.tmp-${process.pid}`)).toBe(false);
  });

  it("refresh-prices rebuilds a catalogue from recorded offer files", async () => {
    const file = join(work, "refreshed.json");
    copyFileSync(join(FIXTURES, "prices-us-east-1-2026-11-23.json"), file);
    const r = await run(["refresh-prices", "--out", file, "--services", "AWSQueueService,AWSLambda"], {
      today: () => "2026-11-23",
      fetchJson: async (url) =>
        JSON.parse(
          readFileSync(
            join(FIXTURES, `offer-${url.split("/aws/")[1]?.split("/")[0]}-us-east-1.json`),
            "utf8",
          ),
        ),
    });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/prices from the Price List API/);
    const written = JSON.parse(readFileSync(file, "utf8"));
    expect(written.items["lambda.duration.arm64"].source).toMatch(/AWS Price List API .*AWSLambda/);
    expect(written.items["lambda.duration.arm64"].retrieved).toBe("2026-11-23");
  });
});
