import {
  DescribeExecutionCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FunctionRuntime, ServiceHost } from "../../../tools/local/services/local-service.ts";
import { StepFunctionsService } from "../../../tools/local/services/stepfunctions.ts";
import { Spy } from "../../../tools/local/spy.ts";
import { waitFor } from "../../helpers/wait.ts";

const ARN = "arn:aws:states:us-east-1:000000000000:stateMachine:Approval";
const TYPE = "AWS::StepFunctions::StateMachine";

/** The payloads the fake `approver` function received (each carries a task token). */
const invocations: { token: string; orderId: string }[] = [];
let slowEnvironment: Promise<void> = Promise.resolve();
const functions: FunctionRuntime = {
  all: [],
  find: (id) => ({ logicalId: id, functionName: id, functionArn: id, maxEnvironments: 1 }),
  invoke: async (id, payload) => {
    if (id === "slow") {
      // 700 ms per invocation in its one environment, like the local Lambda: a second concurrent call
      // queues for the environment first.
      const previous = slowEnvironment;
      let release = () => {};
      slowEnvironment = new Promise<void>((resolve) => {
        release = resolve;
      });
      await previous;
      await new Promise((resolve) => setTimeout(resolve, 700));
      release();
      return { ok: true, payload: "{}", durationMs: 700, coldStart: false, requestId: "r" };
    }
    if (id === "hangs") {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      return { ok: true, payload: "{}", durationMs: 3000, coldStart: false, requestId: "r" };
    }
    invocations.push(JSON.parse(payload) as { token: string; orderId: string });
    return { ok: true, payload: "null", durationMs: 1, coldStart: false, requestId: "r" };
  },
};
const host: ServiceHost = {
  stackName: "Test",
  region: "us-east-1",
  accountId: "000000000000",
  spy: new Spy(),
  cdkOut: "",
  assets: new Map(),
  endpoints: {},
  environment: {},
  functions,
  resource: () => undefined,
  resources: () => [],
  progress: () => undefined,
};

const definition = {
  StartAt: "Approve",
  States: {
    Approve: {
      Type: "Task",
      Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
      Parameters: {
        FunctionName: "approver",
        Payload: { "token.$": "$$.Task.Token", "orderId.$": "$.orderId" },
      },
      TimeoutSeconds: 30,
      ResultPath: "$.approval",
      End: true,
    },
  },
};

let service: StepFunctionsService;
let sfn: SFNClient;

beforeAll(async () => {
  service = new StepFunctionsService();
  const started = await service.start(host);
  const create = service.resourceTypes[TYPE].create;
  await create(
    {
      logicalId: "Approval",
      type: TYPE,
      resource: { Type: TYPE },
      props: { DefinitionString: JSON.stringify(definition), RoleArn: "arn:aws:iam::000000000000:role/r" },
      planned: { ref: ARN, attributes: { Arn: ARN, Name: "Approval" } },
    },
    host,
  );
  sfn = new SFNClient({
    region: "us-east-1",
    endpoint: started.endpoints?.stepfunctions,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
});
afterAll(async () => {
  sfn?.destroy();
  await service?.stop();
});

function createMachine(arn: string, machine: unknown) {
  return service.resourceTypes[TYPE].create(
    {
      logicalId: arn.split(":").at(-1) as string,
      type: TYPE,
      resource: { Type: TYPE },
      props: { DefinitionString: JSON.stringify(machine) },
      planned: { ref: arn, attributes: { Arn: arn, Name: arn.split(":").at(-1) as string } },
    },
    host,
  );
}

async function start(orderId: string) {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: ARN, name: orderId, input: JSON.stringify({ orderId }) }),
  );
  const invocation = await waitFor(() => invocations.find((i) => i.orderId === orderId), {
    description: `the approver invoked for ${orderId}`,
  });
  return { executionArn: executionArn as string, token: invocation.token };
}

const ended = (executionArn: string) =>
  waitFor(
    async () => {
      const e = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return e.status === "RUNNING" ? undefined : e;
    },
    { description: "the execution's end" },
  );

describe("local Step Functions .waitForTaskToken", () => {
  it("passes a task token, and completes the task with SendTaskSuccess's output", async () => {
    const { executionArn, token } = await start("o-1");
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe("RUNNING");
    await sfn.send(
      new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approved: true }) }),
    );
    const execution = await ended(executionArn);
    expect(execution.status).toBe("SUCCEEDED");
    expect(JSON.parse(execution.output as string)).toEqual({ orderId: "o-1", approval: { approved: true } });
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" })),
    ).rejects.toMatchObject({ name: "TaskTimedOut" });
  });

  it("fails the task with SendTaskFailure's error and cause", async () => {
    const { executionArn, token } = await start("o-2");
    await sfn.send(new SendTaskFailureCommand({ taskToken: token, error: "Rejected", cause: "over budget" }));
    expect(await ended(executionArn)).toMatchObject({
      status: "FAILED",
      error: "Rejected",
      cause: "over budget",
    });
  });

  it("refuses an unknown token", async () => {
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: "nope", output: "{}" })),
    ).rejects.toMatchObject({ name: "InvalidToken" });
  });

  it("times a Lambda task out as States.Timeout, which States.TaskFailed does not catch and States.ALL does", async () => {
    const arn = `${ARN}Timeout`;
    createMachine(arn, {
      StartAt: "Call",
      States: {
        Call: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke",
          Parameters: { FunctionName: "hangs", Payload: {} },
          TimeoutSeconds: 1,
          Catch: [
            { ErrorEquals: ["States.TaskFailed"], Next: "Wrong" },
            { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "Caught" },
          ],
          End: true,
        },
        Wrong: { Type: "Fail", Error: "CaughtAsTaskFailed" },
        Caught: { Type: "Succeed" },
      },
    });
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: "{}" }));
    const execution = await ended(executionArn as string);
    expect(execution.status).toBe("SUCCEEDED");
    expect(JSON.parse(execution.output as string).error.Error).toBe("States.Timeout");
  });

  it("does not count the wait for a local execution environment against TimeoutSeconds", async () => {
    const arn = `${ARN}Queue`;
    createMachine(arn, {
      StartAt: "Call",
      States: {
        Call: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke",
          Parameters: { FunctionName: "slow", Payload: {} },
          TimeoutSeconds: 1,
          End: true,
        },
      },
    });
    const starts = await Promise.all(
      [1, 2].map(() => sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: "{}" }))),
    );
    const results = await Promise.all(starts.map((s) => ended(s.executionArn as string)));
    expect(results.map((r) => r.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
  });

  it("refuses a JSONata definition at creation", async () => {
    const create = service.resourceTypes[TYPE].create;
    expect(() =>
      create(
        {
          logicalId: "Jsonata",
          type: TYPE,
          resource: { Type: TYPE },
          props: { DefinitionString: JSON.stringify({ ...definition, QueryLanguage: "JSONata" }) },
          planned: { ref: `${ARN}2`, attributes: { Arn: `${ARN}2`, Name: "Jsonata" } },
        },
        host,
      ),
    ).toThrow(/JSONata/);
  });
});
