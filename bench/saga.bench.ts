/**
 * Saga benchmark on the embedded local cloud (`npm run bench -- saga`):
 * 1. start → first completed execution, warm cdk.out (SfnSagaStack up to date);
 * 2. executions per second end to end: BENCH_SAGAS place-order sagas (4 steps each) started at once
 *    through StartExecution, until every one has ended;
 * 3. state transitions per saga (states entered plus retries, what Standard workflows bill) for the
 *    happy path and for a saga compensated at CreateShipment.
 * Targets (issue 12): first completed execution < 1.5 s warm; ≥ 50 sagas of 4 steps per second on 2 cores.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { faultFor, parseSagaFaults } from "../functions/sfn-saga/faults.ts";
import { putStock } from "../functions/sfn-saga/inventory.ts";
import type { Order } from "../functions/sfn-saga/order.ts";
import { SfnSagaOutputs as O } from "../stacks/sfn-saga-outputs.ts";
import { ensureSynthesized, REPO_ROOT } from "../tools/local/cloud-assembly.ts";
import { startLocal } from "../tools/local/start-local.ts";
import { benchWait } from "./wait.ts";

const SAGAS = Number(process.env.BENCH_SAGAS ?? 300);
const ENVIRONMENTS = process.env.BENCH_ENVIRONMENTS ? Number(process.env.BENCH_ENVIRONMENTS) : undefined;
const FAULTS = "CreateShipment:permanent=0.1";
const faults = parseSagaFaults(FAULTS);
const order = (orderId: string): Order => ({
  orderId,
  customerId: "c",
  sku: "bench",
  quantity: 1,
  amountCents: 100,
});

// Warm cdk.out: synthesize first if the sources changed, outside the measurement.
await ensureSynthesized({ stack: "SfnSagaStack", cdkOut: join(REPO_ROOT, "cdk.out"), mode: "auto" });
const started = performance.now();
const cloud = await startLocal({
  stack: "SfnSagaStack",
  environment: { SAGA_FAULTS: FAULTS },
  ...(ENVIRONMENTS ? { concurrency: ENVIRONMENTS } : {}),
});
const config = { region: cloud.region, credentials: cloud.credentials };
const sfn = new SFNClient({ ...config, endpoint: cloud.endpoints.stepfunctions });
const dynamodb = new DynamoDBClient({ ...config, endpoint: cloud.endpoints.dynamodb });
const machine = cloud.outputs[O.stateMachineArn] as string;
try {
  await putStock(dynamodb, cloud.outputs[O.inventoryTableName] as string, "bench", 1_000_000);
  const run = async (o: Order) => {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machine, name: o.orderId, input: JSON.stringify(o) }),
    );
    const describe = () => sfn.send(new DescribeExecutionCommand({ executionArn }));
    let e: Awaited<ReturnType<typeof describe>> | undefined;
    await benchWait(
      `execution ${o.orderId} finished`,
      async () => {
        e = await describe();
        return e.status !== "RUNNING";
      },
      { intervalMs: 5 },
    );
    return e as Awaited<ReturnType<typeof describe>>;
  };
  const happyId = (prefix: string) => {
    for (let i = 0; ; i++) if (!faultFor(`${prefix}-${i}`, faults)) return `${prefix}-${i}`;
  };
  const first = await run(order(happyId("first")));
  const firstMs = performance.now() - started;

  const transitions = async (executionArn: string) => {
    const { events = [] } = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }),
    );
    const entered = events.filter((e) => e.type?.endsWith("StateEntered")).length;
    const scheduled = new Map<string, number>();
    let state = "";
    for (const e of events) {
      if (e.stateEnteredEventDetails?.name) state = e.stateEnteredEventDetails.name;
      if (e.type === "TaskScheduled") scheduled.set(state, (scheduled.get(state) ?? 0) + 1);
    }
    const retries = [...scheduled.values()].reduce((sum, n) => sum + n - 1, 0);
    return entered + retries;
  };
  const happyTransitions = await transitions(first.executionArn as string);
  let compensatedId = "";
  for (let i = 0; !compensatedId; i++) if (faultFor(`comp-${i}`, faults)) compensatedId = `comp-${i}`;
  const compensated = await run(order(compensatedId));
  const compensatedTransitions = await transitions(compensated.executionArn as string);

  const t0 = performance.now();
  const results = await Promise.all(Array.from({ length: SAGAS }, (_, i) => run(order(`bench-${i}`))));
  const seconds = (performance.now() - t0) / 1000;
  const succeeded = results.filter((r) => r.status === "SUCCEEDED").length;
  const failed = results.filter((r) => r.status === "FAILED").length;

  console.log(`cores: ${availableParallelism()}; execution environments per function: ${ENVIRONMENTS ?? 2}`);
  console.log(
    `start → first completed execution (warm cdk.out): ${firstMs.toFixed(0)} ms (target < 1500 ms) [${first.status}]`,
  );
  console.log(
    `${SAGAS} sagas of 4 steps (${FAULTS}): ${(SAGAS / seconds).toFixed(1)} sagas/s (${succeeded} succeeded, ${failed} compensated) in ${seconds.toFixed(1)} s (target ≥ 50/s)`,
  );
  console.log(
    `state transitions per saga: happy path ${happyTransitions}, compensated at CreateShipment ${compensatedTransitions} [${compensated.status} ${compensated.error}]`,
  );
} finally {
  sfn.destroy();
  dynamodb.destroy();
  await cloud.stop();
}
