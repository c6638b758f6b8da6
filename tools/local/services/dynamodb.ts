import { Worker } from "node:worker_threads";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { workerExecArgv } from "../profiling.ts";
import { createTable } from "../resources/dynamodb.ts";
import { physicalName } from "../resources/names.ts";
import type { TemplateResource } from "../template.ts";
import { sizeWorkerYoungGeneration } from "../worker-heap.ts";
import type { CreateRequest, LocalService, PlanContext, ServiceStart } from "./local-service.ts";

/**
 * DynamoDB on dynalite, in a worker thread of this process (its parsing and LevelDB work run on
 * another core than fauxqs, the pollers and the Lambda endpoint), on 127.0.0.1.
 */
export class DynamoDbService implements LocalService {
  readonly name = "dynamodb";
  private worker?: Worker;
  private client?: DynamoDBClient;

  readonly resourceTypes = {
    "AWS::DynamoDB::Table": {
      parity:
        "tables: key schema, billing mode, global and local secondary indexes (TTL recorded, point-in-time recovery and SSE accepted)",
      gaps: ["DynamoDB TTL is recorded but items never expire; DynamoDB Streams are not emulated"],
      plan: (logicalId: string, resource: TemplateResource, ctx: PlanContext) => {
        const props = resource.Properties ?? {};
        const name =
          props.TableName !== undefined
            ? ctx.literal(props.TableName, `${logicalId}.TableName`)
            : physicalName(ctx.stackName, logicalId, 255);
        return {
          ref: name,
          attributes: { Arn: `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${name}` },
        };
      },
      create: ({ logicalId, props, planned }: CreateRequest) =>
        createTable(this.dynamodb(), logicalId, planned.ref, props),
    },
  };

  private endpoint = "";
  private region = "us-east-1";

  async start(host: { readonly region: string }): Promise<ServiceStart> {
    this.region = host.region;
    sizeWorkerYoungGeneration();
    const worker = new Worker(new URL("../dynamodb-worker.ts", import.meta.url), {
      execArgv: workerExecArgv(),
      name: "dynalite",
    });
    this.worker = worker;
    const port = await new Promise<number>((resolve, reject) => {
      worker.once("error", reject);
      worker.once("message", (message: { type: string; port: number }) => resolve(message.port));
    });
    this.endpoint = `http://127.0.0.1:${port}`;
    return {
      endpoints: { dynamodb: this.endpoint },
      environment: { AWS_ENDPOINT_URL_DYNAMODB: this.endpoint },
    };
  }

  async stop(): Promise<void> {
    this.client?.destroy();
    const worker = this.worker;
    if (!worker) return;
    const stopped = new Promise<void>((resolve) => worker.once("message", () => resolve()));
    worker.postMessage({ type: "stop" });
    await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    await worker.terminate();
  }

  private dynamodb(): DynamoDBClient {
    this.client ??= new DynamoDBClient({
      region: this.region,
      endpoint: this.endpoint,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    return this.client;
  }
}
