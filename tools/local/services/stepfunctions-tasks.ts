/**
 * The Task resources the local Step Functions service runs, each routed to the local emulators, with
 * the error names and result shapes of the AWS integrations, so Retry and Catch match as on AWS:
 * - `arn:aws:states:::lambda:invoke` (result `{ ExecutedVersion, Payload, StatusCode }`) and the
 *   function-ARN form (result: the payload): a function error becomes an error named by its
 *   `errorType` (`OutOfStock`, `Sandbox.Timedout`, …) whose Cause is AWS's JSON
 *   `{"errorMessage","errorType","trace"}`; an unknown function is `Lambda.ResourceNotFoundException`;
 * - `arn:aws:states:::dynamodb:putItem|updateItem|getItem|deleteItem`: the parameters are the
 *   DynamoDB API input; errors `DynamoDB.<exception>`;
 * - `arn:aws:states:::sqs:sendMessage` (errors `SQS.<exception>`) and `arn:aws:states:::sns:publish`
 *   (errors `SNS.<exception>`); a JSON `MessageBody`/`Message` is serialized as AWS does.
 * - `arn:aws:states:::lambda:invoke.waitForTaskToken`: the function is invoked (its error fails the task),
 *   then the task waits for SendTaskSuccess / SendTaskFailure with the task token (see stepfunctions.ts).
 * Anything else (`.sync`, other services' `.waitForTaskToken`, other services) is refused when the state
 * machine is created.
 */
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { FunctionRuntime } from "./local-service.ts";

/** An error as a Task state reports it: `name` is the error Retry/Catch match, `message` the Cause. */
export class TaskError extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

/** A supported Task resource, classified. */
export type TaskResource =
  | { readonly kind: "lambda-invoke" }
  | { readonly kind: "lambda-callback" }
  | { readonly kind: "lambda-arn"; readonly functionArn: string }
  | { readonly kind: "dynamodb"; readonly action: "putItem" | "updateItem" | "getItem" | "deleteItem" }
  | { readonly kind: "sqs-send" }
  | { readonly kind: "sns-publish" };

/** Classifies a `Resource`, or returns why it is not supported locally. */
export function classifyResource(resource: string): TaskResource | { readonly unsupported: string } {
  if (resource === "arn:aws:states:::lambda:invoke") return { kind: "lambda-invoke" };
  if (resource === "arn:aws:states:::lambda:invoke.waitForTaskToken") return { kind: "lambda-callback" };
  const dynamo = /^arn:aws:states:::dynamodb:(putItem|updateItem|getItem|deleteItem)$/.exec(resource);
  if (dynamo) return { kind: "dynamodb", action: dynamo[1] as "putItem" };
  if (resource === "arn:aws:states:::sqs:sendMessage") return { kind: "sqs-send" };
  if (resource === "arn:aws:states:::sns:publish") return { kind: "sns-publish" };
  if (/^arn:aws[a-z-]*:lambda:[^:]+:[^:]+:function:[^:]+(:[^:]+)?$/.test(resource)) {
    return { kind: "lambda-arn", functionArn: resource };
  }
  if (resource.endsWith(".sync") || resource.endsWith(".sync:2")) {
    return { unsupported: `${resource}: the .sync integration pattern is not emulated` };
  }
  if (resource.endsWith(".waitForTaskToken")) {
    return { unsupported: `${resource}: .waitForTaskToken is emulated for Lambda only` };
  }
  return {
    unsupported: `${resource}: this Task resource is not emulated (Lambda invoke, DynamoDB get/put/update/delete item, SQS SendMessage and SNS Publish are)`,
  };
}

/** Where the integrations send their calls. */
export interface TaskTargets {
  readonly functions: FunctionRuntime;
  readonly endpoints: Readonly<Record<string, string>>;
  readonly region: string;
}

type Json = unknown;

function asObject(value: Json, where: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TaskError("States.Runtime", `${where}: the task's parameters must be an object`);
  }
  return value as Record<string, unknown>;
}

/** Runs tasks against the local emulators (one client per service, created on first use). */
export class LocalTaskRunner {
  /** SFN invocations in flight and waiting, per function: at most its local execution environments run at once. */
  private readonly slots = new Map<string, { running: number; waiting: Array<() => void> }>();
  private dynamodbClient?: DynamoDBClient;
  private sqsClient?: SQSClient;
  private snsClient?: SNSClient;

  constructor(private readonly targets: TaskTargets) {}

  /**
   * Runs `resource` with `input` (the state's input after `Parameters`); `source` labels Lambda
   * invocations on the spy. `started` is called when a Lambda invocation gets a local execution
   * environment (the local Lambda runs a few per function, where AWS would start another one).
   */
  async run(
    resource: TaskResource,
    input: Json,
    source: string,
    started: () => void = () => {},
  ): Promise<Json> {
    switch (resource.kind) {
      case "lambda-invoke": {
        const params = asObject(input, "lambda:invoke");
        const functionName = String(params.FunctionName ?? "");
        const payload = await this.invoke(functionName, params.Payload ?? {}, source, started);
        return { ExecutedVersion: "$LATEST", Payload: payload, StatusCode: 200 };
      }
      case "lambda-callback": {
        // The invocation only hands the token on; the task's result comes from SendTaskSuccess.
        const params = asObject(input, "lambda:invoke.waitForTaskToken");
        await this.invoke(String(params.FunctionName ?? ""), params.Payload ?? {}, source, started);
        return null;
      }
      case "lambda-arn":
        return this.invoke(resource.functionArn, input, source, started);
      case "dynamodb":
        started();
        return this.dynamodb(resource.action, asObject(input, `dynamodb:${resource.action}`));
      case "sqs-send":
        started();
        return this.sqs(asObject(input, "sqs:sendMessage"));
      case "sns-publish":
        started();
        return this.sns(asObject(input, "sns:publish"));
    }
  }

  private async invoke(
    functionName: string,
    payload: Json,
    source: string,
    started: () => void,
  ): Promise<Json> {
    const fn = this.targets.functions.find(functionName);
    if (!fn) {
      throw new TaskError(
        "Lambda.ResourceNotFoundException",
        `Function not found: ${functionName} (Service: Lambda, Status Code: 404)`,
      );
    }
    const slot = this.slots.get(fn.functionName) ?? { running: 0, waiting: [] };
    this.slots.set(fn.functionName, slot);
    if (slot.running >= Math.max(1, fn.maxEnvironments)) {
      await new Promise<void>((resolve) => slot.waiting.push(resolve));
    } else {
      slot.running += 1;
    }
    let result: Awaited<ReturnType<FunctionRuntime["invoke"]>>;
    try {
      started();
      result = await this.targets.functions.invoke(functionName, JSON.stringify(payload), source);
    } finally {
      // Hand the slot to the next waiting invocation, or free it.
      const next = slot.waiting.shift();
      if (next) next();
      else slot.running -= 1;
    }
    if (!result.ok) {
      const { errorType, errorMessage, trace } = result.error;
      throw new TaskError(errorType, JSON.stringify({ errorType, errorMessage, trace: trace ?? [] }));
    }
    return result.payload === "" ? null : (JSON.parse(result.payload) as Json);
  }

  private endpoint(service: string): string {
    const endpoint = this.targets.endpoints[service];
    if (!endpoint) throw new TaskError("States.Runtime", `no local ${service} endpoint for this task`);
    return endpoint;
  }

  private clientConfig(service: string) {
    return {
      region: this.targets.region,
      endpoint: this.endpoint(service),
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    };
  }

  private async dynamodb(action: string, params: Record<string, unknown>): Promise<Json> {
    this.dynamodbClient ??= new DynamoDBClient(this.clientConfig("dynamodb"));
    const client = this.dynamodbClient;
    // The task's parameters are the API input (DynamoDB JSON), as on AWS.
    const input = params as never;
    try {
      const { $metadata: _, ...output } =
        action === "putItem"
          ? await client.send(new PutItemCommand(input))
          : action === "updateItem"
            ? await client.send(new UpdateItemCommand(input))
            : action === "getItem"
              ? await client.send(new GetItemCommand(input))
              : await client.send(new DeleteItemCommand(input));
      return output;
    } catch (error) {
      throw serviceError("DynamoDB", error);
    }
  }

  private async sqs(params: Record<string, unknown>): Promise<Json> {
    this.sqsClient ??= new SQSClient({ ...this.clientConfig("sqs"), useQueueUrlAsEndpoint: false });
    const body = params.MessageBody;
    try {
      const { $metadata: _, ...output } = await this.sqsClient.send(
        new SendMessageCommand({
          ...(params as object),
          QueueUrl: String(params.QueueUrl),
          MessageBody: typeof body === "string" ? body : JSON.stringify(body),
        }),
      );
      return output;
    } catch (error) {
      throw serviceError("SQS", error);
    }
  }

  private async sns(params: Record<string, unknown>): Promise<Json> {
    this.snsClient ??= new SNSClient(this.clientConfig("sns"));
    const message = params.Message;
    try {
      const { $metadata: _, ...output } = await this.snsClient.send(
        new PublishCommand({
          ...(params as object),
          Message: typeof message === "string" ? message : JSON.stringify(message),
        }),
      );
      return output;
    } catch (error) {
      throw serviceError("SNS", error);
    }
  }

  /** Closes the clients. */
  destroy(): void {
    this.dynamodbClient?.destroy();
    this.sqsClient?.destroy();
    this.snsClient?.destroy();
  }
}

/** `DynamoDB.ConditionalCheckFailedException` and friends, as the service integrations name them. */
function serviceError(service: string, error: unknown): TaskError {
  const name = error instanceof Error ? error.name : "UnknownError";
  const message = error instanceof Error ? error.message : String(error);
  return new TaskError(`${service}.${name}`, `${message} (Service: ${service})`);
}
