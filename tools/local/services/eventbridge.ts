/**
 * EventBridge for the embedded cloud: event buses, rules (event patterns with EventBridge's
 * semantics, see `eventbridge-pattern.ts`, and `rate(…)` schedules) and their targets, served to the
 * AWS SDK on 127.0.0.1 (`AWS_ENDPOINT_URL_EVENTBRIDGE`, AWS JSON 1.1 protocol).
 *
 * - API: `PutEvents` (at most 10 entries and 256 KiB per call; per-entry failures with
 *   `FailedEntryCount`), `TestEventPattern`, `DescribeEventBus`, `ListRules`.
 * - Targets: SQS (with `SqsParameters.MessageGroupId` for FIFO), Lambda (invoked asynchronously, as
 *   EventBridge does), SNS; `Input`, `InputPath` (`$` and `$.a.b` paths) and `InputTransformer`
 *   (`InputPathsMap` + `InputTemplate`); `RetryPolicy` (attempts, event age) and `DeadLetterConfig`
 *   (the SQS DLQ gets the event with `RULE_ARN`, `TARGET_ARN`, `ERROR_CODE`, `ERROR_MESSAGE`
 *   attributes, as on AWS). Any other target type fails loudly at start.
 * - Schedules run on a timer; local runs may shorten rates (`scheduleIntervalMs`, printed at start).
 *   `cron(…)` runs only with that override.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { physicalName } from "../resources/names.ts";
import { UnsupportedResourceError } from "../resources/plan.ts";
import type { Json, TemplateResource } from "../template.ts";
import {
  compileEventPattern,
  type EventPatternMatcher,
  InvalidEventPatternError,
} from "./eventbridge-pattern.ts";
import type {
  CreateRequest,
  LocalEventSource,
  LocalService,
  PlanContext,
  ServiceHost,
  ServiceStart,
} from "./local-service.ts";

/** Options of {@link EventBridgeService}. */
export interface EventBridgeServiceProps {
  /** Runs every schedule rule at this interval instead of its rate (and enables `cron`). @default - the rule's rate */
  readonly scheduleIntervalMs?: number;
  /** Delay before the first retry of a failed target delivery (doubles, capped at 1 s). @default 50 */
  readonly retryBaseDelayMs?: number;
  /** Caps each target's `MaximumRetryAttempts` locally, so a broken target reaches its DLQ quickly. @default 3 */
  readonly maxLocalRetryAttempts?: number;
}

/** The PutEvents limits. */
export const PUT_EVENTS_LIMITS = { maxEntries: 10, maxBytes: 256 * 1024 } as const;

/** An event as EventBridge delivers it to targets. */
export interface BusEvent {
  readonly version: "0";
  readonly id: string;
  readonly "detail-type": string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Json;
}

interface Bus {
  readonly name: string;
  readonly arn: string;
  readonly props: Record<string, Json>;
}

interface Target {
  readonly id: string;
  readonly arn: string;
  readonly input?: string;
  readonly inputPath?: string;
  readonly transformer?: { readonly paths: Record<string, string>; readonly template: string };
  readonly messageGroupId?: string;
  readonly maxAttempts: number;
  readonly maxAgeSeconds: number;
  readonly deadLetterArn?: string;
}

interface LocalRule {
  readonly name: string;
  readonly arn: string;
  readonly bus: string;
  readonly enabled: boolean;
  readonly pattern?: Json;
  readonly matches?: EventPatternMatcher;
  readonly schedule?: string;
  readonly targets: readonly Target[];
}

const CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };
const SUPPORTED_TARGET_KEYS = new Set([
  "Arn",
  "Id",
  "Input",
  "InputPath",
  "InputTransformer",
  "RetryPolicy",
  "DeadLetterConfig",
  "SqsParameters",
  "RoleArn",
]);

/** An API error answered as `{ __type, message }` with HTTP 400. */
class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** See the module documentation. */
export class EventBridgeService implements LocalService {
  readonly name = "eventbridge";
  readonly gaps = [
    "EventBridge: bus encryption keys and resource policies are stored, never enforced; the bus DLQ never receives (nothing fails to decrypt locally)",
    "EventBridge: target retries are capped locally (maxLocalRetryAttempts) and spaced by milliseconds; archives, replays, API and partner destinations are not emulated",
  ];
  readonly noOps = {
    "AWS::Events::EventBusPolicy": "resource policies are not enforced",
    "AWS::Events::Archive": "archive and replay are not emulated (run them on the aws target)",
  };
  /** What the service did: entries accepted by PutEvents, rule matches (deliveries to targets), DLQ sends. */
  readonly stats = { putEntries: 0, deliveries: 0, deadLettered: 0 };
  private readonly buses = new Map<string, Bus>();
  private readonly rules: LocalRule[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private server?: Server;
  private port = 0;
  private host?: ServiceHost;
  private sqsClient?: SQSClient;
  private snsClient?: SNSClient;

  constructor(private readonly props: EventBridgeServiceProps = {}) {}

  readonly resourceTypes = {
    "AWS::Events::EventBus": {
      parity: "custom event buses (KMS key and bus DLQ stored, not used)",
      plan: (logicalId: string, resource: TemplateResource, ctx: PlanContext) => {
        const props = resource.Properties ?? {};
        const name =
          props.Name !== undefined
            ? ctx.literal(props.Name, `${logicalId}.Name`)
            : physicalName(ctx.stackName, logicalId, 256);
        const arn = `arn:aws:events:${ctx.region}:${ctx.accountId}:event-bus/${name}`;
        return { ref: name, attributes: { Arn: arn, Name: name } };
      },
      create: ({ props, planned }: CreateRequest) => {
        const name = planned.attributes.Name as string;
        this.buses.set(name, { name, arn: planned.attributes.Arn as string, props });
      },
    },
    "AWS::Events::Rule": {
      parity:
        "event-pattern rules (EventBridge pattern semantics) and rate schedules; SQS, Lambda and SNS targets with Input, InputPath, InputTransformer, RetryPolicy and DeadLetterConfig",
      plan: (logicalId: string, resource: TemplateResource, ctx: PlanContext) => {
        const props = resource.Properties ?? {};
        const name =
          props.Name !== undefined
            ? ctx.literal(props.Name, `${logicalId}.Name`)
            : physicalName(ctx.stackName, logicalId, 64);
        const bus =
          props.EventBusName !== undefined
            ? busName(ctx.literal(props.EventBusName, `${logicalId}.EventBusName`))
            : "default";
        const custom = bus !== "default";
        const arn = `arn:aws:events:${ctx.region}:${ctx.accountId}:rule/${custom ? `${bus}/` : ""}${name}`;
        // Ref of a rule on a custom bus is `<bus>|<rule>` (CloudFormation).
        return { ref: custom ? `${bus}|${name}` : name, attributes: { Arn: arn } };
      },
      create: (request: CreateRequest) => {
        this.rules.push(this.createRule(request));
      },
    },
  };

  async start(host: ServiceHost): Promise<ServiceStart> {
    this.host = host;
    this.buses.set("default", {
      name: "default",
      arn: `arn:aws:events:${host.region}:${host.accountId}:event-bus/default`,
      props: {},
    });
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    const endpoint = `http://127.0.0.1:${this.port}`;
    if (this.props.scheduleIntervalMs !== undefined) {
      host.progress(
        `eventbridge: schedule rules run every ${this.props.scheduleIntervalMs} ms (local override)`,
      );
    }
    return { endpoints: { eventbridge: endpoint }, environment: { AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint } };
  }

  eventSources(): readonly LocalEventSource[] {
    return this.rules.filter((r) => r.schedule && r.enabled).map((rule) => this.scheduleSource(rule));
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.sqsClient?.destroy();
    this.snsClient?.destroy();
  }

  /** Deliveries still running (tests and scenarios wait for them). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Puts entries like `PutEvents` (also what the HTTP API calls). */
  putEvents(entries: readonly Record<string, unknown>[]): {
    FailedEntryCount: number;
    Entries: ({ EventId: string } | { ErrorCode: string; ErrorMessage: string })[];
  } {
    if (entries.length === 0 || entries.length > PUT_EVENTS_LIMITS.maxEntries) {
      throw new ApiError(
        "ValidationException",
        `Entries must hold 1 to ${PUT_EVENTS_LIMITS.maxEntries} entries, got ${entries.length}`,
      );
    }
    const size = entries.reduce((sum, e) => sum + entrySize(e), 0);
    if (size > PUT_EVENTS_LIMITS.maxBytes) {
      throw new ApiError(
        "ValidationException",
        `Total size of the entries in the request is over the limit (${size} > ${PUT_EVENTS_LIMITS.maxBytes} bytes)`,
      );
    }
    const host = this.requireHost();
    const results = entries.map((entry) => {
      const source = entry.Source;
      const detailType = entry.DetailType;
      if (typeof source !== "string" || source === "")
        return entryError(
          "InvalidArgument",
          "Parameter Source is not valid. Reason: Source is a required argument.",
        );
      if (typeof detailType !== "string" || detailType === "")
        return entryError(
          "InvalidArgument",
          "Parameter DetailType is not valid. Reason: DetailType is a required argument.",
        );
      let detail: Json;
      try {
        detail = JSON.parse(String(entry.Detail ?? "")) as Json;
      } catch {
        return entryError("MalformedDetail", "Detail is malformed.");
      }
      if (typeof detail !== "object" || detail === null || Array.isArray(detail))
        return entryError("MalformedDetail", "Detail is malformed.");
      const bus = this.buses.get(busName(String(entry.EventBusName ?? "default")));
      if (!bus)
        return entryError(
          "ResourceNotFoundException",
          `Event bus ${String(entry.EventBusName)} does not exist.`,
        );
      const time = entry.Time === undefined ? new Date() : new Date(entry.Time as string | number | Date);
      const event: BusEvent = {
        version: "0",
        id: randomUUID(),
        "detail-type": detailType,
        source,
        account: host.accountId,
        time: time.toISOString().replace(/\.\d{3}Z$/, "Z"),
        region: host.region,
        resources: Array.isArray(entry.Resources) ? (entry.Resources as string[]) : [],
        detail,
      };
      this.stats.putEntries++;
      this.route(bus.name, event);
      return { EventId: event.id };
    });
    return { FailedEntryCount: results.filter((r) => "ErrorCode" in r).length, Entries: results };
  }

  private route(bus: string, event: BusEvent): void {
    for (const rule of this.rules) {
      if (rule.bus !== bus || !rule.enabled || !rule.matches?.(event)) continue;
      for (const target of rule.targets) {
        this.stats.deliveries++;
        this.track(this.deliver(rule, target, event));
      }
    }
  }

  private track(promise: Promise<void>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }

  private async deliver(rule: LocalRule, target: Target, event: BusEvent): Promise<void> {
    const payload = targetInput(target, event);
    const started = Date.now();
    let lastError: Error | undefined;
    const attempts = 1 + Math.min(target.maxAttempts, this.props.maxLocalRetryAttempts ?? 3);
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) {
        const delay = Math.min(1000, (this.props.retryBaseDelayMs ?? 50) * 2 ** (attempt - 1));
        await new Promise((resolve) => setTimeout(resolve, delay));
        if ((Date.now() - started) / 1000 > target.maxAgeSeconds) break;
      }
      try {
        await this.send(target.arn, payload, target.messageGroupId);
        return;
      } catch (error) {
        lastError = error as Error;
      }
    }
    if (!target.deadLetterArn) return; // dropped, as EventBridge does without a DLQ
    this.stats.deadLettered++;
    await this.send(target.deadLetterArn, JSON.stringify(event), undefined, {
      RULE_ARN: rule.arn,
      TARGET_ARN: target.arn,
      ERROR_CODE: lastError?.name ?? "Unknown",
      ERROR_MESSAGE: (lastError?.message ?? "").slice(0, 1000) || "delivery failed",
    }).catch(() => undefined);
  }

  /** Sends to an SQS queue, SNS topic or Lambda function by ARN. */
  private async send(
    arn: string,
    body: string,
    messageGroupId?: string,
    attributes?: Record<string, string>,
  ): Promise<void> {
    const host = this.requireHost();
    const service = arn.split(":")[2];
    if (service === "sqs") {
      const queue = [...host.resources()].find(
        (r) => r.type === "AWS::SQS::Queue" && r.attributes.Arn === arn,
      );
      if (!queue)
        throw Object.assign(new Error(`queue ${arn} does not exist`), { name: "SQS.NonExistentQueue" });
      await this.sqs().send(
        new SendMessageCommand({
          QueueUrl: queue.ref,
          MessageBody: body,
          ...(messageGroupId ? { MessageGroupId: messageGroupId, MessageDeduplicationId: randomUUID() } : {}),
          ...(attributes
            ? {
                MessageAttributes: Object.fromEntries(
                  Object.entries(attributes).map(([k, v]) => [k, { DataType: "String", StringValue: v }]),
                ),
              }
            : {}),
        }),
      );
    } else if (service === "sns") {
      await this.sns().send(new PublishCommand({ TopicArn: arn, Message: body }));
    } else if (service === "lambda") {
      // Asynchronous invocation: EventBridge hands the event to Lambda and is done.
      this.track(
        host.functions.invoke(arn, body, "eventbridge").then(
          () => undefined,
          () => undefined,
        ),
      );
    } else {
      throw new Error(`unsupported target ${arn}`);
    }
  }

  private createRule({ logicalId, type, props, planned }: CreateRequest): LocalRule {
    const unsupported = (detail: string) => new UnsupportedResourceError(logicalId, type, detail);
    const arn = planned.attributes.Arn as string;
    const name = arn.slice(arn.lastIndexOf("/") + 1);
    const bus = props.EventBusName !== undefined ? busName(String(props.EventBusName)) : "default";
    const schedule = typeof props.ScheduleExpression === "string" ? props.ScheduleExpression : undefined;
    let matches: EventPatternMatcher | undefined;
    if (props.EventPattern !== undefined) {
      try {
        matches = compileEventPattern(props.EventPattern);
      } catch (error) {
        if (error instanceof InvalidEventPatternError)
          throw unsupported(`has an invalid EventPattern: ${error.message}`);
        throw error;
      }
    }
    if (!matches && !schedule) throw unsupported("has neither EventPattern nor ScheduleExpression");
    if (schedule && !/^rate\(/.test(schedule) && this.props.scheduleIntervalMs === undefined) {
      throw unsupported(
        `has ScheduleExpression ${schedule}: only rate(…) runs locally, unless scheduleIntervalMs is set`,
      );
    }
    if (schedule) scheduleMs(schedule, logicalId, type); // validates
    const targets = ((props.Targets ?? []) as Record<string, Json>[]).map((t): Target => {
      const extra = Object.keys(t).filter((k) => !SUPPORTED_TARGET_KEYS.has(k));
      if (extra.length > 0)
        throw unsupported(
          `target ${String(t.Id)} uses ${extra.join(", ")}, which the local EventBridge does not emulate`,
        );
      const targetArn = String(t.Arn);
      if (!["sqs", "sns", "lambda"].includes(targetArn.split(":")[2] ?? "")) {
        throw unsupported(`target ${String(t.Id)} is ${targetArn}; allowed locally: SQS, SNS, Lambda`);
      }
      const retry = (t.RetryPolicy ?? {}) as Record<string, Json>;
      const transformer = t.InputTransformer as
        | { InputPathsMap?: Record<string, string>; InputTemplate?: string }
        | undefined;
      return {
        id: String(t.Id),
        arn: targetArn,
        ...(typeof t.Input === "string" ? { input: t.Input } : {}),
        ...(typeof t.InputPath === "string" ? { inputPath: t.InputPath } : {}),
        ...(transformer
          ? {
              transformer: {
                paths: transformer.InputPathsMap ?? {},
                template: transformer.InputTemplate ?? "",
              },
            }
          : {}),
        ...(t.SqsParameters && typeof (t.SqsParameters as Record<string, Json>).MessageGroupId === "string"
          ? { messageGroupId: (t.SqsParameters as Record<string, string>).MessageGroupId }
          : {}),
        maxAttempts: typeof retry.MaximumRetryAttempts === "number" ? retry.MaximumRetryAttempts : 185,
        maxAgeSeconds:
          typeof retry.MaximumEventAgeInSeconds === "number" ? retry.MaximumEventAgeInSeconds : 86_400,
        ...(t.DeadLetterConfig && typeof (t.DeadLetterConfig as Record<string, Json>).Arn === "string"
          ? { deadLetterArn: (t.DeadLetterConfig as Record<string, string>).Arn }
          : {}),
      };
    });
    return {
      name,
      arn,
      bus,
      enabled: props.State === undefined || props.State === "ENABLED",
      ...(props.EventPattern !== undefined ? { pattern: props.EventPattern } : {}),
      ...(matches ? { matches } : {}),
      ...(schedule ? { schedule } : {}),
      targets,
    };
  }

  private scheduleSource(rule: LocalRule): LocalEventSource {
    const host = this.requireHost();
    const interval =
      this.props.scheduleIntervalMs ?? scheduleMs(rule.schedule as string, rule.name, "AWS::Events::Rule");
    let timer: NodeJS.Timeout | undefined;
    return {
      start: () => {
        timer = setInterval(() => {
          const event: BusEvent = {
            version: "0",
            id: randomUUID(),
            "detail-type": "Scheduled Event",
            source: "aws.events",
            account: host.accountId,
            time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
            region: host.region,
            resources: [rule.arn],
            detail: {},
          };
          for (const target of rule.targets) this.track(this.deliver(rule, target, event));
        }, interval);
        timer.unref();
      },
      stop: async () => {
        if (timer) clearInterval(timer);
      },
    };
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = target.startsWith("AWSEvents.") ? target.slice("AWSEvents.".length) : "";
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify(body));
    };
    try {
      const input = (chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {}) as Record<
        string,
        unknown
      >;
      reply(200, this.call(operation, input));
    } catch (error) {
      if (error instanceof ApiError) reply(400, { __type: error.type, message: error.message });
      else reply(500, { __type: "InternalException", message: (error as Error).message });
    }
  }

  private call(operation: string, input: Record<string, unknown>): unknown {
    switch (operation) {
      case "PutEvents":
        return this.putEvents((input.Entries ?? []) as Record<string, unknown>[]);
      case "TestEventPattern": {
        let event: unknown;
        try {
          event = JSON.parse(String(input.Event ?? ""));
        } catch {
          throw new ApiError("InvalidEventPatternException", "Event is not valid JSON");
        }
        try {
          return { Result: compileEventPattern(String(input.EventPattern ?? ""))(event) };
        } catch (error) {
          if (error instanceof InvalidEventPatternError)
            throw new ApiError("InvalidEventPatternException", error.message);
          throw error;
        }
      }
      case "DescribeEventBus": {
        const bus = this.buses.get(busName(String(input.Name ?? "default")));
        if (!bus)
          throw new ApiError("ResourceNotFoundException", `Event bus ${String(input.Name)} does not exist.`);
        return {
          Name: bus.name,
          Arn: bus.arn,
          ...(bus.props.KmsKeyIdentifier ? { KmsKeyIdentifier: bus.props.KmsKeyIdentifier } : {}),
          ...(bus.props.DeadLetterConfig ? { DeadLetterConfig: bus.props.DeadLetterConfig } : {}),
          ...(bus.props.Description ? { Description: bus.props.Description } : {}),
        };
      }
      case "ListRules": {
        const bus = busName(String(input.EventBusName ?? "default"));
        const prefix = String(input.NamePrefix ?? "");
        return {
          Rules: this.rules
            .filter((r) => r.bus === bus && r.name.startsWith(prefix))
            .map((r) => ({
              Name: r.name,
              Arn: r.arn,
              EventBusName: r.bus,
              State: r.enabled ? "ENABLED" : "DISABLED",
              ...(r.pattern !== undefined ? { EventPattern: JSON.stringify(r.pattern) } : {}),
              ...(r.schedule ? { ScheduleExpression: r.schedule } : {}),
            })),
        };
      }
      default:
        throw new ApiError(
          "UnknownOperationException",
          `operation ${operation || "(none)"} is not emulated locally; allowed: PutEvents, TestEventPattern, DescribeEventBus, ListRules`,
        );
    }
  }

  private requireHost(): ServiceHost {
    if (!this.host) throw new Error("the eventbridge service is not started");
    return this.host;
  }

  private sqs(): SQSClient {
    this.sqsClient ??= new SQSClient({
      region: this.requireHost().region,
      endpoint: this.requireHost().endpoints.sqs,
      credentials: CREDENTIALS,
    });
    return this.sqsClient;
  }

  private sns(): SNSClient {
    this.snsClient ??= new SNSClient({
      region: this.requireHost().region,
      endpoint: this.requireHost().endpoints.sns,
      credentials: CREDENTIALS,
    });
    return this.snsClient;
  }
}

/** A bus name from a name or an ARN (`…:event-bus/<name>`). */
function busName(nameOrArn: string): string {
  const slash = nameOrArn.indexOf(":event-bus/");
  return slash >= 0 ? nameOrArn.slice(slash + ":event-bus/".length) : nameOrArn;
}

function entryError(code: string, message: string) {
  return { ErrorCode: code, ErrorMessage: message };
}

/** Size of an entry as EventBridge counts it (Time 14 bytes, Source, DetailType, Detail, Resources). */
function entrySize(entry: Record<string, unknown>): number {
  const bytes = (v: unknown) => (typeof v === "string" ? Buffer.byteLength(v) : 0);
  const resources = Array.isArray(entry.Resources)
    ? entry.Resources.reduce((s: number, r) => s + bytes(r), 0)
    : 0;
  return (
    (entry.Time ? 14 : 0) + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail) + resources
  );
}

const RATE_UNITS: Record<string, number> = {
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
};

function scheduleMs(expression: string, logicalId: string, type: string): number {
  const match = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression);
  if (match) return Number(match[1]) * (RATE_UNITS[match[2] as string] as number);
  if (/^cron\(.+\)$/.test(expression)) return 0;
  throw new UnsupportedResourceError(logicalId, type, `has an invalid ScheduleExpression ${expression}`);
}

/** The target's input: `Input`, `InputPath`, `InputTransformer`, or the whole event. */
export function targetInput(
  target: Pick<Target, "input" | "inputPath" | "transformer">,
  event: BusEvent,
): string {
  if (target.input !== undefined) return target.input;
  if (target.inputPath !== undefined) return JSON.stringify(jsonPath(event, target.inputPath) ?? null);
  if (target.transformer) {
    const values = Object.fromEntries(
      Object.entries(target.transformer.paths).map(([name, path]) => [name, jsonPath(event, path)]),
    );
    // Inside quotes the value goes in as text (quotes kept); elsewhere as JSON (EventBridge's rule).
    return target.transformer.template.replace(
      /"<([A-Za-z0-9_.-]+)>"|<([A-Za-z0-9_.-]+)>/g,
      (all, quoted?: string, bare?: string) => {
        const name = (quoted ?? bare) as string;
        if (!(name in values) && name !== "aws.events.event.json") return all;
        const value = name === "aws.events.event.json" ? event : values[name];
        if (quoted === undefined) return JSON.stringify(value ?? null);
        return JSON.stringify(typeof value === "string" ? value : JSON.stringify(value ?? null));
      },
    );
  }
  return JSON.stringify(event);
}

/** `$`, `$.a.b`, `$.a[0]` paths. */
function jsonPath(value: unknown, path: string): unknown {
  if (path === "$") return value;
  if (!path.startsWith("$.")) return undefined;
  let current: unknown = value;
  for (const part of path.slice(2).split(".")) {
    const match = /^([^[\]]+)(?:\[(\d+)\])?$/.exec(part);
    if (!match || current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[match[1] as string];
    if (match[2] !== undefined) current = Array.isArray(current) ? current[Number(match[2])] : undefined;
  }
  return current;
}
