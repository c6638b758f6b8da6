import type { Duration } from "aws-cdk-lib";
import { checkAgeAlarmThresholds, checkExistingOrProps, checkPartId } from "../shared/common-rules.js";
import { resolveConsumerTimeout } from "../shared/consumer-function.js";
import { queueConsumerSettings, seconds, sqsConsumerRules } from "../shared/sqs-consumer-rules.js";
import { checkIntegerRange, type ValidationRule } from "../shared/validation.js";
import { CHOREOGRAPHY_DEFAULTS, CHOREOGRAPHY_LIMITS } from "./defaults.js";
import type { ChoreographyServiceProps, SagaChoreographyProps } from "./props.js";

/** The `source` of a service's events: its own, else `saga.<id>`. */
export function serviceSource(service: ChoreographyServiceProps): string {
  return service.source ?? `saga.${service.id}`;
}

/** The consumer timeout a service's visibility timeout is derived from and checked against. */
export function consumerTimeout(service: ChoreographyServiceProps): Duration | undefined {
  return resolveConsumerTimeout(service.consumer, CHOREOGRAPHY_DEFAULTS.consumerTimeout);
}

/** One routed event type: who emits it (its `source`) and which service consumes it. */
export interface ConsumedEvent {
  readonly serviceId: string;
  readonly detailType: string;
  readonly source: string;
}

/**
 * Every (consumer, detail-type, source) the rules route, resolved against the emitters and the
 * declared external events. A type nobody emits resolves to no route (the validation reports it).
 */
export function consumedEvents(props: SagaChoreographyProps): ConsumedEvent[] {
  const emitters = emitterSources(props);
  return props.services.flatMap((service) =>
    service.consumes.flatMap((detailType) => {
      const source = emitters.get(detailType);
      return source === undefined ? [] : [{ serviceId: service.id, detailType, source }];
    }),
  );
}

/** detail-type → the source it is emitted with (by a service, else declared external). */
function emitterSources(props: SagaChoreographyProps): Map<string, string> {
  const sources = new Map<string, string>();
  for (const external of props.externalEvents?.consumed ?? [])
    sources.set(external.detailType, external.source);
  for (const service of props.services) {
    for (const type of service.emits) if (!sources.has(type)) sources.set(type, serviceSource(service));
  }
  return sources;
}

const label = (service: ChoreographyServiceProps) => `service '${service.id}'`;

/** The shared SQS → Lambda consumer rules, applied to every service's queue. */
const SQS = sqsConsumerRules<SagaChoreographyProps>((props) =>
  props.services.map((s) => ({
    label: label(s),
    settings: {
      hasEntry: s.consumer.entry !== undefined,
      hasFunction: s.consumer.function !== undefined,
      consumerTimeout: consumerTimeout(s),
      fifo: false,
      ...queueConsumerSettings(s),
    },
  })),
);

const L = CHOREOGRAPHY_LIMITS;

/**
 * The validation table of {@link SagaChoreography}: every rule runs, every failure is reported. The
 * event-flow rules are the ones a choreography needs most, because nothing else sees the whole flow:
 * a type consumed that nobody emits is a saga that stalls; a type emitted that nobody consumes is a
 * reaction someone forgot (unless it is declared external).
 */
export const CHOREOGRAPHY_RULES: readonly ValidationRule<SagaChoreographyProps>[] = [
  {
    name: "bus-source",
    check: (p) => checkExistingOrProps("eventBus", p.eventBus, "eventBusProps", p.eventBusProps),
  },
  {
    name: "services",
    check: (p) => {
      if (p.services.length < 2) {
        return `${p.services.length} service(s); allowed: at least two (a saga with one participant needs no choreography)`;
      }
      const failures: string[] = [];
      const ids = new Set<string>();
      const sources = new Map<string, string>();
      for (const s of p.services) {
        failures.push(...checkPartId("service", s.id, ids));
        const source = serviceSource(s);
        const other = sources.get(source);
        if (other !== undefined) {
          failures.push(
            `${label(s)}: source '${source}' is also the source of service '${other}'; allowed: one source per service (rules and permissions key on it)`,
          );
        }
        sources.set(source, s.id);
        if (source.length === 0 || source.length > L.maxSourceLength || source.startsWith("aws.")) {
          failures.push(
            `${label(s)}: source '${source}' is invalid; allowed: 1-${L.maxSourceLength} characters, not starting with 'aws.' (reserved for AWS services)`,
          );
        }
        if (s.consumes.length === 0) {
          failures.push(
            `${label(s)}: consumes no event type; allowed: at least one (a pure emitter needs no queue: grant it with grantPutEvents)`,
          );
        }
      }
      return failures;
    },
  },
  {
    name: "event-types",
    check: (p) => {
      const failures: string[] = [];
      const emitter = new Map<string, string>();
      for (const s of p.services) {
        for (const [kind, types] of [
          ["emits", s.emits],
          ["consumes", s.consumes],
        ] as const) {
          const seen = new Set<string>();
          for (const type of types) {
            if (type.length === 0 || type.length > L.maxDetailTypeLength) {
              failures.push(`${label(s)}: ${kind} '${type}'; allowed: 1-${L.maxDetailTypeLength} characters`);
            }
            if (seen.has(type))
              failures.push(`${label(s)}: ${kind} '${type}' twice; allowed: each type once`);
            seen.add(type);
          }
        }
        for (const type of s.emits) {
          const other = emitter.get(type);
          if (other !== undefined) {
            failures.push(
              `'${type}' is emitted by services '${other}' and '${s.id}'; allowed: one emitter per type (its source identifies the event)`,
            );
          }
          emitter.set(type, s.id);
        }
      }
      return failures;
    },
  },
  {
    name: "consumed-but-never-emitted",
    check: (p) => {
      const emitted = new Set(p.services.flatMap((s) => s.emits));
      const external = new Set((p.externalEvents?.consumed ?? []).map((e) => e.detailType));
      return p.services.flatMap((s) =>
        s.consumes
          .filter((type) => !emitted.has(type) && !external.has(type))
          .map(
            (type) =>
              `${label(s)} consumes '${type}', which no service emits; allowed: a type some service emits, or one declared in externalEvents.consumed with its source`,
          ),
      );
    },
  },
  {
    name: "emitted-but-never-consumed",
    check: (p) => {
      const consumed = new Set(p.services.flatMap((s) => s.consumes));
      const external = new Set(p.externalEvents?.emitted ?? []);
      return p.services.flatMap((s) =>
        s.emits
          .filter((type) => !consumed.has(type) && !external.has(type))
          .map(
            (type) =>
              `${label(s)} emits '${type}', which no service consumes; allowed: a type some service consumes, or one declared in externalEvents.emitted`,
          ),
      );
    },
  },
  {
    name: "external-events",
    check: (p) => {
      const emitted = new Set(p.services.flatMap((s) => s.emits));
      const failures: string[] = [];
      for (const type of p.externalEvents?.emitted ?? []) {
        if (!emitted.has(type)) {
          failures.push(
            `externalEvents.emitted lists '${type}', which no service emits; allowed: types a service emits`,
          );
        }
      }
      for (const { detailType, source } of p.externalEvents?.consumed ?? []) {
        if (emitted.has(detailType)) {
          failures.push(
            `externalEvents.consumed lists '${detailType}', which a service emits; allowed: types only emitted outside the saga`,
          );
        }
        if (source.length === 0 || source.length > L.maxSourceLength) {
          failures.push(
            `externalEvents.consumed '${detailType}': source '${source}'; allowed: 1-${L.maxSourceLength} characters`,
          );
        }
      }
      return failures;
    },
  },
  {
    name: "rules-per-bus",
    check: (p) => {
      const rules = consumedEvents(p).length;
      return rules > L.maxRulesPerBus
        ? `the services need ${rules} rules (one per consumed type); allowed: at most ${L.maxRulesPerBus} per bus (default quota)`
        : undefined;
    },
  },
  SQS.consumerSource,
  SQS.visibilityTimeout,
  SQS.batchSize,
  SQS.batchingWindow,
  SQS.maxConcurrency,
  SQS.maxReceiveCount,
  SQS.retention,
  SQS.messageSize,
  {
    name: "target-retry-policy",
    check: (p) => {
      const failures: (string | undefined)[] = [
        checkIntegerRange("targetRetryAttempts", p.targetRetryAttempts, 0, L.maxTargetRetryAttempts),
      ];
      const age = seconds(p.targetMaxEventAge);
      if (age !== undefined && (age < L.minTargetEventAgeSeconds || age > L.maxTargetEventAgeSeconds)) {
        failures.push(
          `targetMaxEventAge is ${age} s; allowed: ${L.minTargetEventAgeSeconds} s to ${L.maxTargetEventAgeSeconds} s (24 hours)`,
        );
      }
      return failures.filter((m): m is string => m !== undefined);
    },
  },
  {
    name: "message-age-alarm",
    check: (p) =>
      p.services.flatMap((s) =>
        checkAgeAlarmThresholds({
          messageAgeAlarmThreshold: s.messageAgeAlarmThreshold,
          retentionPeriod: s.retentionPeriod ?? CHOREOGRAPHY_DEFAULTS.retentionPeriod,
          deadLetterAgeAlarmThreshold: s.deadLetterAgeAlarmThreshold,
          deadLetterRetentionPeriod:
            s.deadLetterRetentionPeriod ?? CHOREOGRAPHY_DEFAULTS.deadLetterRetentionPeriod,
        }).map((m) => `${label(s)}: ${m}`),
      ),
  },
];
