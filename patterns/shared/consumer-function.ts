import { Annotations, type Duration } from "aws-cdk-lib";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { type IFunction, Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { PatternFunction } from "./node-function.js";

/**
 * The Lambda function that consumes a pattern's queue: an `entry` the construct bundles
 * (recommended), or an existing `function`.
 */
export interface QueueConsumerFunctionProps {
  /** TypeScript entry of a handler to bundle. @default - none; `function` must be given */
  readonly entry?: string;
  /**
   * An existing function. The construct still adds the event source mapping, the DLQ grants and
   * (for a `lambda.Function` of this app) the pattern's environment; for an imported function it
   * warns which variables to set.
   * @default - none; `entry` must be given
   */
  readonly function?: IFunction;
  /**
   * Function timeout; it drives the queue's visibility timeout (AWS guidance: ≥ 6 × function
   * timeout). An existing `lambda.Function`'s own timeout is used when this is not given; an
   * imported function must come with it.
   * @default Duration.seconds(30), or the existing function's timeout
   */
  readonly timeout?: Duration;
  /** Memory in MB of a bundled `entry`. @default 256 */
  readonly memorySize?: number;
  /** Extra environment of a bundled `entry`, merged over the pattern's own. @default - none */
  readonly environment?: Record<string, string>;
  /** Reserved concurrency of a bundled `entry`. @default - unreserved */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * The queue and event source settings every SQS → Lambda pattern shares; the construct validates
 * them (see `sqs-consumer-rules.ts`).
 */
export interface QueueConsumerSettingsProps {
  /**
   * Receives before SQS moves a message to the DLQ. Each receive retries the whole record, so leave
   * room for transient failures but not for poison messages.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * Queue visibility timeout; validated to be ≥ 6 × the consumer timeout (AWS guidance for Lambda
   * event sources) and ≤ 12 hours.
   * @default - 6 × the consumer timeout
   */
  readonly visibilityTimeout?: Duration;
  /** Retention of the queue. @default Duration.days(4) */
  readonly retentionPeriod?: Duration;
  /**
   * Retention of the DLQs; must exceed `retentionPeriod`, because a standard queue's message keeps
   * its original enqueue time in the DLQ, so a shorter DLQ retention deletes it early.
   * @default Duration.days(14)
   */
  readonly deadLetterRetentionPeriod?: Duration;
  /** Records per invocation (1-10 FIFO, 1-10,000 standard; > 10 needs a batching window). @default 10 */
  readonly batchSize?: number;
  /** Time to gather a batch (0-300 s; standard queues only). @default - none */
  readonly maxBatchingWindow?: Duration;
  /** Cap on concurrent invocations by the event source (2-1,000). @default - no cap */
  readonly maxConcurrency?: number;
  /**
   * Maximum size in bytes of a message in the consumed queue (SQS counts the body and the message
   * attributes). The default is what the pattern supports end to end: SNS publishes at most 256 KiB.
   * The DLQs always allow SQS's maximum (1 MiB), and this must stay at least 8 KiB below it, so the
   * handler's DLQ copy of a permanent failure (the message plus `error.type`/`error.reason`) and the
   * redrive tool's `redrive-count` always fit: a dead-lettered message never loses its reason to size.
   * Allowed: 1,024 to 1,040,384.
   * @default 262144 (256 KiB); for a fan-out subscriber with the SNS envelope (`rawMessageDelivery`
   * false) 1040384, because the envelope around a message published near 256 KiB is larger than it
   */
  readonly maxMessageSizeBytes?: number;
}

/**
 * The timeout that drives a consumer queue's visibility timeout: the one given, else the existing
 * function's own configured timeout (a `lambda.Function` knows it), else `fallback` for a bundled
 * entry. `undefined` for an imported function without a given timeout: it cannot be validated.
 */
export function resolveConsumerTimeout(
  consumer: { readonly timeout?: Duration; readonly function?: IFunction },
  fallback: Duration,
): Duration | undefined {
  if (consumer.timeout) return consumer.timeout;
  if (consumer.function === undefined) return fallback;
  return consumer.function instanceof LambdaFunction ? (consumer.function.timeout ?? fallback) : undefined;
}

/**
 * Gives an existing consumer the environment the pattern's handler contract needs. An imported
 * function (not a `lambda.Function` of this app) cannot be changed here: the caller must set the
 * variables, and synth says so with a warning naming them.
 */
export function addConsumerEnvironment(
  scope: Construct,
  fn: IFunction,
  environment: Record<string, string>,
): void {
  if (fn instanceof LambdaFunction) {
    for (const [name, value] of Object.entries(environment)) fn.addEnvironment(name, value);
    return;
  }
  Annotations.of(scope).addWarningV2(
    "serverless-messaging:consumer-environment",
    `the existing consumer function is imported, so its environment cannot be set here; set ${Object.keys(environment).join(", ")} on it yourself`,
  );
}

/** Props of {@link createQueueConsumer}. */
export interface QueueConsumerProps {
  /** The consumer: an `entry` to bundle, or an existing `function`, with the bundling settings. */
  readonly consumer: QueueConsumerFunctionProps;
  /** The consumer timeout (validated against the queue's visibility timeout). */
  readonly timeout: Duration;
  /** The pattern's handler contract; the caller's `consumer.environment` is merged over it. */
  readonly environment: Record<string, string>;
  /** The consumed queue. */
  readonly queue: IQueue;
  /** Its DLQ: the consumer sends permanent failures there itself, with reason attributes. */
  readonly deadLetterQueue: IQueue;
  /** The key that encrypts the DLQ. */
  readonly key: IKey;
  /** Event source mapping settings. */
  readonly batchSize: number;
  readonly maxBatchingWindow?: Duration;
  readonly maxConcurrency?: number;
  /** Log retention of a bundled consumer. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** Description of a bundled consumer. */
  readonly description: string;
}

/** What {@link createQueueConsumer} made. */
export interface QueueConsumer {
  readonly consumer: IFunction;
  /** Set when the consumer was bundled from `entry` (construct ID `Consumer`). */
  readonly consumerFunction?: PatternFunction;
  readonly eventSource: SqsEventSource;
}

/**
 * The consumer side every SQS pattern shares: a bundled function (or an existing one given the
 * pattern's environment), exactly the permissions to send to its DLQ (`sqs:SendMessage` and the key's
 * `kms:GenerateDataKey`/`kms:Decrypt`, not `grantSendMessages`' wildcards), and an SQS event source
 * with partial batch responses.
 */
export function createQueueConsumer(scope: Construct, props: QueueConsumerProps): QueueConsumer {
  let consumer: IFunction;
  let consumerFunction: PatternFunction | undefined;
  if (props.consumer.function) {
    consumer = props.consumer.function;
    addConsumerEnvironment(scope, consumer, props.environment);
  } else {
    consumerFunction = new PatternFunction(scope, "Consumer", {
      entry: props.consumer.entry as string,
      timeout: props.timeout,
      memorySize: props.consumer.memorySize,
      environment: { ...props.environment, ...props.consumer.environment },
      logRetention: props.logRetention,
      reservedConcurrentExecutions: props.consumer.reservedConcurrentExecutions,
      description: props.description,
    });
    consumer = consumerFunction.function;
  }
  props.deadLetterQueue.grant(consumer, "sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl");
  props.key.grant(consumer, "kms:GenerateDataKey", "kms:Decrypt");
  // The event source grants receive, delete and ChangeMessageVisibility on the queue.
  const eventSource = new SqsEventSource(props.queue, {
    batchSize: props.batchSize,
    maxBatchingWindow: props.maxBatchingWindow,
    maxConcurrency: props.maxConcurrency,
    reportBatchItemFailures: true,
  });
  consumer.addEventSource(eventSource);
  return { consumer, consumerFunction, eventSource };
}
