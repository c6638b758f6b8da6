import { describe, expect, it } from "vitest";
import type { FunctionRuntime } from "../../../tools/local/services/local-service.ts";
import {
  applyJsonToString,
  checkDefinition,
  readDefinition,
  rewriteJsonToString,
  splitExecutionArn,
} from "../../../tools/local/services/stepfunctions-definition.ts";
import { classifyResource, LocalTaskRunner } from "../../../tools/local/services/stepfunctions-tasks.ts";
import type { Json } from "../../../tools/local/template.ts";

const task = (Resource: string, extra: Record<string, Json> = {}) => ({
  Type: "Task",
  Resource,
  End: true,
  ...extra,
});
const machine = (states: Record<string, Json>, extra: Record<string, Json> = {}) => ({
  StartAt: Object.keys(states)[0] as string,
  States: states,
  ...extra,
});
const check = (definition: Record<string, Json>) => {
  const tasks = new Map();
  checkDefinition("Machine", "AWS::StepFunctions::StateMachine", definition, tasks);
  return tasks;
};

describe("local Step Functions definitions", () => {
  it("reads DefinitionString with DefinitionSubstitutions applied", () => {
    const definition = readDefinition("M", "T", {
      DefinitionString: JSON.stringify(machine({ A: task(`$${"{"}fn}`) })),
      DefinitionSubstitutions: { fn: "arn:aws:lambda:us-east-1:1:function:f" },
    });
    expect((definition.States as Record<string, { Resource: string }>).A?.Resource).toBe(
      "arn:aws:lambda:us-east-1:1:function:f",
    );
    expect(() => readDefinition("M", "T", { DefinitionS3Location: { Bucket: "b" } })).toThrow(
      /DefinitionS3Location/,
    );
  });

  it("refuses JSONata loudly, at the top level or in one state (the interpreter would ignore it)", () => {
    expect(() => check(machine({ A: { Type: "Pass", End: true } }, { QueryLanguage: "JSONata" }))).toThrow(
      /JSONata \(state A\)/,
    );
    expect(() => check(machine({ A: { Type: "Pass", End: true, QueryLanguage: "JSONata" } }))).toThrow(
      /JSONata/,
    );
  });

  it("refuses .sync, non-Lambda .waitForTaskToken, unknown resources, Distributed Map and heartbeats, naming the state", () => {
    expect(() => check(machine({ A: task("arn:aws:states:::ecs:runTask.sync") }))).toThrow(
      /state A: .*\.sync/,
    );
    expect(() => check(machine({ A: task("arn:aws:states:::sqs:sendMessage.waitForTaskToken") }))).toThrow(
      /waitForTaskToken is emulated for Lambda only/,
    );
    expect(() => check(machine({ A: task("arn:aws:states:::glue:startJobRun") }))).toThrow(/not emulated/);
    expect(() =>
      check(
        machine({
          M: {
            Type: "Map",
            End: true,
            ItemProcessor: {
              ProcessorConfig: { Mode: "DISTRIBUTED" },
              StartAt: "X",
              States: { X: { Type: "Pass", End: true } },
            },
          },
        }),
      ),
    ).toThrow(/Distributed Map/);
    expect(() =>
      check(machine({ A: task("arn:aws:states:::lambda:invoke", { HeartbeatSeconds: 10 }) })),
    ).toThrow(/HeartbeatSeconds/);
  });

  it("collects the supported tasks, nested ones included", () => {
    const tasks = check(
      machine({
        P: {
          Type: "Parallel",
          End: true,
          Branches: [machine({ B: task("arn:aws:states:::dynamodb:putItem") })],
        },
        L: task("arn:aws:lambda:us-east-1:1:function:f"),
      }),
    );
    expect([...tasks.keys()].sort()).toEqual(["B", "L"]);
    expect(classifyResource("arn:aws:states:::sns:publish")).toEqual({ kind: "sns-publish" });
  });

  it("evaluates States.JsonToString itself, keeping the escapes the interpreter would strip", () => {
    const definition = machine({
      R: task("arn:aws:states:::dynamodb:putItem", {
        Parameters: {
          Item: { failure: { "S.$": "States.JsonToString($.failure)" }, key: { "S.$": "$.id" } },
        },
      }),
    });
    const rewritten = rewriteJsonToString(definition);
    expect(rewritten.get("R")).toEqual([["Item", "failure", "S"]]);
    const parameters = (definition.States.R as { Parameters: unknown }).Parameters;
    expect(parameters).toEqual({ Item: { failure: { "S.$": "$.failure" }, key: { "S.$": "$.id" } } });
    const failure = { Error: "E", Cause: '{"errorMessage":"a \\"quoted\\" word"}' };
    const input = applyJsonToString(
      { Item: { failure: { S: failure }, key: { S: "k" } } },
      rewritten.get("R") ?? [],
    );
    expect(JSON.parse((input as { Item: { failure: { S: string } } }).Item.failure.S)).toEqual(failure);
  });

  it("splits execution ARNs", () => {
    expect(splitExecutionArn("arn:aws:states:us-east-1:1:execution:M:o-1")).toEqual([
      "arn:aws:states:us-east-1:1:stateMachine:M",
      "o-1",
    ]);
    expect(splitExecutionArn("nope")).toEqual(["", ""]);
  });
});

describe("local Step Functions tasks", () => {
  const calls: { id: string; payload: string }[] = [];
  const functions: FunctionRuntime = {
    all: [],
    find: (id) =>
      id.includes("missing")
        ? undefined
        : { logicalId: id, functionName: id, functionArn: id, maxEnvironments: 1 },
    invoke: async (id, payload) => {
      calls.push({ id, payload });
      if (id.includes("fails")) {
        return {
          ok: false,
          error: { errorType: "OutOfStock", errorMessage: "none left", trace: ["at x"] },
          durationMs: 1,
          coldStart: false,
          requestId: "r",
        };
      }
      return {
        ok: true,
        payload: JSON.stringify({ echo: JSON.parse(payload) }),
        durationMs: 1,
        coldStart: false,
        requestId: "r",
      };
    },
  };
  const runner = new LocalTaskRunner({ functions, endpoints: {}, region: "us-east-1" });

  it("runs lambda:invoke with the Invoke response shape, and the function-ARN form with the payload", async () => {
    expect(
      await runner.run({ kind: "lambda-invoke" }, { FunctionName: "fn", Payload: { a: 1 } }, "states"),
    ).toEqual({
      ExecutedVersion: "$LATEST",
      Payload: { echo: { a: 1 } },
      StatusCode: 200,
    });
    expect(await runner.run({ kind: "lambda-arn", functionArn: "arn:fn" }, { b: 2 }, "states")).toEqual({
      echo: { b: 2 },
    });
  });

  it("names a function error by its errorType with AWS's JSON cause, and a missing function as Lambda.ResourceNotFoundException", async () => {
    const error = await runner
      .run({ kind: "lambda-arn", functionArn: "fails" }, {}, "states")
      .catch((e: Error) => e);
    expect(error).toMatchObject({ name: "OutOfStock" });
    expect(JSON.parse((error as Error).message)).toEqual({
      errorType: "OutOfStock",
      errorMessage: "none left",
      trace: ["at x"],
    });
    await expect(
      runner.run({ kind: "lambda-arn", functionArn: "missing" }, {}, "states"),
    ).rejects.toMatchObject({
      name: "Lambda.ResourceNotFoundException",
    });
  });
});
