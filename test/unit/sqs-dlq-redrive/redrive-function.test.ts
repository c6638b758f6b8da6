import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRedriveConfig, runRedrive } from "../../../functions/sqs-dlq-redrive/redrive-function.js";
import { type Emulator, emulatorClientConfig, startSqsSns } from "../../helpers/aws-emulators.js";

let fauxqs: Emulator;
let sqs: SQSClient;

beforeAll(async () => {
  fauxqs = await startSqsSns();
  sqs = new SQSClient(emulatorClientConfig(fauxqs.endpoint));
});
afterAll(async () => {
  sqs?.destroy();
  await fauxqs?.stop();
});

async function pair(name: string) {
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl as string;
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string;
  return { dlqUrl, queueUrl };
}
async function depth(url: string) {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages);
}

describe("the redrive function", () => {
  it("moves the DLQ back to the queue and returns the summary", async () => {
    const { dlqUrl, queueUrl } = await pair("fn-a");
    for (const body of ["a", "b", "c"])
      await sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: body }));
    const response = await runRedrive(sqs, { dlqUrl, queueUrl }, {});
    expect(response).toMatchObject({ status: "done", summary: { moved: 3, strategy: "mover" } });
    expect(await depth(queueUrl)).toBe(3);
    expect(await depth(dlqUrl)).toBe(0);
  });

  it("honours max and dryRun from the event", async () => {
    const { dlqUrl, queueUrl } = await pair("fn-b");
    for (const body of ["a", "b", "c"])
      await sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: body }));
    expect(await runRedrive(sqs, { dlqUrl, queueUrl }, { dryRun: true })).toMatchObject({
      summary: { matched: 3, moved: 0 },
    });
    expect(await runRedrive(sqs, { dlqUrl, queueUrl }, { max: 2 })).toMatchObject({ summary: { moved: 2 } });
    expect(await depth(dlqUrl)).toBe(1);
  });

  it("answers nothing-to-do for an empty DLQ instead of failing (a schedule must not retry it)", async () => {
    const { dlqUrl, queueUrl } = await pair("fn-c");
    expect(await runRedrive(sqs, { dlqUrl, queueUrl }, {})).toMatchObject({
      status: "nothing-to-do",
      reason: expect.stringMatching(/nothing to redrive/),
    });
  });

  it("rejects a malformed event", async () => {
    const { dlqUrl, queueUrl } = await pair("fn-d");
    await expect(runRedrive(sqs, { dlqUrl, queueUrl }, { max: -1 })).rejects.toThrow();
  });

  it("reads its configuration and rejects a bad rate", () => {
    expect(readRedriveConfig({ DLQ_URL: "d", QUEUE_URL: "q", REDRIVE_RATE_PER_SECOND: "50" })).toEqual({
      dlqUrl: "d",
      queueUrl: "q",
      ratePerSecond: 50,
    });
    expect(() => readRedriveConfig({ DLQ_URL: "d", QUEUE_URL: "q", REDRIVE_RATE_PER_SECOND: "x" })).toThrow(
      /REDRIVE_RATE_PER_SECOND/,
    );
    expect(() => readRedriveConfig({})).toThrow(/DLQ_URL, QUEUE_URL/);
  });
});
