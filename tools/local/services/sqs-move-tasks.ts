import type { SQSClient } from "@aws-sdk/client-sqs";
import type { FauxqsServer, SqsSpyMessage } from "fauxqs";
import type { SqsActionHandler } from "./fauxqs-server.ts";

/** SQS message move tasks (placeholder: no actions yet). */
export class MoveTasks {
  readonly actions: Readonly<Record<string, SqsActionHandler>> = {};
  constructor(
    readonly region: string,
    readonly accountId: string,
    readonly fauxqs: () => FauxqsServer,
    readonly sqs: () => SQSClient,
  ) {}
  recordDeadLetter(_message: SqsSpyMessage): void {}
  stop(): void {}
}
