import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../../../functions/shared/env.js";
import { PermanentError, RetryableError } from "../../../../functions/shared/errors.js";
import {
  createDynamoDbIdempotencyGuard,
  DEFAULT_IDEMPOTENCY_EXPIRES_AFTER_SECONDS,
  hashPayload,
  readIdempotencyExpiresAfterSeconds,
} from "../../../../functions/shared/idempotency.js";
import {
  createIdempotencyTable,
  type Emulator,
  emulatorClientConfig,
  startDynalite,
} from "../../../helpers/aws-emulators.js";
import { lambdaContext } from "../../../helpers/events.js";

let dynalite: Emulator;
let dynamodb: DynamoDBClient;
const TABLE = "idempotency";

beforeAll(async () => {
  dynalite = await startDynalite();
  dynamodb = new DynamoDBClient(emulatorClientConfig(dynalite.endpoint));
  await createIdempotencyTable(dynamodb, TABLE);
});

afterAll(async () => {
  dynamodb?.destroy();
  await dynalite?.stop();
});

async function expirationOf(keyPrefix: string): Promise<number> {
  const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: TABLE }));
  const item = Items.find((i) => i.id?.S?.startsWith(`${keyPrefix}#`));
  return Number(item?.expiration?.N);
}

describe("readIdempotencyExpiresAfterSeconds", () => {
  it("reads the constructs' value, and defaults to 86400 only when the variable is unset", () => {
    expect(readIdempotencyExpiresAfterSeconds({ IDEMPOTENCY_EXPIRES_AFTER_SECONDS: "1555200" })).toBe(
      1_555_200,
    );
    expect(readIdempotencyExpiresAfterSeconds({})).toBe(DEFAULT_IDEMPOTENCY_EXPIRES_AFTER_SECONDS);
    expect(DEFAULT_IDEMPOTENCY_EXPIRES_AFTER_SECONDS).toBe(86_400);
  });

  it.each(["", "0", "-3600", "1.5", "86400s", "1e6", "abc", "99999999999999999999"])(
    "refuses %j naming the variable",
    (value) => {
      const read = () => readIdempotencyExpiresAfterSeconds({ IDEMPOTENCY_EXPIRES_AFTER_SECONDS: value });
      expect(read).toThrow(ConfigError);
      expect(read).toThrow(/IDEMPOTENCY_EXPIRES_AFTER_SECONDS must be a positive integer/);
    },
  );
});

describe("hashPayload", () => {
  it("ignores object key order and undefined fields, and tells different values apart", () => {
    expect(hashPayload({ a: 1, b: { c: [1, 2], d: "x" } })).toBe(
      hashPayload({ b: { d: "x", c: [1, 2] }, a: 1, e: undefined }),
    );
    expect(hashPayload({ a: 1 })).not.toBe(hashPayload({ a: 2 }));
    expect(hashPayload({ a: [1, 2] })).not.toBe(hashPayload({ a: [2, 1] }));
  });
});

describe("DynamoDB idempotency guard", () => {
  it("keeps a completed key for expiresAfterSeconds", async () => {
    const seconds = 18 * 86_400;
    const guard = createDynamoDbIdempotencyGuard({
      tableName: TABLE,
      client: dynamodb,
      keyPrefix: "expiry",
      expiresAfterSeconds: seconds,
    });
    guard.registerLambdaContext(lambdaContext());
    const before = Math.floor(Date.now() / 1000);
    await guard.run("evt-expiry", async () => undefined);
    const after = Math.ceil(Date.now() / 1000);
    const expiration = await expirationOf("expiry");
    expect(expiration).toBeGreaterThanOrEqual(before + seconds);
    expect(expiration).toBeLessThanOrEqual(after + seconds);
  });

  it("SQS-11: the same key with a different payload is a permanent PayloadMismatch; the work does not run", async () => {
    const guard = createDynamoDbIdempotencyGuard({
      tableName: TABLE,
      client: dynamodb,
      keyPrefix: "mismatch",
    });
    guard.registerLambdaContext(lambdaContext());
    let runs = 0;
    const work = async () => {
      runs++;
    };
    expect(await guard.run("evt-m", work, { amount: 10 })).toEqual({ replayed: false });
    expect(await guard.run("evt-m", work, { amount: 10 })).toEqual({ replayed: true });
    const error = await guard.run("evt-m", work, { amount: 99 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ type: "PayloadMismatch", reason: expect.stringContaining("evt-m") });
    expect(runs).toBe(1);
  });

  it("SQS-12: an unavailable table is a RetryableError before any work runs", async () => {
    const down = await startDynalite();
    await down.stop(); // nothing listens on that port any more
    const client = new DynamoDBClient({ ...emulatorClientConfig(down.endpoint), maxAttempts: 1 });
    const guard = createDynamoDbIdempotencyGuard({ tableName: TABLE, client, keyPrefix: "down" });
    guard.registerLambdaContext(lambdaContext());
    let runs = 0;
    const error = await guard
      .run("evt-down", async () => {
        runs++;
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toMatch(/idempotency store unavailable for event id evt-down/);
    expect(runs).toBe(0);
    client.destroy();
  });
});
