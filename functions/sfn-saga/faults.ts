/**
 * Deterministic fault injection for the saga's steps, configured by the `SAGA_FAULTS` variable
 * (unset or empty: no faults; production stacks leave it unset).
 *
 * Syntax: comma-separated `<Step>:<kind>=<rate>` entries, e.g.
 * `ChargePayment:permanent=0.05,CreateShipment:timeout=0.02,ReserveInventory:compensation-permanent=0.01`.
 * Each order falls into at most ONE entry: the first 4 bytes of SHA-256(`saga-fault:<orderId>`) as a
 * fraction of 2^32 are compared with the entries' cumulative rates in the order written (the rates must
 * add up to ≤ 1). So a scenario can predict every order's fault with {@link faultFor}.
 *
 * Kinds (on the entry's step):
 * - `permanent`: the action fails with the step's business error before changing anything
 *   (OutOfStock, PaymentDeclined, AddressRejected) → the steps before are compensated;
 * - `transient`: the action fails with `RetryableError` on its first two attempts, then succeeds
 *   (the saga's retry recovers; no compensation);
 * - `timeout`: the action commits, then outlives its timeout → `States.Timeout`; its outcome is
 *   unknown, so it is compensated too (and its compensation finds something to undo);
 * - `compensation-transient`: the NEXT step fails permanently, and this step's compensation fails
 *   twice, then succeeds (the compensation's retry recovers);
 * - `compensation-permanent`: the next step fails permanently and this step's compensation always
 *   fails → `Saga.CompensationFailed`, alerted and recorded.
 * Compensation kinds need a next step run by Lambda: ReserveInventory and ChargePayment only.
 */
import { createHash } from "node:crypto";
import { ConfigError } from "../shared/env.js";
import { type LambdaSagaStep, SAGA_STEPS } from "./order.js";

/** The fault kinds. */
export const FAULT_KINDS = [
  "permanent",
  "transient",
  "timeout",
  "compensation-transient",
  "compensation-permanent",
] as const;

/** One of {@link FAULT_KINDS}. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One parsed `SAGA_FAULTS` entry. */
export interface SagaFault {
  readonly step: LambdaSagaStep;
  readonly kind: FaultKind;
  readonly rate: number;
}

/** Attempts that fail before a transient fault recovers. */
export const TRANSIENT_FAILURES = 2;

const LAMBDA_STEPS: readonly LambdaSagaStep[] = ["ReserveInventory", "ChargePayment", "CreateShipment"];

/** Parses `SAGA_FAULTS`; throws {@link ConfigError} naming the bad entry and what is allowed. */
export function parseSagaFaults(spec: string | undefined): SagaFault[] {
  if (spec === undefined || spec.trim() === "") return [];
  const faults = spec.split(",").map((part): SagaFault => {
    const match = /^\s*([A-Za-z]+):([a-z-]+)=([0-9.]+)\s*$/.exec(part);
    const [, step, kind, rateText] = match ?? [];
    const rate = Number(rateText);
    if (!match || !(LAMBDA_STEPS as readonly string[]).includes(step as string)) {
      throw new ConfigError(
        `SAGA_FAULTS: bad entry "${part.trim()}"; allowed: <Step>:<kind>=<rate> with Step one of ${LAMBDA_STEPS.join(", ")}`,
      );
    }
    if (!(FAULT_KINDS as readonly string[]).includes(kind as string)) {
      throw new ConfigError(`SAGA_FAULTS: unknown kind "${kind}"; allowed: ${FAULT_KINDS.join(", ")}`);
    }
    if (!Number.isFinite(rate) || rate < 0 || rate > 1) {
      throw new ConfigError(`SAGA_FAULTS: rate of "${part.trim()}" must be in [0, 1]`);
    }
    if (kind?.startsWith("compensation-") && step === "CreateShipment") {
      throw new ConfigError(
        `SAGA_FAULTS: "${part.trim()}": compensation faults need a next step run by Lambda; allowed on ReserveInventory and ChargePayment`,
      );
    }
    return { step: step as LambdaSagaStep, kind: kind as FaultKind, rate };
  });
  const total = faults.reduce((sum, f) => sum + f.rate, 0);
  if (total > 1 + 1e-9) throw new ConfigError(`SAGA_FAULTS: the rates add up to ${total}; allowed: ≤ 1`);
  return faults;
}

/** The position of an order in [0, 1), stable across processes. */
export function faultPosition(orderId: string): number {
  return createHash("sha256").update(`saga-fault:${orderId}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** The fault an order is hit by, if any (at most one per order). */
export function faultFor(orderId: string, faults: readonly SagaFault[]): SagaFault | undefined {
  const position = faultPosition(orderId);
  let upper = 0;
  for (const fault of faults) {
    upper += fault.rate;
    if (position < upper) return fault;
  }
  return undefined;
}

/** The step after `step` (the one a compensation fault makes fail), if any. */
export function nextStep(step: LambdaSagaStep): string | undefined {
  return SAGA_STEPS[SAGA_STEPS.indexOf(step) + 1];
}

/** What a step must do about an order's fault, in one phase. */
export type FaultAction =
  | { readonly kind: "none" }
  | { readonly kind: "fail-permanently" }
  | { readonly kind: "fail-transiently" }
  | { readonly kind: "timeout-after-commit" }
  | { readonly kind: "fail-compensation-transiently" }
  | { readonly kind: "fail-compensation-permanently" };

/** Decides what `step` does for `fault` in `phase` (pure; the caller counts attempts for transient kinds). */
export function faultAction(
  fault: SagaFault | undefined,
  step: LambdaSagaStep,
  phase: "action" | "compensation",
): FaultAction {
  if (!fault) return { kind: "none" };
  const compensationFault = fault.kind.startsWith("compensation-");
  if (phase === "action") {
    if (fault.step === step && fault.kind === "permanent") return { kind: "fail-permanently" };
    if (fault.step === step && fault.kind === "transient") return { kind: "fail-transiently" };
    if (fault.step === step && fault.kind === "timeout") return { kind: "timeout-after-commit" };
    if (compensationFault && nextStep(fault.step) === step) return { kind: "fail-permanently" };
    return { kind: "none" };
  }
  if (fault.step !== step) return { kind: "none" };
  if (fault.kind === "compensation-transient") return { kind: "fail-compensation-transiently" };
  if (fault.kind === "compensation-permanent") return { kind: "fail-compensation-permanently" };
  return { kind: "none" };
}
