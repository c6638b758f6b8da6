/**
 * `npm run bench -- redrive`: throughput of the redrive tool's own mover (receive → SendMessageBatch →
 * DeleteMessageBatch) against fauxqs in this process, unbounded and with `--rate 200`.
 * Targets: ≥ 1,000 messages/s unbounded on 2 cores; with a rate R, the achieved rate within 10 % of R.
 * The steady rate is measured from the first moved batch to the last; also printed: from the call to the
 * last move, and over the whole run (planning and the lock; the mover stops at the depth it planned with,
 * so no final empty long poll is needed to tell it the DLQ is empty).
 */
import { performance } from "node:perf_hooks";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { buildApp } from "fauxqs";
import { redrive } from "../functions/shared/redrive/index.ts";

const app = buildApp({ logger: false, host: "127.0.0.1" });
const endpoint = await app.listen({ port: 0, host: "127.0.0.1" });
const sqs = new SQSClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  useQueueUrlAsEndpoint: false,
});

let pairs = 0;
async function fill(messages: number): Promise<{ dlqUrl: string; sourceUrl: string }> {
  pairs++;
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `bench-dlq-${pairs}` })))
    .QueueUrl as string;
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] }),
  );
  const sourceUrl = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: `bench-work-${pairs}`,
        Attributes: {
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: 3 }),
        },
      }),
    )
  ).QueueUrl as string;
  const body = JSON.stringify({
    specversion: "1.0",
    type: "job.requested",
    data: { payload: "x".repeat(400) },
  });
  const batches = [];
  for (let i = 0; i < messages; i += 10) {
    batches.push(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: dlqUrl,
          Entries: Array.from({ length: Math.min(10, messages - i) }, (_, j) => ({
            Id: String(j),
            MessageBody: body,
            MessageAttributes: {
              "error.type": { DataType: "String", StringValue: "RetriesExhausted" },
              "error.reason": { DataType: "String", StringValue: "failed on all 3 receives" },
            },
          })),
        }),
      ),
    );
    if (batches.length >= 20) await Promise.all(batches.splice(0));
  }
  await Promise.all(batches);
  return { dlqUrl, sourceUrl };
}

async function measure(label: string, messages: number, ratePerSecond?: number): Promise<number> {
  const { dlqUrl } = await fill(messages);
  const started = performance.now();
  let lastMoveAt = started;
  let firstMoveAt = 0;
  let firstMoved = 0;
  let moved = 0;
  const summary = await redrive(
    { sqs },
    {
      from: dlqUrl,
      ...(ratePerSecond ? { ratePerSecond } : {}),
      onProgress: (p) => {
        if (p.moved > moved) {
          if (moved === 0) {
            firstMoveAt = performance.now();
            firstMoved = p.moved;
          }
          moved = p.moved;
          lastMoveAt = performance.now();
        }
      },
    },
  );
  const totalMs = performance.now() - started;
  const movingMs = lastMoveAt - started;
  // Steady rate: from the first moved batch to the last (excludes planning, the lock and the final poll).
  const rate = ((summary.moved - firstMoved) * 1000) / (lastMoveAt - firstMoveAt);
  const overall = (summary.moved * 1000) / totalMs;
  console.log(
    `${label}: moved ${summary.moved}/${messages} messages (${summary.strategy}) at ${rate.toFixed(0)} messages/s steady, ` +
      `${((summary.moved * 1000) / movingMs).toFixed(0)} messages/s from the call to the last move, ${overall.toFixed(0)} messages/s ` +
      `over the whole run (${(totalMs / 1000).toFixed(2)} s incl. planning and the lock; stopped: ${summary.stopReason ?? summary.strategy})`,
  );
  if (summary.moved !== messages || summary.failed > 0) throw new Error(`${label}: not every message moved`);
  return rate;
}

await measure("warm-up", 500);
const unbounded = await measure("unbounded", 10_000);
console.log(
  `  target ≥ 1,000 messages/s: ${unbounded >= 1_000 ? "met" : "NOT met"} (${(unbounded / 1_000).toFixed(2)} × target)`,
);
const rated = await measure("--rate 200", 1_000, 200);
const deviation = (rated - 200) / 200;
console.log(
  `  target within 10 % of 200 messages/s: ${Math.abs(deviation) <= 0.1 ? "met" : "NOT met"} (${(deviation * 100).toFixed(1)} %, ratio ${(rated / 200).toFixed(3)})`,
);

sqs.destroy();
await app.close();
