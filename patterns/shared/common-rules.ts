import type { Duration } from "aws-cdk-lib";
import { seconds } from "./sqs-consumer-rules.js";

/**
 * Rule helpers several patterns' validation tables share. Each returns failure messages (empty or
 * `undefined` when the props pass) in the wording every pattern reports, so the same mistake reads
 * the same in every construct.
 */

/** The id rule of a pattern's named parts (subscribers, services): a letter, then letters, digits or `-`, at most 40. */
const PART_ID = /^[A-Za-z][A-Za-z0-9-]{0,39}$/;

/**
 * Checks one part's id (e.g. `noun` `subscriber`, `service`): well-formed and not already in `seen`
 * (to which it is added). Ids name construct scopes, queues and alarms, so they must be unique.
 */
export function checkPartId(noun: string, id: string, seen: Set<string>): string[] {
  const failures: string[] = [];
  if (!PART_ID.test(id)) {
    failures.push(`${noun} id '${id}' is invalid; allowed: a letter, then letters, digits or '-' (≤ 40)`);
  }
  if (seen.has(id)) failures.push(`${noun} id '${id}' is used twice; allowed: unique ids`);
  seen.add(id);
  return failures;
}

/**
 * Checks that at most one of an existing resource (`existingName`, e.g. `topic`) and the props to
 * create one (`propsName`, e.g. `topicProps`) is set: with both, the props would be silently ignored.
 */
export function checkExistingOrProps(
  existingName: string,
  existing: unknown,
  propsName: string,
  props: unknown,
): string | undefined {
  return existing && props
    ? `both \`${existingName}\` and \`${propsName}\` are set; allowed: an existing \`${existingName}\` or \`${propsName}\`, not both`
    : undefined;
}

/** A queue's age alarms and the retentions they must stay below (each already defaulted). */
export interface AgeAlarmSettings {
  readonly messageAgeAlarmThreshold: Duration | undefined;
  readonly retentionPeriod: Duration;
  readonly deadLetterAgeAlarmThreshold: Duration | undefined;
  readonly deadLetterRetentionPeriod: Duration;
}

/**
 * Checks that each age alarm threshold (oldest message in the queue, oldest in its DLQ) is more than 0
 * and less than that queue's retention: SQS deletes a message when its retention ends, so an alarm at
 * or beyond it would never fire. Unset or deploy-time values are skipped.
 */
export function checkAgeAlarmThresholds(s: AgeAlarmSettings): string[] {
  const pairs = [
    ["messageAgeAlarmThreshold", s.messageAgeAlarmThreshold, s.retentionPeriod, "retentionPeriod"],
    [
      "deadLetterAgeAlarmThreshold",
      s.deadLetterAgeAlarmThreshold,
      s.deadLetterRetentionPeriod,
      "deadLetterRetentionPeriod",
    ],
  ] as const;
  return pairs.flatMap(([name, value, limit, limitName]) => {
    const threshold = seconds(value);
    const retention = seconds(limit);
    if (threshold === undefined || retention === undefined) return [];
    return threshold <= 0 || threshold >= retention
      ? [`${name} is ${threshold} s; allowed: more than 0 and less than ${limitName} (${retention} s)`]
      : [];
  });
}
