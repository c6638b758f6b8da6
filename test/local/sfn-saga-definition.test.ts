import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import type { CfnResource } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SfnSagaStack } from "../../stacks/sfn-saga-stack.ts";
import type { FunctionRuntime, ServiceHost } from "../../tools/local/services/local-service.ts";
import { StepFunctionsService } from "../../tools/local/services/stepfunctions.ts";
import { Spy } from "../../tools/local/spy.ts";
import { createTestApp } from "../helpers/app.ts";
import {
  createKeyTable,
  type Emulator,
  emulatorClientConfig,
  startDynalite,
} from "../helpers/aws-emulators.ts";
import { definitionOf } from "../helpers/state-machine.ts";
import { waitFor } from "../helpers/wait.ts";

/**
 * SfnSagaStack's synthesized definition on the local Step Functions service, with scripted functions
 * standing in for the handlers: what the definition does with errors only Lambda's service (not a
 * handler) raises (FAULTS SAGA-05), and what a compensation receives after a catch (SAGA-06).
 */
const ARN = "arn:aws:states:us-east-1:000000000000:stateMachine:PlaceOrder";
const RESUME_ARN = "arn:aws:states:us-east-1:000000000000:stateMachine:PlaceOrderResume";
const TYPE = "AWS::StepFunctions::StateMachine";

/** Scripted invocations: per function logical-ID fragment, the errors of its first calls. */
const script = new Map<string, string[]>();
const calls: { id: string; payload: Record<string, unknown> }[] = [];
const functions: FunctionRuntime = {
  all: [],
  find: (id) => ({ logicalId: id, functionName: id, functionArn: id, maxEnvironments: 4 }),
  invoke: async (id, payload) => {
    calls.push({ id, payload: JSON.parse(payload) as Record<string, unknown> });
    const key = [...script.keys()].find((k) => id.includes(k));
    const errorType = key ? script.get(key)?.shift() : undefined;
    if (errorType) {
      return {
        ok: false,
        error: { errorType, errorMessage: `scripted ${errorType}` },
        durationMs: 1,
        coldStart: false,
        requestId: "r",
      };
    }
    return {
      ok: true,
      payload: JSON.stringify({ ok: true }),
      durationMs: 1,
      coldStart: false,
      requestId: "r",
    };
  },
};

let dynalite: Emulator;
let service: StepFunctionsService;
let sfn: SFNClient;
let dynamodb: DynamoDBClient;
let failureTable: string;

beforeAll(async () => {
  const stack = new SfnSagaStack(createTestApp(), "SfnSagaStack");
  const template = Template.fromStack(stack).toJSON();
  const definition = definitionOf(template as never);
  const resumeDefinition = definitionOf(template as never, "ResumeStateMachine");
  failureTable = stack.getLogicalId(stack.saga.failureTable.node.defaultChild as CfnResource);
  dynalite = await startDynalite();
  dynamodb = new DynamoDBClient(emulatorClientConfig(dynalite.endpoint));
  // The table stand-ins of definitionOf are the logical IDs.
  for (const table of [stack.ordersTable, stack.saga.failureTable]) {
    const name = stack.getLogicalId(table.node.defaultChild as CfnResource);
    if (table === stack.ordersTable) await createKeyTable(dynamodb, name, "orderId");
    else await createKeyTable(dynamodb, name, "sagaKey", "executionId");
  }
  const host: ServiceHost = {
    stackName: "SfnSagaStack",
    region: "us-east-1",
    accountId: "000000000000",
    spy: new Spy(),
    cdkOut: "",
    assets: new Map(),
    endpoints: { dynamodb: dynalite.endpoint },
    environment: {},
    functions,
    resource: () => undefined,
    resources: () => [],
    progress: () => undefined,
  };
  service = new StepFunctionsService({ retryDelayMs: 5 });
  const started = await service.start(host);
  await service.resourceTypes[TYPE].create(
    {
      logicalId: "PlaceOrder",
      type: TYPE,
      resource: { Type: TYPE },
      props: { DefinitionString: JSON.stringify(definition) },
      planned: { ref: ARN, attributes: { Arn: ARN, Name: "PlaceOrder" } },
    },
    host,
  );
  await service.resourceTypes[TYPE].create(
    {
      logicalId: "PlaceOrderResume",
      type: TYPE,
      resource: { Type: TYPE },
      props: { DefinitionString: JSON.stringify(resumeDefinition) },
      planned: { ref: RESUME_ARN, attributes: { Arn: RESUME_ARN, Name: "PlaceOrderResume" } },
    },
    host,
  );
  sfn = new SFNClient({
    region: "us-east-1",
    endpoint: started.endpoints?.stepfunctions,
    credentials: { accessKeyId: "l", secretAccessKey: "l" },
  });
});
afterAll(async () => {
  sfn?.destroy();
  dynamodb?.destroy();
  await service?.stop();
  await dynalite?.stop();
});

async function run(
  orderId: string,
  machine = ARN,
  input: unknown = { orderId, customerId: "c", sku: "s", quantity: 1, amountCents: 1 },
) {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: machine, name: orderId, input: JSON.stringify(input) }),
  );
  const execution = await waitFor(
    async () => {
      const e = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return e.status === "RUNNING" ? undefined : e;
    },
    { description: orderId },
  );
  const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
  const entered = events.flatMap((e) =>
    e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : [],
  );
  return { execution, entered, events };
}

describe("SfnSagaStack's definition on the local Step Functions service", () => {
  it("SAGA-05: retries Lambda.ServiceException on ChargePayment and does not compensate", async () => {
    script.set("ChargePaymentAction", ["Lambda.ServiceException", "Lambda.TooManyRequestsException"]);
    const { execution, entered, events } = await run("svc-1");
    expect(execution.status).toBe("SUCCEEDED");
    expect(entered.filter((s) => s.startsWith("Compensate"))).toEqual([]);
    expect(events.filter((e) => e.type === "TaskFailed").map((e) => e.taskFailedEventDetails?.error)).toEqual(
      ["Lambda.ServiceException", "Lambda.TooManyRequestsException"],
    );
  });

  it("SAGA-06: a compensation entered through a catch still gets the business key and the earlier results", async () => {
    script.set("CreateShipmentAction", ["AddressRejected"]);
    calls.length = 0;
    const { execution, entered } = await run("catch-1");
    expect(execution).toMatchObject({ status: "FAILED", error: "AddressRejected" });
    expect(entered.slice(-3)).toEqual([
      "CompensateChargePayment",
      "CompensateReserveInventory",
      "SagaFailed",
    ]);
    const refund = calls.find((c) => c.id.includes("ChargePaymentCompensation"));
    expect(refund?.payload).toMatchObject({
      sagaKey: "catch-1",
      step: "ChargePayment",
      phase: "compensation",
      input: { orderId: "catch-1", results: { ReserveInventory: { ok: true }, ChargePayment: { ok: true } } },
    });
    expect((refund?.payload.input as { failure?: { Error: string } } | undefined)?.failure?.Error).toBe(
      "AddressRejected",
    );
  });

  it("resumes a saga after Saga.CompensationFailed: the recorded state plus resumeAt, once the cause is fixed", async () => {
    script.set("CreateShipmentAction", ["AddressRejected"]);
    script.set("ChargePaymentCompensation", Array(6).fill("CompensationError"));
    const failed = await run("stuck-1");
    expect(failed.execution).toMatchObject({ status: "FAILED", error: "Saga.CompensationFailed" });
    expect(failed.entered).not.toContain("CompensateReserveInventory");
    const { Item } = await dynamodb.send(
      new GetItemCommand({
        TableName: failureTable,
        Key: { sagaKey: { S: "stuck-1" }, executionId: { S: failed.execution.executionArn as string } },
      }),
    );
    const state = JSON.parse(Item?.state?.S as string) as Record<string, unknown>;
    expect(state).toMatchObject({
      orderId: "stuck-1",
      compensationFailures: { ChargePayment: { Error: "CompensationError" } },
    });
    // The cause is fixed (the script is empty now): resume at the compensation that failed.
    calls.length = 0;
    const resumed = await run("stuck-1-resume-1", RESUME_ARN, { ...state, resumeAt: "ChargePayment" });
    expect(resumed.execution).toMatchObject({ status: "FAILED", error: "AddressRejected" });
    expect(resumed.entered).toEqual([
      "ResumeAt",
      "CompensateChargePayment",
      "CompensateReserveInventory",
      "SagaFailed",
    ]);
    expect(calls.map((c) => [c.payload.sagaKey, c.payload.step])).toEqual([
      ["stuck-1", "ChargePayment"],
      ["stuck-1", "ReserveInventory"],
    ]);
    const invalid = await run("stuck-1-resume-2", RESUME_ARN, { ...state, resumeAt: "Nope" });
    expect(invalid.execution).toMatchObject({ status: "FAILED", error: "Saga.InvalidResumePoint" });
  });
});
