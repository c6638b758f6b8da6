import type { LambdaClient } from "@aws-sdk/client-lambda";
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { invokeJson } from "../kit/invoke.ts";
import { type FanoutEvent, malformedBody } from "./events.ts";

/** What {@link publishRun} publishes. */
export interface PublishPlan {
  readonly publisherFunctionName: string;
  readonly topicArn: string;
  readonly runId: string;
  readonly events: readonly FanoutEvent[];
  /** Events published a second time, after all the others (a retrying producer). */
  readonly duplicates: readonly FanoutEvent[];
  /** Malformed bodies published straight to the topic, last. */
  readonly malformed: number;
  /** Events per publisher invocation. */
  readonly batchSize: number;
  /** Concurrent publisher invocations. */
  readonly concurrency: number;
}

/**
 * Publishes a fan-out run: the events through the publisher function in batches (`concurrency` at a
 * time), then the duplicates through it too, then the malformed bodies straight to the topic with
 * `type = order.created` (so billing's attribute filter lets them through). Returns when each event
 * was first published and how many entries the publisher reported as failed.
 */
export async function publishRun(
  clients: { readonly lambda: LambdaClient; readonly sns: SNSClient },
  plan: PublishPlan,
  onPublished: (published: number) => void,
): Promise<{ publishedAt: Map<string, number>; publishFailures: number }> {
  const publishedAt = new Map<string, number>();
  const chunks: FanoutEvent[][] = [];
  for (let i = 0; i < plan.events.length; i += plan.batchSize)
    chunks.push(plan.events.slice(i, i + plan.batchSize));
  if (plan.duplicates.length > 0) chunks.push([...plan.duplicates]);
  let published = 0;
  let publishFailures = 0;
  const publishChunk = async (chunk: FanoutEvent[]) => {
    const now = Date.now();
    for (const e of chunk) if (!publishedAt.has(e.id)) publishedAt.set(e.id, now);
    const result = await invokeJson<{ published: unknown[]; failed: unknown[] }>(
      clients.lambda,
      plan.publisherFunctionName,
      { events: chunk.map((e) => ({ id: e.id, type: e.type, data: e.data, subject: e.data.orderId })) },
    );
    publishFailures += result.failed.length;
    published += chunk.length;
    onPublished(published);
  };
  const queue = [...chunks];
  await Promise.all(
    Array.from({ length: plan.concurrency }, async () => {
      for (let chunk = queue.shift(); chunk; chunk = queue.shift()) await publishChunk(chunk);
    }),
  );
  for (let i = 0; i < plan.malformed; i++) {
    await clients.sns.send(
      new PublishCommand({
        TopicArn: plan.topicArn,
        Message: malformedBody(plan.runId, i),
        MessageAttributes: { type: { DataType: "String", StringValue: "order.created" } },
      }),
    );
    published++;
  }
  onPublished(published);
  return { publishedAt, publishFailures };
}
