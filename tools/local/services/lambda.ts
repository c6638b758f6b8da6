import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { DISCARD, type LogSink } from "../lambda/environment-pool.ts";
import { startInvokeServer } from "../lambda/invoke-server.ts";
import { FunctionNotFoundError, LambdaService as FunctionPools } from "../lambda/service.ts";
import { buildLocalFunction } from "../resources/lambda.ts";
import { physicalName } from "../resources/names.ts";
import type { TemplateResource } from "../template.ts";
import { sizeWorkerYoungGeneration } from "../worker-heap.ts";
import type {
  CreateRequest,
  FunctionInfo,
  FunctionRuntime,
  LocalService,
  PlanContext,
  ServiceHost,
  ServiceStart,
} from "./local-service.ts";

/** Where function output goes: the terminal, nowhere, a directory of per-function files, or a callback. */
export type FunctionLogs = "inherit" | "silent" | { readonly dir: string } | LogSink;

/** Options of {@link LambdaLocalService}. */
export interface LambdaServiceProps {
  /** Directory whose node_modules provide the AWS SDK v3 to the functions, as the Node.js runtime does. */
  readonly sdkRoot: string;
  /** @default "silent" */
  readonly logs?: FunctionLogs;
  /** Most execution environments (worker threads) per function at once. @default 2 */
  readonly concurrency?: number;
  /** Variables that override or extend every function's environment. @default {} */
  readonly overrides?: Readonly<Record<string, string>>;
}

/**
 * Lambda: every `AWS::Lambda::Function` of the stack runs its bundled asset from cdk.out in its own
 * worker-thread execution environments (timeout, memory, reserved concurrency, the runtime's log
 * lines), behind a local Lambda API endpoint (Invoke, GetFunction, ListFunctions). Event source
 * mappings are planned here and run by the service that owns their source.
 */
export class LambdaLocalService implements LocalService {
  readonly name = "lambda";
  private pools?: FunctionPools;
  private readonly closers: Array<() => Promise<void>> = [];

  constructor(private readonly props: LambdaServiceProps) {}

  readonly noOps = {
    "AWS::Lambda::Permission": "resource policies are not enforced",
    "AWS::Lambda::EventInvokeConfig": "asynchronous invocation retries and destinations are not emulated",
  };

  readonly gaps = [
    "Lambda: reserved concurrency caps local execution environments; layers, VPC config and async retries are not emulated",
    "Lambda memory: the V8 old space is capped at MemorySize but the young generation is V8's (Lambda's runtime gives it a tenth of the memory), so a function can hold more than its memory locally before it fails",
    "X-Ray tracing (TracingConfig) is accepted and ignored",
  ];

  readonly resourceTypes = {
    "AWS::Lambda::Function": {
      parity:
        "Node.js functions from their cdk.out asset (ES module or CommonJS): environment, timeout, memory, reserved concurrency, runtime log lines",
      plan: (logicalId: string, resource: TemplateResource, ctx: PlanContext) => {
        const props = resource.Properties ?? {};
        const name =
          props.FunctionName !== undefined
            ? ctx.literal(props.FunctionName, `${logicalId}.FunctionName`)
            : physicalName(ctx.stackName, logicalId, 64);
        return {
          ref: name,
          attributes: { Arn: `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${name}` },
        };
      },
      create: ({ logicalId, resource, props, planned }: CreateRequest, host: ServiceHost) => {
        const names = { functionName: planned.ref, functionArn: planned.attributes.Arn ?? "" };
        const fn = buildLocalFunction(logicalId, resource, props, names, host.cdkOut, host.assets, {
          region: host.region,
          accountId: host.accountId,
          environment: host.environment,
          overrides: this.props.overrides ?? {},
          maxEnvironments: this.props.concurrency ?? 2,
        });
        this.runtime().add(fn);
      },
    },
    "AWS::Lambda::EventSourceMapping": {
      parity:
        "run by the service that owns the source: SQS (batch size, batching window, partial batch responses, maximum concurrency, filters)",
      plan: (_logicalId: string, _resource: TemplateResource, ctx: PlanContext) => {
        const id = crypto.randomUUID();
        const arn = `arn:aws:lambda:${ctx.region}:${ctx.accountId}:event-source-mapping:${id}`;
        return { ref: id, attributes: { Id: id, EventSourceMappingArn: arn } };
      },
    },
  };

  readonly functions: FunctionRuntime = functionRuntime(this);

  async start(host: ServiceHost): Promise<ServiceStart> {
    // Before any execution environment exists; an invalid LOCAL_CLOUD_MIN_SEMI_SPACE_MB fails the start here.
    sizeWorkerYoungGeneration();
    const pools = new FunctionPools(host.spy, this.props.sdkRoot, this.logSink(this.props.logs ?? "silent"));
    this.pools = pools;
    const server = await startInvokeServer(pools);
    this.closers.push(() => server.stop());
    return {
      endpoints: { lambda: server.endpoint },
      environment: { AWS_ENDPOINT_URL_LAMBDA: server.endpoint },
    };
  }

  /**
   * The function named by logical ID, its construct ID (`Worker` for `Worker11F36D0F`), a unique
   * logical-ID prefix (`Publisher` for `PublisherFunction1938950E`), its name or ARN.
   */
  resolve(id: string): string {
    const runtime = this.runtime();
    if (runtime.find(id)) return id;
    const exact = runtime.functions.filter((fn) => new RegExp(`^${id}[0-9A-F]{8}$`).test(fn.logicalId));
    if (exact.length === 1 && exact[0]) return exact[0].logicalId;
    const prefixed = runtime.functions.filter((fn) => fn.logicalId.startsWith(id));
    if (prefixed.length === 1 && prefixed[0]) return prefixed[0].logicalId;
    const known = runtime.functions.map((fn) => fn.logicalId).join(", ");
    throw new FunctionNotFoundError(`no function ${id} in this stack (functions: ${known})`);
  }

  async stop(): Promise<void> {
    await this.pools?.stop();
    for (const close of this.closers.reverse()) await close().catch(() => undefined);
  }

  /** The worker-thread pools of the functions (started with the service). */
  runtime(): FunctionPools {
    if (!this.pools) throw new Error("the lambda service is not started");
    return this.pools;
  }

  private logSink(logs: FunctionLogs): LogSink | "inherit" {
    if (logs === "inherit") return "inherit";
    if (logs === "silent") return DISCARD;
    if (typeof logs === "function") return logs;
    mkdirSync(logs.dir, { recursive: true });
    const files = new Map<string, WriteStream>();
    this.closers.push(async () => {
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
}

function functionRuntime(service: LambdaLocalService): FunctionRuntime {
  return {
    find: (identifier) => info(service.runtime().find(identifier)),
    invoke: (identifier, payload, source) => service.runtime().invoke(identifier, payload, source),
    get all() {
      return service
        .runtime()
        .functions.map(info)
        .filter((fn): fn is FunctionInfo => fn !== undefined);
    },
  };
}

function info(
  fn: { logicalId: string; functionName: string; functionArn: string; maxEnvironments: number } | undefined,
): FunctionInfo | undefined {
  if (!fn) return undefined;
  const { logicalId, functionName, functionArn, maxEnvironments } = fn;
  return { logicalId, functionName, functionArn, maxEnvironments };
}
