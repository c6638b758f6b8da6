import { Worker } from "node:worker_threads";
import { type FauxqsServer, type SnsSpyMessage, type SpyMessage, startFauxqs } from "fauxqs";
import { workerExecArgv } from "./profiling.ts";
import type { Spy } from "./spy.ts";

/** The running emulators and the endpoints clients and functions use to reach them. */
export interface Emulators {
  readonly fauxqs: FauxqsServer;
  /** `http://127.0.0.1:<port>` of fauxqs (SQS, SNS, STS). */
  readonly sqsEndpoint: string;
  readonly snsEndpoint: string;
  /** `http://127.0.0.1:<port>` of dynalite (DynamoDB). */
  readonly dynamodbEndpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts fauxqs (SQS + SNS, in this thread) and dynalite (DynamoDB, in a worker thread of this
 * process) on 127.0.0.1, port 0, and
 * forwards fauxqs's message spy into `spy` (sends, deletes, DLQ moves, SNS publishes).
 */
export async function startEmulators(
  region: string,
  spy: Spy,
  onPublish?: (message: SnsSpyMessage) => void,
): Promise<Emulators> {
  // A small spy buffer: events are streamed to our own spy through a waiter that never matches.
  const fauxqs = await startFauxqs({
    port: 0,
    logger: false,
    host: "localhost",
    defaultRegion: region,
    messageSpies: { bufferSize: 1 },
  });
  fauxqs.spy
    .waitForMessage((message: SpyMessage) => {
      forward(message, spy);
      if (message.service === "sns") onPublish?.(message);
      return false;
    })
    .catch(() => undefined);
  const dynamo = new Worker(new URL("./dynamodb-worker.ts", import.meta.url), {
    execArgv: workerExecArgv(),
    name: "dynalite",
  });
  const dynamoPort = await new Promise<number>((resolve, reject) => {
    dynamo.once("error", reject);
    dynamo.once("message", (message: { type: string; port: number }) => resolve(message.port));
  });
  const fauxqsEndpoint = `http://127.0.0.1:${fauxqs.port}`;
  return {
    fauxqs,
    sqsEndpoint: fauxqsEndpoint,
    snsEndpoint: fauxqsEndpoint,
    dynamodbEndpoint: `http://127.0.0.1:${dynamoPort}`,
    async stop() {
      fauxqs.spy.clear();
      const stopped = new Promise<void>((resolve) => dynamo.once("message", () => resolve()));
      dynamo.postMessage({ type: "stop" });
      await Promise.all([
        fauxqs.stop(),
        Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 2000).unref())]),
      ]);
      await dynamo.terminate();
    },
  };
}

function forward(message: SpyMessage, spy: Spy): void {
  if (message.service === "sqs") {
    const base = { queueName: message.queueName, messageId: message.messageId, at: message.timestamp };
    if (message.status === "published") spy.record({ kind: "sqs.send", ...base, body: message.body });
    else if (message.status === "consumed") spy.record({ kind: "sqs.delete", ...base });
    else spy.record({ kind: "sqs.dlq", ...base, body: message.body });
  } else if (message.service === "sns") {
    spy.record({
      kind: "sns.publish",
      topicName: message.topicName,
      messageId: message.messageId,
      body: message.body,
      at: message.timestamp,
    });
  }
}
