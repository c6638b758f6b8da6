import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { ScenarioTarget } from "../target.ts";

/** The AWS SDK clients of a scenario, configured for one target. */
export interface ScenarioClients {
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly dynamodb: DynamoDBClient;
  readonly lambda: LambdaClient;
  /** Closes every client's connections. */
  destroy(): void;
}

/**
 * Builds the scenario's SDK clients from `target.clientConfig` (endpoint, region, credentials). SQS calls
 * go to the configured endpoint, not the host named in a queue URL, so local queue URLs
 * (`sqs.<region>.localhost`) need not resolve on the machine running the scenario; on AWS both are the same.
 */
export function openClients(target: ScenarioTarget): ScenarioClients {
  const sqs = new SQSClient({ ...target.clientConfig("sqs"), useQueueUrlAsEndpoint: false });
  const sns = new SNSClient(target.clientConfig("sns"));
  const dynamodb = new DynamoDBClient(target.clientConfig("dynamodb"));
  const lambda = new LambdaClient(target.clientConfig("lambda"));
  return {
    sqs,
    sns,
    dynamodb,
    lambda,
    destroy: () => {
      for (const client of [sqs, sns, dynamodb, lambda]) client.destroy();
    },
  };
}

/**
 * How often a scenario polls a target: every 200 ms on the embedded cloud, every 2 s on deployed
 * targets (where each poll is a billed request and approximate counts lag).
 */
export function pollIntervalMs(target: ScenarioTarget): number {
  return target.name === "local" ? 200 : 2000;
}
