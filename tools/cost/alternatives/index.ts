import { InputError } from "../units.ts";
import { eventBridgeSqsLambda } from "./eventbridge-sqs-lambda.ts";
import { gcpPubSub } from "./gcp-pubsub.ts";
import { kafkaEc2, mskProvisioned, mskServerless } from "./kafka.ts";
import { kinesisOnDemand, kinesisProvisioned } from "./kinesis.ts";
import { amazonMqRabbit, rabbitEc2 } from "./rabbitmq.ts";
import { natsJetStreamEc2, redisStreamsEc2 } from "./redis-nats.ts";
import { sfnExpress, sfnStandard } from "./sfn-saga.ts";
import { snsSqsLambda, snsSqsLambdaFifo } from "./sns-sqs-lambda.ts";
import type { Alternative } from "./types.ts";

/** Every priced alternative, in display order. */
export const ALTERNATIVES: readonly Alternative[] = [
  snsSqsLambda,
  snsSqsLambdaFifo,
  eventBridgeSqsLambda,
  kinesisProvisioned,
  kinesisOnDemand,
  mskProvisioned,
  mskServerless,
  kafkaEc2,
  amazonMqRabbit,
  rabbitEc2,
  redisStreamsEc2,
  natsJetStreamEc2,
  gcpPubSub,
  sfnStandard,
  sfnExpress,
];

/** The messaging alternatives (the default set; the saga ones are priced on request). */
export const MESSAGING_IDS = ALTERNATIVES.filter((a) => a.category === "messaging").map((a) => a.id);

/** Looks alternatives up by id; throws naming the unknown ones and listing the allowed ids. */
export function selectAlternatives(ids: readonly string[]): Alternative[] {
  const unknown = ids.filter((id) => !ALTERNATIVES.some((a) => a.id === id));
  if (unknown.length > 0) {
    throw new InputError(
      `--alternatives: unknown ${unknown.map((u) => `"${u}"`).join(", ")} (allowed: ${ALTERNATIVES.map((a) => a.id).join(", ")})`,
    );
  }
  return ids.map((id) => ALTERNATIVES.find((a) => a.id === id) as Alternative);
}

export type { Alternative } from "./types.ts";
