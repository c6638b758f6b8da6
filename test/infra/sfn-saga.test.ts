import { Duration, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { AttributeType, Table } from "aws-cdk-lib/aws-dynamodb";
import { Code, Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { Topic } from "aws-cdk-lib/aws-sns";
import { JsonPath, StateMachineType } from "aws-cdk-lib/aws-stepfunctions";
import { DynamoAttributeValue } from "aws-cdk-lib/aws-stepfunctions-tasks";
import { describe, expect, it } from "vitest";
import {
  COMPENSATION_FAILED_ERROR,
  LAMBDA_SERVICE_ERRORS,
  SagaAction,
  type SagaStepProps,
  SfnSaga,
  type SfnSagaProps,
} from "../../patterns/sfn-saga/index.js";
import { LAMBDA_RUNTIME } from "../../patterns/shared/runtime.js";
import { validateAsl } from "../../tools/local/services/stepfunctions-asl.js";
import { createTestApp, NOOP_HANDLER } from "../helpers/app.js";
import { type AslDefinition, type AslState, definitionOf } from "../helpers/state-machine.js";

type Resource = { Type: string; Properties: Record<string, unknown> };

const lambda = () => SagaAction.fromEntry(NOOP_HANDLER);

function steps(stack: Stack): SagaStepProps[] {
  const table = new Table(stack, "Orders", { partitionKey: { name: "orderId", type: AttributeType.STRING } });
  const key = { orderId: DynamoAttributeValue.fromString(JsonPath.stringAt("$.orderId")) };
  const setStatus = (status: string) =>
    SagaAction.dynamoDbUpdate({
      table,
      key,
      updateExpression: "SET #status = :status",
      expressionAttributeNames: { "#status": "status" },
      expressionAttributeValues: { ":status": DynamoAttributeValue.fromString(status) },
    });
  return [
    { id: "Reserve", action: lambda(), compensation: lambda(), permanentErrors: ["OutOfStock"] },
    {
      id: "Charge",
      action: lambda(),
      compensation: lambda(),
      permanentErrors: ["PaymentDeclined"],
      retryableErrors: ["RetryableError"],
      retry: { maxAttempts: 4 },
    },
    { id: "Ship", action: lambda(), compensation: lambda(), timeout: Duration.seconds(20) },
    { id: "Confirm", action: setStatus("CONFIRMED"), compensation: setStatus("CANCELLED") },
  ];
}

function synth(props: Partial<SfnSagaProps> = {}, custom?: (stack: Stack) => Partial<SfnSagaProps>) {
  const stack = new Stack(createTestApp(), "Test", { env: { account: "123456789012", region: "eu-west-1" } });
  const extra = custom?.(stack) ?? {};
  const saga = new SfnSaga(stack, "Saga", {
    businessKeyPath: "$.orderId",
    ...props,
    ...extra,
    steps: extra.steps ?? props.steps ?? steps(stack),
  });
  const template = Template.fromStack(stack);
  return { stack, saga, template, definition: definitionOf(template.toJSON() as never) };
}

/** The compensation states a catch leads through, in order, and the terminal state it ends in. */
function chainFrom(definition: AslDefinition, start: string): { compensations: string[]; end: string } {
  const compensations: string[] = [];
  let name = start;
  for (;;) {
    const state = definition.States[name] as AslState;
    if (state.Type === "Fail" || state.Type === "Succeed") return { compensations, end: name };
    compensations.push(name);
    name = state.Next as string;
  }
}

function catcher(state: AslState, error: string) {
  const found = state.Catch?.find((c) => c.ErrorEquals.includes(error));
  if (!found) throw new Error(`no catcher for ${error}`);
  return found;
}

describe("SfnSaga definition", () => {
  const { definition } = synth();
  const forward = ["Reserve", "Charge", "Ship", "Confirm"];

  it("is valid ASL (asl-validator) in the JSONPath query language", () => {
    expect(validateAsl(definition)).toEqual([]);
    expect(definition.QueryLanguage).toBe("JSONPath");
    expect(definition.StartAt).toBe("Reserve");
  });

  it("would be rejected by asl-validator with a dangling transition (the check can fail)", () => {
    const broken = structuredClone(definition) as { States: Record<string, { Next?: string }> };
    (broken.States.Charge as { Next?: string }).Next = "Nowhere";
    expect(validateAsl(broken).map((e) => e.code)).toContain("MISSING_TRANSITION_TARGET");
  });

  it("runs the steps in order and ends in SagaSucceeded", () => {
    expect(forward.map((s) => definition.States[s]?.Next)).toEqual([
      "Charge",
      "Ship",
      "Confirm",
      "SagaSucceeded",
    ]);
  });

  it("catches every forward step into the compensations of exactly the completed steps, in reverse order (SAGA-01)", () => {
    const expected: Record<string, string[]> = {
      Reserve: ["CompensateReserve"],
      Charge: ["CompensateCharge", "CompensateReserve"],
      Ship: ["CompensateShip", "CompensateCharge", "CompensateReserve"],
      Confirm: ["CompensateConfirm", "CompensateShip", "CompensateCharge", "CompensateReserve"],
    };
    for (const step of forward) {
      const state = definition.States[step] as AslState;
      // Everything else (timeouts, unknown errors): the step's outcome is unknown, so it is compensated too.
      const all = catcher(state, "States.ALL");
      expect(chainFrom(definition, all.Next)).toEqual({ compensations: expected[step], end: "SagaFailed" });
      expect(state.Catch?.at(-1)?.ErrorEquals).toEqual(["States.ALL"]);
    }
    // A declared permanent error means the step changed nothing: only the steps before it are undone.
    expect(chainFrom(definition, catcher(definition.States.Reserve as AslState, "OutOfStock").Next)).toEqual({
      compensations: [],
      end: "SagaFailed",
    });
    expect(
      chainFrom(definition, catcher(definition.States.Charge as AslState, "PaymentDeclined").Next),
    ).toEqual({ compensations: ["CompensateReserve"], end: "SagaFailed" });
  });

  it("compensates a timed-out step (unknown outcome), and does not retry a timeout (SAGA-02)", () => {
    const ship = definition.States.Ship as AslState;
    expect(ship.TimeoutSeconds).toBe(25);
    expect(catcher(ship, "States.ALL").Next).toBe("CompensateShip");
    for (const step of forward) {
      const retriers = definition.States[step]?.Retry ?? [];
      expect(retriers.flatMap((r) => r.ErrorEquals)).not.toContain("States.Timeout");
      expect(retriers.flatMap((r) => r.ErrorEquals)).not.toContain("States.ALL");
    }
  });

  it("writes results, errors and compensation results under their own keys, never over the input (SAGA-06, IAC-10)", () => {
    for (const step of forward) {
      const state = definition.States[step] as AslState;
      expect(state.ResultPath).toBe(`$.results.${step}`);
      for (const c of state.Catch ?? []) expect(c.ResultPath).toBe("$.failure");
      const compensation = definition.States[`Compensate${step}`] as AslState;
      expect(compensation.ResultPath).toBe(`$.compensations.${step}`);
      expect(catcher(compensation, "States.ALL").ResultPath).toBe(`$.compensationFailures.${step}`);
    }
  });

  it("passes every Lambda step the business key, the step, the phase and the whole state", () => {
    expect(definition.States.Charge?.Parameters).toEqual({
      "sagaKey.$": "$.orderId",
      step: "Charge",
      phase: "action",
      "executionId.$": "$$.Execution.Id",
      "input.$": "$",
    });
    expect(definition.States.CompensateCharge?.Parameters).toMatchObject({ phase: "compensation" });
  });

  it("retries Lambda service exceptions on every Lambda task, bounded, with full jitter and a max delay (SAGA-05)", () => {
    for (const name of [
      "Reserve",
      "Charge",
      "Ship",
      "CompensateReserve",
      "CompensateCharge",
      "CompensateShip",
    ]) {
      const first = definition.States[name]?.Retry?.[0];
      expect(first).toEqual({
        ErrorEquals: [...LAMBDA_SERVICE_ERRORS],
        IntervalSeconds: 2,
        MaxAttempts: 6,
        BackoffRate: 2,
        MaxDelaySeconds: 60,
        JitterStrategy: "FULL",
      });
    }
    expect(definition.States.Confirm?.Retry?.[0]?.ErrorEquals).toContain(
      "DynamoDB.ProvisionedThroughputExceededException",
    );
    for (const [name, state] of Object.entries(definition.States)) {
      for (const r of state.Retry ?? []) {
        expect(r.MaxAttempts, name).toBeLessThanOrEqual(10);
        expect(r.MaxDelaySeconds, name).toBeGreaterThan(0);
        expect(r.JitterStrategy, name).toBe("FULL");
      }
    }
  });

  it("retries a step's own retryable errors with its own settings", () => {
    expect(definition.States.Charge?.Retry?.[1]).toEqual({
      ErrorEquals: ["RetryableError"],
      IntervalSeconds: 1,
      MaxAttempts: 4,
      BackoffRate: 2,
      MaxDelaySeconds: 30,
      JitterStrategy: "FULL",
    });
  });

  it("retries every compensation on any error (SAGA-03)", () => {
    for (const step of forward) {
      const retriers = definition.States[`Compensate${step}`]?.Retry ?? [];
      expect(retriers.at(-1)).toMatchObject({
        ErrorEquals: ["States.ALL"],
        MaxAttempts: 5,
        JitterStrategy: "FULL",
      });
    }
  });

  it("sets a TimeoutSeconds on every Task and on the execution", () => {
    for (const [name, state] of Object.entries(definition.States)) {
      if (state.Type !== "Task" || name.includes("CompensationFailure")) continue;
      expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
    }
    expect(definition.TimeoutSeconds).toBe(3600);
  });

  it("sends a compensation that still fails to record → alert → Fail with a distinct error (SAGA-04)", () => {
    const record = definition.States.RecordCompensationFailure as AslState;
    const alert = definition.States.AlertCompensationFailure as AslState;
    expect(record.Resource).toBe("arn:aws:states:::dynamodb:putItem");
    expect(record.Next).toBe("AlertCompensationFailure");
    expect(catcher(record, "States.ALL").Next).toBe("AlertCompensationFailure");
    expect(alert.Resource).toBe("arn:aws:states:::sns:publish");
    expect(alert.Next).toBe("CompensationFailed");
    expect(catcher(alert, "States.ALL").Next).toBe("CompensationFailed");
    expect(definition.States.CompensationFailed).toMatchObject({
      Type: "Fail",
      Error: COMPENSATION_FAILED_ERROR,
    });
    for (const step of forward) {
      expect(catcher(definition.States[`Compensate${step}`] as AslState, "States.ALL").Next).toBe(
        "RecordCompensationFailure",
      );
    }
  });

  it("ends a compensated saga FAILED with the forward step's error and cause", () => {
    expect(definition.States.SagaFailed).toEqual({
      Type: "Fail",
      ErrorPath: "$.failure.Error",
      CausePath: "$.failure.Cause",
    });
  });

  it("runs a DynamoDB step as a service integration, with no Lambda", () => {
    expect(definition.States.Confirm?.Resource).toBe("arn:aws:states:::dynamodb:updateItem");
    expect(definition.States.CompensateConfirm?.Resource).toBe("arn:aws:states:::dynamodb:updateItem");
  });
});

describe("SfnSaga resume state machine", () => {
  const { template, definition: main } = synth();
  const resume = definitionOf(template.toJSON() as never, "ResumeStateMachine");

  it("is valid ASL that starts at a Choice on $.resumeAt, one branch per compensation", () => {
    expect(validateAsl(resume)).toEqual([]);
    expect(resume.StartAt).toBe("ResumeAt");
    const choice = resume.States.ResumeAt as unknown as {
      Choices: { And: { Variable: string; StringEquals?: string }[]; Next: string }[];
      Default: string;
    };
    expect(choice.Choices.map((c) => [c.And[1]?.StringEquals, c.Next])).toEqual([
      ["Reserve", "CompensateReserve"],
      ["Charge", "CompensateCharge"],
      ["Ship", "CompensateShip"],
      ["Confirm", "CompensateConfirm"],
    ]);
    expect(resume.States[choice.Default]).toMatchObject({ Type: "Fail", Error: "Saga.InvalidResumePoint" });
  });

  it("has exactly the main machine's compensation chain and escalation", () => {
    for (const name of [
      "CompensateReserve",
      "CompensateCharge",
      "CompensateShip",
      "CompensateConfirm",
      "SagaFailed",
      "RecordCompensationFailure",
      "AlertCompensationFailure",
      "CompensationFailed",
    ]) {
      expect(resume.States[name], name).toEqual(main.States[name]);
    }
    expect(
      Object.keys(resume.States).filter((n) => !n.startsWith("Compensate") && main.States[n] === undefined),
    ).toEqual(["ResumeAt", "InvalidResumePoint"]);
  });

  it("is Standard, logs ALL and traces, like the main machine", () => {
    const machines = Object.values(
      template.findResources("AWS::StepFunctions::StateMachine") as Record<string, Resource>,
    );
    expect(machines).toHaveLength(2);
    for (const m of machines) {
      expect(m.Properties).toMatchObject({
        StateMachineType: "STANDARD",
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: "ALL", IncludeExecutionData: false },
      });
    }
  });
});

describe("SfnSaga resources", () => {
  const { template } = synth();

  it("logs states' inputs and outputs only when logExecutionData is set", () => {
    const logged = synth({ logExecutionData: true }).template;
    const machines = Object.values(
      logged.findResources("AWS::StepFunctions::StateMachine") as Record<string, Resource>,
    );
    expect(machines).toHaveLength(2);
    for (const m of machines) {
      expect(m.Properties).toMatchObject({ LoggingConfiguration: { IncludeExecutionData: true } });
    }
  });

  it("is a Standard state machine with logging ALL (without execution data by default) and X-Ray (SF1, SF2)", () => {
    template.hasResourceProperties("AWS::StepFunctions::StateMachine", {
      StateMachineType: "STANDARD",
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: "ALL", IncludeExecutionData: false },
    });
    const groups = Object.values(template.findResources("AWS::Logs::LogGroup") as Record<string, Resource>);
    expect(groups.every((g) => typeof g.Properties.RetentionInDays === "number")).toBe(true);
  });

  it("bundles one function per Lambda action and compensation (timeout = the step's timeout)", () => {
    const functions = Object.values(
      template.findResources("AWS::Lambda::Function") as Record<string, Resource>,
    );
    expect(functions).toHaveLength(6);
    expect(functions.filter((f) => f.Properties.Timeout === 20)).toHaveLength(2);
  });

  it("alarms on failed, timed-out and throttled executions and on compensation failures", () => {
    const alarms = Object.values(
      template.findResources("AWS::CloudWatch::Alarm") as Record<string, Resource>,
    );
    expect(alarms.map((a) => a.Properties.MetricName).sort()).toEqual([
      "ExecutionThrottled",
      "ExecutionsFailed",
      "ExecutionsTimedOut",
      "NumberOfMessagesPublished",
    ]);
  });

  it("encrypts the alert topic with a customer-managed key the state machine may use", () => {
    const [topic] = Object.values(template.findResources("AWS::SNS::Topic") as Record<string, Resource>);
    expect(topic?.Properties.KmsMasterKeyId).toEqual({
      "Fn::GetAtt": [expect.stringMatching(/AlertKey/), "Arn"],
    });
    const policies = JSON.stringify(template.findResources("AWS::IAM::Policy"));
    expect(policies).toContain("kms:GenerateDataKey");
    expect(policies).toContain("sns:Publish");
    expect(policies).toContain("dynamodb:PutItem");
  });

  it("sends alarms to the alarm topic when one is given", () => {
    const { template: t } = synth({}, (stack) => ({ alarmTopic: new Topic(stack, "Alarms") }));
    const alarms = Object.values(t.findResources("AWS::CloudWatch::Alarm") as Record<string, Resource>);
    expect(alarms.every((a) => Array.isArray(a.Properties.AlarmActions))).toBe(true);
  });
});

describe("SfnSaga options", () => {
  it("skips a step declared with nothing to undo in the reverse chain", () => {
    const { definition } = synth({}, (stack) => {
      const [reserve, charge] = steps(stack);
      return {
        steps: [
          reserve as SagaStepProps,
          {
            id: "Notify",
            action: lambda(),
            compensation: SagaAction.none("a notification cannot be unsent"),
          },
          charge as SagaStepProps,
        ],
      };
    });
    expect(definition.States.CompensateNotify).toBeUndefined();
    expect(chainFrom(definition, catcher(definition.States.Charge as AslState, "States.ALL").Next)).toEqual({
      compensations: ["CompensateCharge", "CompensateReserve"],
      end: "SagaFailed",
    });
    expect(catcher(definition.States.Notify as AslState, "States.ALL").Next).toBe("CompensateReserve");
    expect(validateAsl(definition)).toEqual([]);
  });

  it("uses an existing function and grants the state machine only to invoke it", () => {
    const { definition, template } = synth({}, (stack) => {
      const fn = new LambdaFunction(stack, "Existing", {
        runtime: LAMBDA_RUNTIME,
        handler: "index.handler",
        code: Code.fromInline("exports.handler = async () => ({})"),
      });
      return {
        steps: [
          { id: "Only", action: SagaAction.fromFunction(fn), compensation: SagaAction.fromFunction(fn) },
        ],
      };
    });
    expect(definition.States.Only?.Resource).toMatch(/function:Existing/);
    expect(JSON.stringify(template.findResources("AWS::IAM::Policy"))).toContain("lambda:InvokeFunction");
  });

  it("runs a callback step with .waitForTaskToken and passes the task token", () => {
    const { definition } = synth({}, () => ({
      steps: [
        {
          id: "Approve",
          action: lambda(),
          compensation: lambda(),
          callback: true,
          timeout: Duration.hours(2),
        },
      ],
      timeout: Duration.hours(3),
    }));
    expect(definition.States.Approve?.Resource).toBe("arn:aws:states:::lambda:invoke.waitForTaskToken");
    expect(definition.States.Approve?.Parameters).toMatchObject({
      Payload: { "taskToken.$": "$$.Task.Token", "sagaKey.$": "$.orderId" },
    });
    expect(definition.States.Approve?.TimeoutSeconds).toBe(7200);
  });

  it("builds an Express state machine when every step is declared idempotent", () => {
    const { template } = synth({}, (stack) => ({
      stateMachineType: StateMachineType.EXPRESS,
      timeout: Duration.minutes(5),
      steps: steps(stack).map((s) => ({ ...s, exactlyOnce: false })),
    }));
    template.hasResourceProperties("AWS::StepFunctions::StateMachine", { StateMachineType: "EXPRESS" });
  });
});

describe("SfnSaga validation", () => {
  const cases: [string, string, (stack: Stack) => Partial<SfnSagaProps>][] = [
    ["steps", "at least one step", () => ({ steps: [] })],
    [
      "step-ids",
      "letters and digits",
      () => ({ steps: [{ id: "bad-id", action: lambda(), compensation: lambda() }] }),
    ],
    [
      "step-ids",
      "already used",
      () => ({
        steps: [
          { id: "A", action: lambda(), compensation: lambda() },
          { id: "A", action: lambda(), compensation: lambda() },
        ],
      }),
    ],
    [
      "step-ids",
      "'SagaFailed' is already used",
      () => ({ steps: [{ id: "SagaFailed", action: lambda(), compensation: lambda() }] }),
    ],
    [
      "compensation",
      "compensation is missing",
      () => ({ steps: [{ id: "A", action: lambda() } as unknown as SagaStepProps] }),
    ],
    [
      "compensation",
      "needs a reason",
      () => ({ steps: [{ id: "A", action: lambda(), compensation: SagaAction.none("no") }] }),
    ],
    ["business-key-path", "a JSONPath such as", () => ({ businessKeyPath: "orderId" })],
    ["business-key-path", "where the saga writes its own state", () => ({ businessKeyPath: "$.results.id" })],
    [
      "errors",
      "both permanent and retryable",
      () => ({
        steps: [
          {
            id: "A",
            action: lambda(),
            compensation: lambda(),
            permanentErrors: ["X"],
            retryableErrors: ["X"],
          },
        ],
      }),
    ],
    [
      "errors",
      "States.\\* errors are handled by the saga",
      () => ({
        steps: [{ id: "A", action: lambda(), compensation: lambda(), retryableErrors: ["States.Timeout"] }],
      }),
    ],
    [
      "retry",
      "maxAttempts is 50",
      () => ({ steps: [{ id: "A", action: lambda(), compensation: lambda(), retry: { maxAttempts: 50 } }] }),
    ],
    ["retry", "compensationRetry.backoffRate", () => ({ compensationRetry: { backoffRate: 0.5 } })],
    [
      "timeouts",
      "Lambda's maximum",
      () => ({
        steps: [{ id: "A", action: lambda(), compensation: lambda(), timeout: Duration.minutes(20) }],
      }),
    ],
    ["timeouts", "add up to", () => ({ timeout: Duration.seconds(60) })],
    [
      "timeouts",
      "5 minutes, Express",
      () => ({ stateMachineType: StateMachineType.EXPRESS, timeout: Duration.hours(1) }),
    ],
    [
      "callback",
      "only on Lambda actions",
      (stack) => ({ steps: steps(stack).map((s) => (s.id === "Confirm" ? { ...s, callback: true } : s)) }),
    ],
    [
      "express",
      "Express workflows are at-least-once",
      () => ({ stateMachineType: StateMachineType.EXPRESS, timeout: Duration.minutes(5) }),
    ],
    [
      "express",
      "Express supports no .waitForTaskToken",
      () => ({
        stateMachineType: StateMachineType.EXPRESS,
        timeout: Duration.minutes(5),
        steps: [{ id: "A", action: lambda(), compensation: lambda(), callback: true, exactlyOnce: false }],
      }),
    ],
  ];

  it.each(cases)("rule %s: %s", (rule, message, props) => {
    expect(() => synth({}, props)).toThrow(new RegExp(`\\[${rule}\\] .*${message}`));
  });

  it("reports every failure at once, with the construct path", () => {
    let error: unknown;
    try {
      synth({ businessKeyPath: "x", compensationRetry: { maxAttempts: -1 } });
    } catch (e) {
      error = e;
    }
    expect(String(error)).toMatch(/Invalid props for Test\/Saga/);
    expect(String(error)).toMatch(/\[business-key-path\]/);
    expect(String(error)).toMatch(/\[retry\]/);
  });
});
