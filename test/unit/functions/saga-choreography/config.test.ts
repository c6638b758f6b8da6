import { describe, expect, it } from "vitest";
import { readServiceConsumerConfig } from "../../../../functions/saga-choreography/service-consumer.js";
import { readDeadlineSeconds } from "../../../../functions/saga-choreography/watchdog-core.js";
import { ConfigError } from "../../../../functions/shared/env.js";

const ENV = {
  SAGA_SERVICE: "payments",
  EVENT_SOURCE: "saga.payments",
  EVENT_BUS_NAME: "bus",
  DLQ_URL: "https://sqs/dlq",
  IDEMPOTENCY_TABLE_NAME: "idempotency",
  SERVICE_TABLE_NAME: "payments",
  IDEMPOTENCY_EXPIRES_AFTER_SECONDS: "1555200",
};

describe("saga service configuration", () => {
  it("reads what the construct and the stack set", () => {
    expect(readServiceConsumerConfig(ENV)).toMatchObject({
      service: "payments",
      source: "saga.payments",
      eventBusName: "bus",
      idempotencyExpiresAfterSeconds: 1_555_200,
      faultInjection: { transientRate: 0 },
    });
    expect(
      readServiceConsumerConfig({ ...ENV, FAULT_INJECTION: "transient=0.1" }).faultInjection.transientRate,
    ).toBe(0.1);
  });

  it("names every missing variable, and refuses an unknown service", () => {
    expect(() => readServiceConsumerConfig({ SAGA_SERVICE: "payments" })).toThrow(
      /EVENT_SOURCE, EVENT_BUS_NAME, DLQ_URL, IDEMPOTENCY_TABLE_NAME, SERVICE_TABLE_NAME/,
    );
    expect(() => readServiceConsumerConfig({ ...ENV, SAGA_SERVICE: "billing" })).toThrow(ConfigError);
  });

  it("reads SAGA_DEADLINE_SECONDS (300 when unset) and refuses anything but a positive integer", () => {
    expect(readDeadlineSeconds({})).toBe(300);
    expect(readDeadlineSeconds({ SAGA_DEADLINE_SECONDS: "30" })).toBe(30);
    expect(() => readDeadlineSeconds({ SAGA_DEADLINE_SECONDS: "0" })).toThrow(ConfigError);
    expect(() => readDeadlineSeconds({ SAGA_DEADLINE_SECONDS: "1.5" })).toThrow(ConfigError);
  });
});
