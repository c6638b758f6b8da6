import { Agent } from "node:http";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { FauxqsServer, SnsSpyMessage, SpyMessage } from "fauxqs";
import { AssemblyError } from "../cloud-assembly.ts";
import { sqsMappingConfig } from "../event-sources/sqs-mapping.ts";
import { SqsPoller } from "../event-sources/sqs-poller.ts";
import {
  createQueue,
  createSubscription,
  createTopic,
  type LocalSubscription,
} from "../resources/messaging.ts";
import { physicalName } from "../resources/names.ts";
import type { Spy } from "../spy.ts";
import { subscriptionDlq } from "../subscription-dlq.ts";
import type { TemplateResource } from "../template.ts";
import { installDeliveryGuard } from "./fauxqs-delivery-guard.ts";
import { startLoopbackFauxqs } from "./fauxqs-server.ts";
import type {
  CreateRequest,
  EventSourceMappingRequest,
  LocalService,
  PlanContext,
  ServiceHost,
  ServiceStart,
} from "./local-service.ts";
import { MoveTasks } from "./sqs-move-tasks.ts";

/** Options of {@link SqsSnsService}. */
export interface SqsSnsServiceProps {
  /**
   * Overrides every queue's `VisibilityTimeout` (seconds) so that retries show in seconds.
   * @default - the template's values
   */
  readonly visibilityTimeoutSeconds?: number;
}

const CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

/**
 * SQS and SNS on fauxqs, in this process, on 127.0.0.1: queues (standard and FIFO, redrive and
 * redrive-allow policies), topics, SQS subscriptions with raw delivery, filter policies and
 * subscription DLQs, the SQS event source of Lambda, and SQS message move tasks
 * (`StartMessageMoveTask`, `ListMessageMoveTasks`, `CancelMessageMoveTask`), which fauxqs lacks.
 */
export class SqsSnsService implements LocalService {
  readonly name = "sqs-sns";
  private server?: FauxqsServer;
  private port = 0;
  private region = "us-east-1";
  private client?: SQSClient;
  private readonly subscriptions: LocalSubscription[] = [];
  private onPublish: (message: SnsSpyMessage) => void = () => undefined;
  private moveTasks?: MoveTasks;

  constructor(private readonly props: SqsSnsServiceProps = {}) {}

  readonly gaps = [
    "SQS FIFO: a receive returns at most one message per message group (fauxqs); order per group is kept",
    "SNS: delivery retry policies are not emulated; a subscription DLQ receives messages only when the subscribed queue no longer exists, or a raw message has more than 10 attributes",
  ];

  readonly noOps = {
    "AWS::SQS::QueuePolicy": "resource policies are not enforced",
    "AWS::SNS::TopicPolicy": "resource policies are not enforced",
  };

  readonly resourceTypes = {
    "AWS::SQS::Queue": {
      parity:
        "standard and FIFO queues: visibility timeout, delay, retention, maximum size, redrive and redrive-allow policies, message move tasks (KMS key IDs stored, never used)",
      plan: (logicalId: string, resource: TemplateResource, ctx: PlanContext) => {
        const props = resource.Properties ?? {};
        const fifo = props.FifoQueue === true || props.FifoQueue === "true";
        const name =
          props.QueueName !== undefined
            ? ctx.literal(props.QueueName, `${logicalId}.QueueName`)
            : physicalName(ctx.stackName, logicalId, 80, fifo ? ".fifo" : "");
        const url = `http://sqs.${ctx.region}.localhost:${this.port}/${ctx.accountId}/${name}`;
        const arn = `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${name}`;
        return { ref: url, attributes: { Arn: arn, QueueName: name, QueueUrl: url } };
      },
      create: ({ logicalId, props, planned }: CreateArgs) => {
        const queueProps = { ...props };
        if (this.props.visibilityTimeoutSeconds !== undefined) {
          queueProps.VisibilityTimeout = this.props.visibilityTimeoutSeconds;
        }
        const created = createQueue(this.fauxqs, logicalId, planned.attributes.QueueName ?? "", queueProps);
        if (created.queueUrl !== planned.ref) {
          throw new AssemblyError(
            `queue ${logicalId}: fauxqs returned ${created.queueUrl}, expected ${planned.ref}`,
          );
        }
      },
    },
    "AWS::SNS::Topic": {
      parity: "standard and FIFO topics (content-based deduplication)",
      plan: (logicalId: string, resource: TemplateResource, ctx: PlanContext) => {
        const props = resource.Properties ?? {};
        const fifo = props.FifoTopic === true || props.FifoTopic === "true";
        const name =
          props.TopicName !== undefined
            ? ctx.literal(props.TopicName, `${logicalId}.TopicName`)
            : physicalName(ctx.stackName, logicalId, 256, fifo ? ".fifo" : "");
        const arn = `arn:aws:sns:${ctx.region}:${ctx.accountId}:${name}`;
        return { ref: arn, attributes: { TopicArn: arn, TopicName: name } };
      },
      create: ({ logicalId, props, planned }: CreateArgs) => {
        createTopic(this.fauxqs, logicalId, planned.attributes.TopicName ?? "", props);
      },
    },
    "AWS::SNS::Subscription": {
      parity:
        "SQS subscriptions: raw message delivery, attribute and body filter policies, subscription DLQ (RedrivePolicy)",
      plan: (logicalId: string, _resource: unknown, ctx: PlanContext) => {
        const arn = `arn:aws:sns:${ctx.region}:${ctx.accountId}:${logicalId}:${crypto.randomUUID()}`;
        return { ref: arn, attributes: { Arn: arn } };
      },
      create: ({ logicalId, props }: CreateArgs) => {
        this.subscriptions.push(createSubscription(this.fauxqs, logicalId, props));
      },
    },
  };

  /** The running fauxqs (for tests and the move tasks). */
  get fauxqs(): FauxqsServer {
    if (!this.server) throw new Error("the sqs-sns service is not started");
    return this.server;
  }

  async start(host: ServiceHost): Promise<ServiceStart> {
    this.region = host.region;
    await installDeliveryGuard();
    const moveTasks = new MoveTasks(
      host.region,
      host.accountId,
      () => this.fauxqs,
      () => this.sqs(),
    );
    this.moveTasks = moveTasks;
    const { fauxqs, address } = await startLoopbackFauxqs({ region: host.region }, moveTasks.actions);
    this.server = fauxqs;
    this.port = address.port;
    forwardSpy(fauxqs, host.spy, (message) => {
      if (message.service === "sqs" && message.status === "dlq") moveTasks.recordDeadLetter(message);
      if (message.service === "sns") this.onPublish(message);
    });
    const endpoint = `http://${address.host}:${address.port}`;
    return {
      endpoints: { sqs: endpoint, sns: endpoint },
      environment: {
        AWS_ENDPOINT_URL: endpoint,
        AWS_ENDPOINT_URL_SQS: endpoint,
        AWS_ENDPOINT_URL_SNS: endpoint,
      },
    };
  }

  async eventSources(host: ServiceHost): Promise<readonly []> {
    // Every subscription exists now: dead-letter what SNS could not deliver.
    this.onPublish = await subscriptionDlq(this.fauxqs, this.subscriptions, host.spy);
    return [];
  }

  async eventSource(mapping: EventSourceMappingRequest, host: ServiceHost): Promise<SqsPoller | undefined> {
    const sourceArn = String(mapping.props.EventSourceArn ?? "");
    const queue = [...host.resources()].find(
      (r) => r.type === "AWS::SQS::Queue" && r.attributes.Arn === sourceArn,
    );
    if (!queue) return undefined;
    const config = await sqsMappingConfig(mapping, queue);
    return new SqsPoller(config, this.sqs(), mapping.invoke, host.spy, host.region);
  }

  async stop(): Promise<void> {
    this.moveTasks?.stop();
    this.client?.destroy();
    if (this.server) {
      this.server.spy.clear();
      await this.server.stop();
    }
  }

  /**
   * The SQS client of the event sources and move tasks. Its connection pool has no socket limit:
   * every poller holds a socket for its 20 s long poll, and with the SDK's default of 50 sockets a
   * stack with more than 50 pollers queued its deletes behind them until the messages became
   * visible again and were processed twice.
   */
  private sqs(): SQSClient {
    this.client ??= new SQSClient({
      region: this.region,
      endpoint: `http://127.0.0.1:${this.port}`,
      credentials: CREDENTIALS,
      requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY }) },
    });
    return this.client;
  }
}

type CreateArgs = CreateRequest;

/** Streams fauxqs's message spy into the cloud's spy (sends, deletes, DLQ moves, SNS publishes). */
function forwardSpy(fauxqs: FauxqsServer, spy: Spy, also: (message: SpyMessage) => void): void {
  // A small spy buffer: events are streamed to our own spy through a waiter that never matches.
  fauxqs.spy
    .waitForMessage((message: SpyMessage) => {
      record(message, spy);
      also(message);
      return false;
    })
    .catch(() => undefined);
}

function record(message: SpyMessage, spy: Spy): void {
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
