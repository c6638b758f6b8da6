/**
 * Deterministic fault injection for consumers, configured by the `FAULT_INJECTION` variable.
 *
 * Syntax: comma-separated `kind=value` pairs. Supported kind:
 * - `transient=<rate>` (0 ≤ rate ≤ 1): a record whose event is selected by
 *   {@link isFaultInjected} fails with a `RetryableError` on its FIRST receive
 *   (`ApproximateReceiveCount == 1`) only; the redelivery succeeds. This exercises the retry path
 *   (visibility timeout, partial batch response) without ever reaching the DLQ.
 * Unset or empty → no faults. An unknown kind or a bad rate throws at cold start.
 */
import { createHash } from "node:crypto";
import { ConfigError } from "./env.js";

/** Parsed `FAULT_INJECTION`. */
export interface FaultInjectionConfig {
  /** Fraction of event ids that fail on first receive. @default 0 */
  readonly transientRate: number;
}

/** No faults. */
export const NO_FAULTS: FaultInjectionConfig = { transientRate: 0 };

/** The rate of a `transient=<rate>` entry: a number in [0, 1], else a {@link ConfigError} quoting it. */
export function parseTransientRate(value: string): number {
  const rate = Number(value);
  if (value.trim() === "" || !Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new ConfigError(`FAULT_INJECTION: transient rate must be a number in [0, 1], got "${value}"`);
  }
  return rate;
}

/** Parses a `FAULT_INJECTION` value such as `transient=0.05`. */
export function parseFaultInjection(spec: string | undefined): FaultInjectionConfig {
  if (spec === undefined || spec.trim() === "") return NO_FAULTS;
  let transientRate = 0;
  for (const part of spec.split(",")) {
    const [kind, value, ...rest] = part.trim().split("=");
    if (kind === "transient" && value !== undefined && rest.length === 0) {
      transientRate = parseTransientRate(value);
    } else {
      throw new ConfigError(`FAULT_INJECTION: unsupported entry "${part.trim()}"; allowed: transient=<0..1>`);
    }
  }
  return { transientRate };
}

/**
 * Whether the event `eventId` is hit for `subscriber` at `rate`: the first 4 bytes of
 * SHA-256(`subscriber + ":" + eventId`) as an unsigned integer, divided by 2^32, is below `rate`.
 * Pure and stable across processes, so a scenario can predict exactly which events fail once.
 */
export function isFaultInjected(subscriber: string, eventId: string, rate: number): boolean {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  const digest = createHash("sha256").update(`${subscriber}:${eventId}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32 < rate;
}
