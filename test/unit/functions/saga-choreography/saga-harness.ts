/**
 * An in-process choreography for handler tests: the four service consumers on real DynamoDB
 * (dynalite), a bus that records every put and routes each event, as the stack's rules do
 * (`SAGA_FLOW`: source + detail-type), to the queue of every consuming service, and a delivery loop
 * that runs queued records through the consumers like the SQS event source (a failed record comes
 * back with a higher receive count).
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { CreateTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import {
  SAGA_FLOW,
  SAGA_SERVICES,
  type SagaService,
  sagaSource,
} from "../../../../functions/saga-choreography/flow.js";
import type { SagaEvent, SagaEventBus } from "../../../../functions/saga-choreography/saga-events.js";
import { createServiceConsumer } from "../../../../functions/saga-choreography/service-consumer.js";
import { parseFaultInjection } from "../../../../functions/shared/fault-injection.js";
import type { RecordOutcome, SqsConsumer } from "../../../../functions/shared/sqs-consumer.js";
import { createIdempotencyTable, createKeyTable } from "../../../helpers/aws-emulators.js";
import { queueArn, sqsRecord } from "../../../helpers/events.js";

export const TABLES: Record<SagaService, string> = {
  orders: "orders",
  inventory: "inventory",
  payments: "payments",
  shipping: "shipments",
};

/** Creates the idempotency table and each service's table (orders with its open-by-deadline index). */
export async function createSagaTables(
  dynamodb: DynamoDBClient,
  prefix: string,
): Promise<Record<SagaService, string>> {
  const names = Object.fromEntries(SAGA_SERVICES.map((s) => [s, `${prefix}-${TABLES[s]}`])) as Record<
    SagaService,
    string
  >;
  await createIdempotencyTable(dynamodb, `${prefix}-idempotency`);
  await createKeyTable(dynamodb, names.inventory, "sku");
  await createKeyTable(dynamodb, names.payments, "orderId");
  await createKeyTable(dynamodb, names.shipping, "orderId");
  await dynamodb.send(
    new CreateTableCommand({
      TableName: names.orders,
      AttributeDefinitions: [
        { AttributeName: "orderId", AttributeType: "S" },
        { AttributeName: "watch", AttributeType: "S" },
        { AttributeName: "deadline", AttributeType: "S" },
      ],
      KeySchema: [{ AttributeName: "orderId", KeyType: "HASH" }],
      GlobalSecondaryIndexes: [
        {
          IndexName: "open-by-deadline",
          KeySchema: [
            { AttributeName: "watch", KeyType: "HASH" },
            { AttributeName: "deadline", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
      ],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  return names;
}

/** A queued delivery. */
interface Delivery {
  readonly record: SQSRecord;
  readonly event: SagaEvent;
}

/** The in-process choreography. */
export class SagaHarness implements SagaEventBus {
  /** Every event put, in order. */
  readonly published: SagaEvent[] = [];
  /** Per service, the records waiting. */
  readonly queues: Record<SagaService, Delivery[]> = {
    orders: [],
    inventory: [],
    payments: [],
    shipping: [],
  };
  /** Per service, every outcome. */
  readonly outcomes: Record<SagaService, RecordOutcome[]> = {
    orders: [],
    inventory: [],
    payments: [],
    shipping: [],
  };
  /** Services whose queue is not consumed (down). */
  readonly down = new Set<SagaService>();
  /** Fails the next `n` puts (PutEvents partial failure). */
  failNextPuts = 0;
  /** Delivers every event twice (an at-least-once duplicate at each hop). */
  duplicate = false;
  private readonly consumers: Record<SagaService, SqsConsumer>;

  constructor(
    readonly dynamodb: DynamoDBClient,
    readonly tables: Record<SagaService, string>,
    options: {
      sqs: SQSClient;
      dlqUrl: string;
      idempotencyTable: string;
      faultInjection?: string;
      clock?: () => Date;
    },
  ) {
    const make = (service: SagaService) =>
      createServiceConsumer({
        config: {
          service,
          source: sagaSource(service),
          eventBusName: "saga",
          dlqUrl: options.dlqUrl,
          idempotencyTableName: options.idempotencyTable,
          tableName: tables[service],
          faultInjection: parseFaultInjection(options.faultInjection),
          idempotencyExpiresAfterSeconds: 86_400,
        },
        dynamodb,
        sqs: options.sqs,
        bus: this,
        ...(options.clock ? { clock: options.clock } : {}),
        logger: new Logger({ serviceName: service, logLevel: "CRITICAL" }),
        metrics: new Metrics({ serviceName: service }),
      });
    this.consumers = {
      orders: make("orders"),
      inventory: make("inventory"),
      payments: make("payments"),
      shipping: make("shipping"),
    };
  }

  async put(events: readonly SagaEvent[]): Promise<void> {
    if (this.failNextPuts > 0) {
      this.failNextPuts--;
      throw new Error("PutEvents failed for 1 of 1 entries (InternalFailure)");
    }
    for (const event of events) {
      this.published.push(event);
      for (const service of SAGA_SERVICES) {
        // The rule of (service, type) matches source + detail-type of the emitter.
        const emitter = SAGA_SERVICES.find((s) =>
          (SAGA_FLOW[s].emits as readonly string[]).includes(event.type),
        );
        if (
          !(SAGA_FLOW[service].consumes as readonly string[]).includes(event.type) ||
          !emitter ||
          sagaSource(emitter) !== event.source
        )
          continue;
        const copies = this.duplicate ? 2 : 1;
        for (let i = 0; i < copies; i++) {
          this.queues[service].push({
            event,
            record: sqsRecord({ body: JSON.stringify(event), eventSourceARN: queueArn(`${service}-queue`) }),
          });
        }
      }
    }
  }

  /** Delivers until every queue of a running service is empty; a failed record is redelivered (up to 5 receives). */
  async settle(maxRounds = 200): Promise<void> {
    for (let round = 0; round < maxRounds; round++) {
      const service = SAGA_SERVICES.find((s) => !this.down.has(s) && this.queues[s].length > 0);
      if (!service) return;
      const delivery = this.queues[service].shift() as Delivery;
      try {
        this.outcomes[service].push(await this.consumers[service].processRecord(delivery.record));
      } catch {
        const count = Number(delivery.record.attributes.ApproximateReceiveCount);
        if (count >= 5) throw new Error(`${service}: ${delivery.event.id} failed 5 receives`);
        this.queues[service].push({
          ...delivery,
          record: {
            ...delivery.record,
            attributes: { ...delivery.record.attributes, ApproximateReceiveCount: String(count + 1) },
          },
        });
      }
    }
    throw new Error("the saga did not settle");
  }

  /** The types put for an order, in order. */
  typesOf(orderId: string): string[] {
    return this.published.filter((e) => e.data.orderId === orderId).map((e) => e.type);
  }
}

/** Creates the DLQ the consumers send permanent failures to. */
export async function createDlq(sqs: SQSClient, name: string): Promise<string> {
  return (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string;
}
