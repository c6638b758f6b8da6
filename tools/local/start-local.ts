import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import {
  AssemblyError,
  ensureSynthesized,
  loadAssembly,
  REPO_ROOT,
  type SynthMode,
} from "./cloud-assembly.ts";
import { startEmulators } from "./emulators.ts";
import { SqsPoller } from "./event-sources/sqs-poller.ts";
import type { ExtensionEventSource, LocalExtension } from "./extensions.ts";
import { filterModule } from "./filter-policy.ts";
import { IntrinsicResolver, type ResourceAttributes } from "./intrinsics.ts";
import { DISCARD, type LogSink } from "./lambda/environment-pool.ts";
import { startInvokeServer } from "./lambda/invoke-server.ts";
import { LambdaService } from "./lambda/service.ts";
import { formatParity, parityEntry } from "./parity.ts";
import { createTable } from "./resources/dynamodb.ts";
import { buildLocalFunction } from "./resources/lambda.ts";
import {
  createQueue,
  createSubscription,
  createTopic,
  type LocalSubscription,
} from "./resources/messaging.ts";
import { planAttributes, UnsupportedResourceError } from "./resources/plan.ts";
import { Spy } from "./spy.ts";
import { subscriptionDlq } from "./subscription-dlq.ts";
import type { Json, TemplateResource } from "./template.ts";
import { isObject } from "./template.ts";

/** Options of {@link startLocal}. */
export interface StartLocalOptions {
  /** Stack name as in `stacks/app.ts` (the template is `cdk.out/<stack>.template.json`). */
  readonly stack: string;
  /** Cloud assembly directory. @default `<repo>/cdk.out` */
  readonly cdkOut?: string;
  /** When to synthesize: `auto` only when cdk.out is missing or stale. @default "auto" (`never` when `cdkOut` is given) */
  readonly synth?: SynthMode;
  /** Variables that override or extend every function's environment, e.g. `{ FAULT_INJECTION: "transient=0.05" }`. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** Region of the local deployment. @default "us-east-1" */
  readonly region?: string;
  /** Most execution environments (worker threads) per function at once. @default 2 */
  readonly concurrency?: number;
  /** Where function output goes: the terminal, nowhere, a directory of per-function files, or a callback. @default "silent" */
  readonly logs?: "inherit" | "silent" | { readonly dir: string } | LogSink;
  /** Progress lines (synth, emulators, parity table). @default none */
  readonly onProgress?: (line: string) => void;
  /**
   * Overrides every queue's `VisibilityTimeout` (seconds). A failed SQS record is retried only when
   * its visibility timeout expires (180 s for a 30 s function at the recommended 6×), so scenarios
   * that inject failures shorten it locally to see retries in seconds. Reported in the progress output.
   * @default - the template's values
   */
  readonly visibilityTimeoutSeconds?: number;
  /** Services added to the cloud (resource types, event sources), e.g. a Kafka broker. @default [] */
  readonly extensions?: readonly LocalExtension[];
  /** Spy events retained in memory (counters keep counting past it). @default 10000 */
  readonly spyCapacity?: number;
}

/** A created resource of the local stack. */
export interface LocalResource {
  readonly logicalId: string;
  readonly type: string;
  /** What `Ref` returns (queue URL, topic ARN, table or function name, …). */
  readonly ref: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** False for the no-ops of the parity table. */
  readonly emulated: boolean;
}

/** Endpoints of the local services; point AWS SDK clients here (`endpoint`, or `AWS_ENDPOINT_URL_<SERVICE>`). */
export interface LocalEndpoints {
  readonly sqs: string;
  readonly sns: string;
  readonly dynamodb: string;
  readonly lambda: string;
}

/** Thrown by {@link LocalCloud.invoke} when the function fails (error, timeout, crash). */
export class FunctionError extends Error {
  override readonly name = "FunctionError";
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(`${errorType}: ${message}`);
  }
}

/** A running local deployment of one stack. */
export interface LocalCloud {
  readonly stack: string;
  readonly region: string;
  /** The stack's Outputs, resolved. */
  readonly outputs: Readonly<Record<string, string>>;
  /** The built-in endpoints, plus any an extension adds under its own key. */
  readonly endpoints: LocalEndpoints & Readonly<Record<string, string>>;
  /** Dummy credentials the emulators accept: `new SQSClient({ region, endpoint: endpoints.sqs, credentials })`. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly resources: ReadonlyMap<string, LocalResource>;
  /** The no-op resources of this template, by type (the parity table). */
  readonly notEmulated: ReadonlyMap<string, readonly string[]>;
  readonly spy: Spy;
  /** Whether this start synthesized the stack or reused cdk.out. */
  readonly synthesized: boolean;
  /**
   * Invokes a function synchronously with `event` and returns its parsed result. The function is
   * named by logical ID (`Worker11F36D0F`), its construct ID (`Worker`), a unique logical-ID
   * prefix (`Publisher`) or its name.
   */
  invoke(functionId: string, event: unknown): Promise<unknown>;
  /** Stops pollers, functions and emulators. */
  stop(): Promise<void>;
}

const ACCOUNT_ID = "000000000000";
const CREATE_ORDER = [
  "AWS::SQS::Queue",
  "AWS::SNS::Topic",
  "AWS::SNS::Subscription",
  "AWS::DynamoDB::Table",
  "AWS::Lambda::Function",
  "AWS::Lambda::EventSourceMapping",
];

/**
 * Runs a synthesized stack in this process: synthesizes when needed, starts fauxqs and dynalite on
 * 127.0.0.1 (port 0), resolves the template's intrinsics, creates its queues, topics,
 * subscriptions, tables and functions, starts the SQS event source mappings and a local Lambda
 * endpoint, and resolves the stack outputs. Unknown resource types fail loudly; no-ops are
 * reported through `onProgress` and `notEmulated`.
 */
export async function startLocal(options: StartLocalOptions): Promise<LocalCloud> {
  const { stack, onProgress } = options;
  const region = options.region ?? "us-east-1";
  const cdkOut = options.cdkOut ?? join(REPO_ROOT, "cdk.out");
  const synthMode = options.synth ?? (options.cdkOut ? "never" : "auto");
  const { synthesized } = await ensureSynthesized({ stack, cdkOut, mode: synthMode, progress: onProgress });
  const { template, assets } = loadAssembly(cdkOut, stack);
  const extensions = options.extensions ?? [];
  const extensionFor = (type: string) => extensions.find((e) => e.resourceTypes?.[type]);

  // Fail on unsupported types before starting anything.
  const notEmulated = new Map<string, string[]>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (CREATE_ORDER.includes(resource.Type) || extensionFor(resource.Type)) continue;
    if (!parityEntry(resource.Type)) throw new UnsupportedResourceError(logicalId, resource.Type);
    notEmulated.set(resource.Type, [...(notEmulated.get(resource.Type) ?? []), logicalId]);
  }

  const spy = new Spy(options.spyCapacity);
  const stoppers: Array<() => Promise<void>> = [];
  let stopping: Promise<void> | undefined;
  const stopAll = () => {
    stopping ??= (async () => {
      for (const stop of [...stoppers].reverse()) await stop().catch(() => undefined);
    })();
    return stopping;
  };
  let onPublish: Parameters<typeof startEmulators>[2] = () => undefined;
  const emulators = await startEmulators(region, spy, (m) => onPublish?.(m));
  stoppers.push(() => emulators.stop());
  try {
    const credentials = { accessKeyId: "local", secretAccessKey: "local" };
    const sqs = new SQSClient({ region, endpoint: emulators.sqsEndpoint, credentials });
    const dynamodb = new DynamoDBClient({ region, endpoint: emulators.dynamodbEndpoint, credentials });
    stoppers.push(async () => {
      sqs.destroy();
      dynamodb.destroy();
    });
    const sink = logSink(options.logs ?? "silent", stoppers);
    const lambda = new LambdaService(spy, REPO_ROOT, sink);
    stoppers.push(() => lambda.stop());
    const invokeServer = await startInvokeServer(lambda);
    stoppers.push(() => invokeServer.stop());
    const endpoints: LocalEndpoints & Record<string, string> = {
      sqs: emulators.sqsEndpoint,
      sns: emulators.snsEndpoint,
      dynamodb: emulators.dynamodbEndpoint,
      lambda: invokeServer.endpoint,
    };
    const extensionEnvironment: Record<string, string> = {};
    for (const extension of extensions) {
      const started = await extension.start?.({
        stackName: stack,
        region,
        accountId: ACCOUNT_ID,
        spy,
        endpoints,
      });
      if (extension.stop) stoppers.push(() => extension.stop?.() ?? Promise.resolve());
      Object.assign(endpoints, started?.endpoints ?? {});
      Object.assign(extensionEnvironment, started?.environment ?? {});
    }

    // Plan every resource's Ref/GetAtt values, then resolve and create in dependency order by type.
    const pseudo = { region, accountId: ACCOUNT_ID, stackName: stack };
    const literal = new IntrinsicResolver(template, pseudo, new Map());
    const planned = new Map<string, ResourceAttributes>();
    const active = Object.entries(template.Resources).filter(
      ([, resource]) => !resource.Condition || literal.condition(resource.Condition),
    );
    const planContext = {
      stackName: stack,
      region,
      accountId: ACCOUNT_ID,
      sqsPort: emulators.fauxqs.port,
      literal: (value: Json, where: string) => literal.resolveString(value, where),
    };
    for (const [logicalId, resource] of active) {
      const custom = extensionFor(resource.Type)?.resourceTypes?.[resource.Type];
      planned.set(
        logicalId,
        custom
          ? custom.plan(logicalId, resource, planContext)
          : planAttributes(logicalId, resource, planContext),
      );
    }
    const resolver = new IntrinsicResolver(template, pseudo, planned);
    const resources = new Map<string, LocalResource>();
    for (const [logicalId, resource] of active) {
      const plan = planned.get(logicalId) as ResourceAttributes;
      resources.set(logicalId, {
        logicalId,
        type: resource.Type,
        ...plan,
        emulated: CREATE_ORDER.includes(resource.Type) || extensionFor(resource.Type) !== undefined,
      });
    }
    const props = (logicalId: string, resource: TemplateResource) => {
      const resolved = resolver.resolve((resource.Properties ?? {}) as Json, logicalId);
      return isObject(resolved) ? resolved : {};
    };
    const subscriptions: LocalSubscription[] = [];
    const pollers: SqsPoller[] = [];
    const byType = (type: string) => active.filter(([, r]) => r.Type === type);

    // Queues: dead-letter targets first.
    const queues = byType("AWS::SQS::Queue").sort(
      ([, a], [, b]) =>
        Number(a.Properties?.RedrivePolicy !== undefined) - Number(b.Properties?.RedrivePolicy !== undefined),
    );
    for (const [logicalId, resource] of queues) {
      const name = planned.get(logicalId)?.attributes.QueueName as string;
      const queueProps = props(logicalId, resource);
      if (options.visibilityTimeoutSeconds !== undefined) {
        queueProps.VisibilityTimeout = options.visibilityTimeoutSeconds;
      }
      const created = createQueue(emulators.fauxqs, logicalId, name, queueProps);
      if (created.queueUrl !== planned.get(logicalId)?.ref) {
        throw new AssemblyError(
          `queue ${logicalId}: fauxqs returned ${created.queueUrl}, expected ${planned.get(logicalId)?.ref}`,
        );
      }
    }
    for (const [logicalId, resource] of byType("AWS::SNS::Topic")) {
      createTopic(
        emulators.fauxqs,
        logicalId,
        planned.get(logicalId)?.attributes.TopicName as string,
        props(logicalId, resource),
      );
    }
    for (const [logicalId, resource] of byType("AWS::SNS::Subscription")) {
      subscriptions.push(createSubscription(emulators.fauxqs, logicalId, props(logicalId, resource)));
    }
    onPublish = await subscriptionDlq(emulators.fauxqs, subscriptions, spy);
    await Promise.all(
      byType("AWS::DynamoDB::Table").map(([logicalId, resource]) =>
        createTable(dynamodb, logicalId, planned.get(logicalId)?.ref as string, props(logicalId, resource)),
      ),
    );
    for (const [logicalId, resource] of active) {
      const custom = extensionFor(resource.Type)?.resourceTypes?.[resource.Type];
      await custom?.create?.(
        logicalId,
        props(logicalId, resource),
        planned.get(logicalId) as ResourceAttributes,
      );
    }
    const host = {
      region,
      accountId: ACCOUNT_ID,
      endpoints,
      overrides: { ...extensionEnvironment, ...(options.environment ?? {}) },
      maxEnvironments: options.concurrency ?? 2,
    };
    for (const [logicalId, resource] of byType("AWS::Lambda::Function")) {
      const plan = planned.get(logicalId) as ResourceAttributes;
      const names = { functionName: plan.ref, functionArn: plan.attributes.Arn as string };
      lambda.add(
        buildLocalFunction(logicalId, resource, props(logicalId, resource), names, cdkOut, assets, host),
      );
    }
    const extensionSources: ExtensionEventSource[] = [];
    for (const [logicalId, resource] of byType("AWS::Lambda::EventSourceMapping")) {
      const mappingProps = props(logicalId, resource);
      const fromExtension = extensionSource(extensions, logicalId, mappingProps, lambda);
      if (fromExtension) {
        extensionSources.push(fromExtension);
        continue;
      }
      const config = {
        ...mappingConfig(logicalId, mappingProps, resources, lambda, host.maxEnvironments),
        accepts: await eventFilter(logicalId, mappingProps.FilterCriteria),
      };
      const poller = new SqsPoller(
        config,
        sqs,
        (payload) => lambda.invoke(config.functionLogicalId, payload, logicalId),
        spy,
        region,
      );
      pollers.push(poller);
    }
    stoppers.push(async () => {
      await Promise.all([...pollers, ...extensionSources].map((p) => p.stop()));
    });
    for (const poller of [...pollers, ...extensionSources]) poller.start();

    const outputs: Record<string, string> = {};
    for (const [name, output] of Object.entries(template.Outputs ?? {})) {
      if (output.Condition && !resolver.condition(output.Condition)) continue;
      outputs[name] = resolver.resolveString(output.Value, `Outputs.${name}`);
    }
    if (onProgress) {
      onProgress(
        `local cloud up: ${[...resources.values()].filter((r) => r.emulated).length} resources emulated, ` +
          `SQS/SNS ${endpoints.sqs}, DynamoDB ${endpoints.dynamodb}, Lambda ${endpoints.lambda}`,
      );
      if (options.visibilityTimeoutSeconds !== undefined) {
        onProgress(
          `visibility timeouts set to ${options.visibilityTimeoutSeconds} s locally (not the template's) so retries show in seconds`,
        );
      }
      for (const line of formatParity(notEmulated)) onProgress(line);
    }

    return {
      stack,
      region,
      outputs,
      endpoints,
      credentials,
      resources,
      notEmulated,
      spy,
      synthesized,
      async invoke(functionId: string, event: unknown) {
        const fn = findFunction(lambda, functionId);
        const result = await lambda.invoke(fn, JSON.stringify(event ?? null), "api");
        if (!result.ok) throw new FunctionError(result.error.errorType, result.error.errorMessage);
        return JSON.parse(result.payload) as unknown;
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Resolves a logical ID, a construct ID (`Worker` for `Worker11F36D0F`), a unique logical-ID prefix
 * (`Publisher` for `PublisherFunction1938950E`) or a function name.
 */
function findFunction(lambda: LambdaService, id: string): string {
  if (lambda.find(id)) return id;
  const exact = lambda.functions.filter((fn) => new RegExp(`^${id}[0-9A-F]{8}$`).test(fn.logicalId));
  if (exact.length === 1 && exact[0]) return exact[0].logicalId;
  const prefixed = lambda.functions.filter((fn) => fn.logicalId.startsWith(id));
  if (prefixed.length === 1 && prefixed[0]) return prefixed[0].logicalId;
  const known = lambda.functions.map((fn) => fn.logicalId).join(", ");
  throw new FunctionError(
    "ResourceNotFoundException",
    `no function ${id} in this stack (functions: ${known})`,
  );
}

/**
 * Lambda event filtering for an SQS mapping (`FilterCriteria.Filters[].Pattern`): a record passes
 * when any pattern matches it, the body parsed as JSON when it is JSON. Patterns are evaluated by
 * fauxqs's filter-policy engine (exact values, prefix, suffix, anything-but, numeric, exists, `$or`).
 */
async function eventFilter(
  logicalId: string,
  criteria: Json | undefined,
): Promise<((record: SQSRecord) => boolean) | undefined> {
  if (criteria === undefined || criteria === null) return undefined;
  const filters = isObject(criteria) && Array.isArray(criteria.Filters) ? criteria.Filters : undefined;
  if (!filters) {
    throw new UnsupportedResourceError(
      logicalId,
      "AWS::Lambda::EventSourceMapping",
      "has FilterCriteria without Filters",
    );
  }
  const patterns = filters.map((f) => {
    const pattern =
      isObject(f) && typeof f.Pattern === "string" ? (JSON.parse(f.Pattern) as unknown) : undefined;
    if (!isObject(pattern)) {
      throw new UnsupportedResourceError(
        logicalId,
        "AWS::Lambda::EventSourceMapping",
        `has a filter pattern that is not a JSON object: ${JSON.stringify(f)}`,
      );
    }
    return pattern;
  });
  const filter = await filterModule();
  return (record) => {
    let body: unknown = record.body;
    try {
      body = JSON.parse(record.body);
    } catch {
      // Not JSON: patterns on `body` compare the plain string.
    }
    const subject = JSON.stringify({ ...record, body });
    return patterns.some((pattern) => filter.matchesFilterPolicyOnBody(pattern, subject));
  };
}

/** The event source an extension runs for a mapping whose source is not an SQS queue, if one claims it. */
function extensionSource(
  extensions: readonly LocalExtension[],
  logicalId: string,
  props: Record<string, Json>,
  lambda: LambdaService,
): ExtensionEventSource | undefined {
  const target = lambda.find(String(props.FunctionName ?? ""));
  if (!target) return undefined;
  for (const extension of extensions) {
    const source = extension.eventSource?.(logicalId, props, (payload) =>
      lambda.invoke(target.logicalId, payload, logicalId),
    );
    if (source) return source;
  }
  return undefined;
}

function mappingConfig(
  logicalId: string,
  props: Record<string, Json>,
  resources: ReadonlyMap<string, LocalResource>,
  lambda: LambdaService,
  defaultConcurrency: number,
) {
  const sourceArn = String(props.EventSourceArn ?? "");
  const queue = [...resources.values()].find(
    (r) => r.type === "AWS::SQS::Queue" && r.attributes.Arn === sourceArn,
  );
  if (!queue) {
    throw new UnsupportedResourceError(
      logicalId,
      "AWS::Lambda::EventSourceMapping",
      `has event source ${sourceArn || "(none)"}; only SQS queues of this stack are emulated`,
    );
  }
  const fn = lambda.find(String(props.FunctionName ?? ""));
  if (!fn)
    throw new UnsupportedResourceError(
      logicalId,
      "AWS::Lambda::EventSourceMapping",
      `targets unknown function ${String(props.FunctionName)}`,
    );
  const scaling = isObject(props.ScalingConfig) ? props.ScalingConfig : {};
  const maximumConcurrency = Number(scaling.MaximumConcurrency ?? 0);
  const responseTypes = Array.isArray(props.FunctionResponseTypes) ? props.FunctionResponseTypes : [];
  return {
    logicalId,
    queueUrl: queue.ref,
    queueArn: sourceArn,
    queueName: queue.attributes.QueueName as string,
    functionLogicalId: fn.logicalId,
    batchSize: Number(props.BatchSize ?? 10),
    batchingWindowMs: Number(props.MaximumBatchingWindowInSeconds ?? 0) * 1000,
    reportBatchItemFailures: responseTypes.includes("ReportBatchItemFailures"),
    concurrency: Math.max(1, Math.min(maximumConcurrency || defaultConcurrency, fn.maxEnvironments)),
    enabled: props.Enabled !== false,
  };
}

function logSink(
  logs: NonNullable<StartLocalOptions["logs"]>,
  stoppers: Array<() => Promise<void>>,
): LogSink | "inherit" {
  if (logs === "inherit") return "inherit";
  if (logs === "silent") return DISCARD;
  if (typeof logs === "function") return logs;
  mkdirSync(logs.dir, { recursive: true });
  const files = new Map<string, WriteStream>();
  stoppers.push(async () => {
    await Promise.all([...files.values()].map((f) => new Promise((resolve) => f.end(resolve))));
  });
  return (functionName, _stream, chunk) => {
    let file = files.get(functionName);
    if (!file) {
      file = createWriteStream(join(logs.dir, `${functionName}.log`), { flags: "a" });
      files.set(functionName, file);
    }
    file.write(chunk);
  };
}
