import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { CreateTableCommand, DynamoDBClient, GetItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import {
  CreateQueueCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../../../functions/shared/env.js";
import {
  createJobWorker,
  type JobWorkerConfig,
  readJobWorkerConfig,
} from "../../../functions/sqs-dlq-redrive/job-consumer.js";
import { jobKey, setFaultSwitch } from "../../../functions/sqs-dlq-redrive/jobs-table.js";
import { readJobs } from "../../../functions/sqs-dlq-redrive/jobs-table-reader.js";
import { judgeRedrive } from "../../../tools/local/scenarios/sqs-dlq-redrive/judge.js";
import {
  createIdempotencyTable,
  type Emulator,
  emulatorClientConfig,
  startDynalite,
  startSqsSns,
} from "../../helpers/aws-emulators.js";
import { cloudEvent, queueArn, sqsEvent, sqsRecordFromMessage } from "../../helpers/events.js";

process.env.POWERTOOLS_METRICS_DISABLED = "true";

let dynalite: Emulator;
let fauxqs: Emulator;
let dynamodb: DynamoDBClient;
let sqs: SQSClient;
let config: JobWorkerConfig;
const ARN = queueArn("jobs");

beforeAll(async () => {
  [dynalite, fauxqs] = await Promise.all([startDynalite(), startSqsSns()]);
  dynamodb = new DynamoDBClient(emulatorClientConfig(dynalite.endpoint));
  sqs = new SQSClient(emulatorClientConfig(fauxqs.endpoint));
  await createIdempotencyTable(dynamodb, "idempotency");
  await dynamodb.send(
    new CreateTableCommand({
      TableName: "jobs",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
});

/** A fresh queue and DLQ per test, so each test sees only its own messages. */
let n = 0;
beforeEach(async () => {
  n++;
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `jobs-${n}` }))).QueueUrl as string;
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `jobs-dlq-${n}` }))).QueueUrl as string;
  config = {
    queueUrl,
    dlqUrl,
    maxReceiveCount: 3,
    backoff: { baseSeconds: 60, maxSeconds: 600 },
    jobsTableName: "jobs",
    idempotencyTableName: "idempotency",
  };
});

afterAll(async () => {
  dynamodb?.destroy();
  sqs?.destroy();
  await Promise.all([dynalite?.stop(), fauxqs?.stop()]);
});

const worker = () =>
  createJobWorker({
    config,
    dynamodb,
    sqs,
    random: () => 0,
    logger: new Logger({ logLevel: "SILENT" }),
    metrics: new Metrics({ namespace: "test" }),
  });

/** Sends a job to the real (emulated) queue and receives it, so the record has a live receipt handle. */
async function deliver(body: string, receiveCount = 1, attributes: Record<string, string> = {}) {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: config.queueUrl,
      MessageBody: body,
      MessageAttributes: Object.fromEntries(
        Object.entries(attributes).map(([k, v]) => [k, { DataType: "Number", StringValue: v }]),
      ),
    }),
  );
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: config.queueUrl,
      VisibilityTimeout: 0,
      MessageAttributeNames: ["All"],
      MessageSystemAttributeNames: ["All"],
    }),
  );
  const message = Messages.find((m) => m.Body === body) as Message;
  const record = sqsRecordFromMessage(message, ARN);
  record.attributes.ApproximateReceiveCount = String(receiveCount);
  return record;
}

const job = (data: Record<string, unknown>) => JSON.stringify(cloudEvent({ type: "job.requested", data }));

async function item(jobId: string) {
  const { Item } = await dynamodb.send(
    new GetItemCommand({ TableName: "jobs", Key: { pk: { S: jobKey(jobId) } }, ConsistentRead: true }),
  );
  return Item;
}

async function dlqMessages(): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: config.dlqUrl,
      MaxNumberOfMessages: 10,
      MessageAttributeNames: ["All"],
    }),
  );
  return Messages;
}

async function visibleInQueue(): Promise<number> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: config.queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
  );
  return Messages.length;
}

describe("the sqs-dlq-redrive worker", () => {
  it("applies a job once, recording the redrive count, and skips a duplicate event id", async () => {
    const body = job({ jobId: "once" });
    const first = await deliver(body, 1, { "redrive-count": "1" });
    expect(await worker().handleBatch(sqsEvent(first))).toEqual({ batchItemFailures: [] });
    const again = await deliver(body);
    expect(await worker().handleBatch(sqsEvent(again))).toEqual({ batchItemFailures: [] });
    const stored = await item("once");
    expect(stored?.applications?.N).toBe("1");
    expect(stored?.redriveCount?.N).toBe("1");
  });

  it("fails a transient job on its first receives with a backoff delay, then applies it", async () => {
    const body = job({ jobId: "transient", transientFailures: 1 });
    const record = await deliver(body, 1);
    const response = await worker().handleBatch(sqsEvent(record));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    // The record was received with visibility 0; the handler hid it for the backoff delay.
    expect(await visibleInQueue()).toBe(0);
    const attempts = (await item("transient"))?.attempts?.L ?? [];
    expect(
      attempts.map((a) => [a.M?.receiveCount?.N, a.M?.delaySeconds?.N, a.M?.delayApplied?.BOOL]),
    ).toEqual([["1", "30", true]]);
    const retry = sqsRecordFromMessage({ ...record, Body: body, MessageId: record.messageId }, ARN);
    retry.attributes.ApproximateReceiveCount = "2";
    expect(await worker().handleBatch(sqsEvent(retry))).toEqual({ batchItemFailures: [] });
    expect((await item("transient"))?.applications?.N).toBe("1");
  });

  it("fails a faultable job while the switch is on and dead-letters it with a reason on the last receive", async () => {
    await setFaultSwitch(dynamodb, "jobs", true);
    try {
      const body = job({ jobId: "faulty", faultable: true });
      const early = await deliver(body, 2);
      expect((await worker().handleBatch(sqsEvent(early))).batchItemFailures).toHaveLength(1);
      const last = await deliver(body, 3);
      expect(await worker().handleBatch(sqsEvent(last))).toEqual({ batchItemFailures: [] });
      const [dead] = await dlqMessages();
      expect(dead?.Body).toBe(body);
      expect(dead?.MessageAttributes?.["error.type"]?.StringValue).toBe("RetriesExhausted");
      expect(dead?.MessageAttributes?.["error.reason"]?.StringValue).toMatch(
        /fault switch is on: job faulty/,
      );
      expect((await item("faulty"))?.applications).toBeUndefined();
    } finally {
      await setFaultSwitch(dynamodb, "jobs", false);
    }
    const redriven = await deliver(job({ jobId: "faulty", faultable: true }), 1);
    expect(await worker().handleBatch(sqsEvent(redriven))).toEqual({ batchItemFailures: [] });
    expect((await item("faulty"))?.applications?.N).toBe("1");
  });

  it("sends malformed JSON and unknown types straight to the DLQ with their reason", async () => {
    const malformed = await deliver("{not json");
    const unknown = await deliver(
      JSON.stringify(cloudEvent({ type: "job.cancelled", data: { jobId: "x" } })),
    );
    expect(await worker().handleBatch(sqsEvent(malformed, unknown))).toEqual({ batchItemFailures: [] });
    const types = (await dlqMessages()).map((m) => m.MessageAttributes?.["error.type"]?.StringValue).sort();
    expect(types).toEqual(["MalformedJson", "UnknownEventType"]);
  });
});

describe("the job effect", () => {
  it("is applied once when the SDK retries a write whose response was lost (issue 11 item 7)", async () => {
    const client = new DynamoDBClient(emulatorClientConfig(dynalite.endpoint));
    let attempts = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const table = (args.input as { TableName?: string }).TableName;
        if (context.commandName === "UpdateItemCommand" && table === "jobs" && ++attempts === 1) {
          throw Object.assign(new Error("response lost after the write was applied"), {
            name: "TimeoutError",
          });
        }
        return result;
      },
      { step: "deserialize", name: "loseFirstResponse" },
    );
    const record = await deliver(job({ jobId: "lost-response" }));
    const lossy = createJobWorker({
      config,
      dynamodb: client,
      sqs,
      logger: new Logger({ logLevel: "SILENT" }),
      metrics: new Metrics({ namespace: "test" }),
    });
    expect(await lossy.handleBatch(sqsEvent(record))).toEqual({ batchItemFailures: [] });
    expect(attempts).toBe(2);
    expect((await item("lost-response"))?.applications?.N).toBe("1");
    const [stored] = await readJobs(dynamodb, "jobs", ["lost-response"]);
    expect(stored).toMatchObject({ applications: 1, suppressedDuplicates: 0 });
    client.destroy();
  });

  it("a second application of the same event the idempotency guard let through is not applied, but recorded, and the judge reports it", async () => {
    // A second worker with its own idempotency table knows nothing of the first's record, like an expired
    // or unsaved record.
    await createIdempotencyTable(dynamodb, "idempotency-forgetful");
    const metrics = new Metrics({ namespace: "test" });
    const addMetric = vi.spyOn(metrics, "addMetric");
    const forgetful = createJobWorker({
      config: { ...config, idempotencyTableName: "idempotency-forgetful" },
      dynamodb,
      sqs,
      logger: new Logger({ logLevel: "SILENT" }),
      metrics,
    });
    const body = job({ jobId: "bypass" });
    expect(await worker().handleBatch(sqsEvent(await deliver(body)))).toEqual({ batchItemFailures: [] });
    expect(await forgetful.handleBatch(sqsEvent(await deliver(body, 2)))).toEqual({ batchItemFailures: [] });
    expect(addMetric).toHaveBeenCalledWith("EffectDuplicatesSuppressed", "Count", 1);
    const jobs = await readJobs(dynamodb, "jobs", ["bypass"]);
    expect(jobs).toMatchObject([{ jobId: "bypass", applications: 1, suppressedDuplicates: 1 }]);
    const judgement = judgeRedrive({
      jobIds: ["bypass"],
      permanentIds: new Set(),
      transientIds: new Set(),
      sendFailures: 0,
      maxReceiveCount: 3,
      sentAt: new Map([["bypass", 0]]),
      beforeRedrive: jobs,
      afterRedrive: jobs,
      deadLettersBefore: [],
      deadLettersAfter: 0,
      olderDeadLetters: 0,
      redrive: { strategy: "none", moved: 0, durationMs: 0, filtered: false },
    });
    expect(judgement.counts.duplicates).toBe(1);
    expect(judgement.problems).toEqual([
      "1 jobs applied more than once or stopped only by the effect write's condition (suppressedDuplicates)",
    ]);
  });
});

describe("the worker's idempotency window", () => {
  it("keeps a completed event id for IDEMPOTENCY_EXPIRES_AFTER_SECONDS (queue + DLQ retention)", async () => {
    const seconds = 18 * 86_400;
    config = { ...config, idempotencyExpiresAfterSeconds: seconds };
    const event = cloudEvent({ type: "job.requested", data: { jobId: "window" } });
    const before = Math.floor(Date.now() / 1000);
    expect(await worker().handleBatch(sqsEvent(await deliver(JSON.stringify(event))))).toEqual({
      batchItemFailures: [],
    });
    const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: "idempotency" }));
    const expirations = Items.filter((i) => i.id?.S?.startsWith("jobs#")).map((i) => Number(i.expiration?.N));
    expect(expirations.filter((e) => e >= before + seconds)).toHaveLength(1);
  });
});

describe("readJobWorkerConfig", () => {
  const env = {
    QUEUE_URL: "q",
    DLQ_URL: "d",
    MAX_RECEIVE_COUNT: "5",
    BACKOFF_BASE_SECONDS: "2",
    BACKOFF_MAX_SECONDS: "900",
    JOBS_TABLE_NAME: "jobs",
    IDEMPOTENCY_TABLE_NAME: "idem",
  };
  it("reads every variable", () => {
    expect(readJobWorkerConfig(env)).toEqual({
      queueUrl: "q",
      dlqUrl: "d",
      maxReceiveCount: 5,
      backoff: { baseSeconds: 2, maxSeconds: 900 },
      jobsTableName: "jobs",
      idempotencyTableName: "idem",
      idempotencyExpiresAfterSeconds: 86_400,
    });
    expect(
      readJobWorkerConfig({ ...env, IDEMPOTENCY_EXPIRES_AFTER_SECONDS: "1555200" })
        .idempotencyExpiresAfterSeconds,
    ).toBe(1_555_200);
  });
  it("refuses an idempotency window that is not a positive integer, naming the variable", () => {
    expect(() => readJobWorkerConfig({ ...env, IDEMPOTENCY_EXPIRES_AFTER_SECONDS: "1.5" })).toThrow(
      /IDEMPOTENCY_EXPIRES_AFTER_SECONDS must be a positive integer/,
    );
  });
  it("names every missing variable", () => {
    expect(() => readJobWorkerConfig({})).toThrow(/QUEUE_URL, DLQ_URL, MAX_RECEIVE_COUNT/);
  });
  it("rejects a backoff above SQS's 12 hours", () => {
    expect(() => readJobWorkerConfig({ ...env, BACKOFF_MAX_SECONDS: "50000" })).toThrow(ConfigError);
  });
});
