import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { MAX_BATCH_BYTES } from "./batches.ts";
import { isQueueMissing, RedriveInputError } from "./errors.ts";

/** A queue named by the user, before it is looked up: either its URL or its ARN. */
export type QueueRef =
  | { kind: "url"; url: string; name: string; account?: string; region?: string }
  | { kind: "arn"; arn: string; name: string; account: string; region: string; partition: string };

/** What the redrive needs to know about a queue, read with GetQueueAttributes. */
export interface QueueInfo {
  readonly url: string;
  readonly arn: string;
  readonly name: string;
  /** FIFO queues (name ends `.fifo`) need MessageGroupId on every send. */
  readonly fifo: boolean;
  readonly contentBasedDeduplication: boolean;
  /** MaximumMessageSize in bytes (body + attributes); a DLQ may allow more than the queue it feeds. */
  readonly maximumMessageSize: number;
  /** ApproximateNumberOfMessages: visible messages, an estimate (SQS is distributed). */
  readonly approximateVisible: number;
  /** ApproximateNumberOfMessagesNotVisible: in flight (received, not yet deleted). */
  readonly approximateInFlight: number;
  /** The queue's own RedrivePolicy.deadLetterTargetArn, when it has a DLQ. */
  readonly deadLetterTargetArn?: string;
}

const ARN = /^arn:(aws[a-z-]*):sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/;
const REGION_IN_HOST = /(?:^|\.)sqs[.-]([a-z]{2}(?:-[a-z]+)+-\d)\./;

/**
 * Parses `--from`/`--to`: an SQS queue URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`, or any
 * emulator URL whose last two path segments are account and name) or an ARN (`arn:aws:sqs:<region>:<account>:<name>`).
 * Throws a {@link RedriveInputError} naming the option and the allowed forms.
 */
export function parseQueueRef(option: string, value: string): QueueRef {
  const arn = ARN.exec(value);
  if (arn) {
    const [, partition = "aws", region = "", account = "", name = ""] = arn;
    return { kind: "arn", arn: value, name, account, region, partition };
  }
  // Not `new URL()`: emulators hand out hosts such as `sqs.us-east-1.127.0.0.1:4566`, which WHATWG URL rejects.
  const url = /^https?:\/\/([^/?#]+)\/(?:[^?#]*\/)?([^/?#]+)\/([^/?#]+)\/?$/.exec(value);
  if (url) {
    const [, host = "", account = "", name = ""] = url;
    if (/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(name)) {
      const region = REGION_IN_HOST.exec(host)?.[1];
      return { kind: "url", url: value, name, account, ...(region ? { region } : {}) };
    }
  }
  throw new RedriveInputError(
    option,
    `${option} ${JSON.stringify(value)} is not an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>) or ARN (arn:aws:sqs:<region>:<account>:<name>)`,
  );
}

/** The region a reference names, if it names one (ARNs always do; AWS URLs do; emulator URLs do not). */
export function regionOf(ref: QueueRef): string | undefined {
  return ref.region;
}

/**
 * Looks a queue up: URL from ARN with GetQueueUrl, then its attributes. A queue that does not exist
 * becomes a {@link RedriveInputError} ("unknown queue") for `option`.
 */
export async function describeQueue(sqs: SQSClient, option: string, ref: QueueRef): Promise<QueueInfo> {
  try {
    const url =
      ref.kind === "url"
        ? ref.url
        : ((
            await sqs.send(
              new GetQueueUrlCommand({ QueueName: ref.name, QueueOwnerAWSAccountId: ref.account }),
            )
          ).QueueUrl ?? "");
    const { Attributes: a = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }),
    );
    const redrivePolicy = a.RedrivePolicy ? parseRedrivePolicy(a.RedrivePolicy) : undefined;
    return {
      url,
      arn: a.QueueArn ?? (ref.kind === "arn" ? ref.arn : ""),
      name: ref.name,
      fifo: a.FifoQueue === "true" || ref.name.endsWith(".fifo"),
      contentBasedDeduplication: a.ContentBasedDeduplication === "true",
      maximumMessageSize: Number(a.MaximumMessageSize ?? MAX_BATCH_BYTES) || MAX_BATCH_BYTES,
      approximateVisible: Number(a.ApproximateNumberOfMessages ?? 0),
      approximateInFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
      ...(redrivePolicy?.deadLetterTargetArn
        ? { deadLetterTargetArn: redrivePolicy.deadLetterTargetArn }
        : {}),
    };
  } catch (error) {
    if (isQueueMissing(error)) {
      const shown = ref.kind === "url" ? ref.url : ref.arn;
      throw new RedriveInputError(
        option,
        `${option}: unknown queue ${shown} (it does not exist or is not visible with these credentials)`,
      );
    }
    throw error;
  }
}

/** Parses a queue's RedrivePolicy JSON (`{"deadLetterTargetArn": "...", "maxReceiveCount": 5}`). */
export function parseRedrivePolicy(json: string): { deadLetterTargetArn?: string; maxReceiveCount?: number } {
  try {
    const parsed = JSON.parse(json) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    return {
      ...(typeof parsed.deadLetterTargetArn === "string"
        ? { deadLetterTargetArn: parsed.deadLetterTargetArn }
        : {}),
      ...(parsed.maxReceiveCount !== undefined ? { maxReceiveCount: Number(parsed.maxReceiveCount) } : {}),
    };
  } catch {
    return {};
  }
}
