/**
 * The saga's errors. Lambda reports a thrown error's `name` as the `errorType`, and Step Functions
 * uses it as the error name that Retry and Catch match (`ErrorEquals: ["OutOfStock"]`), so each
 * class sets `name` explicitly (a minifier may rename classes).
 *
 * - Business refusals ({@link OutOfStock}, {@link PaymentDeclined}, {@link AddressRejected}) are
 *   permanent and thrown only before the step changed anything: the saga does not retry them and
 *   compensates only the steps before.
 * - `RetryableError` (functions/shared/errors.ts) is the steps' transient error: retried with backoff.
 * - {@link CompensationError} is a compensation that cannot complete; the saga retries it, then
 *   escalates (`Saga.CompensationFailed`).
 */

/** Not enough stock for the order (nothing was reserved). */
export class OutOfStock extends Error {
  override readonly name = "OutOfStock";
}

/** The payment was refused (nothing was charged). */
export class PaymentDeclined extends Error {
  override readonly name = "PaymentDeclined";
}

/** The shipping address was refused (no shipment was created). */
export class AddressRejected extends Error {
  override readonly name = "AddressRejected";
}

/** A compensation that failed (the saga retries it; after the retries a person must act). */
export class CompensationError extends Error {
  override readonly name = "CompensationError";
}

/** The step's input is not a valid step event or order (a bug upstream, never retried usefully). */
export class InvalidSagaInput extends Error {
  override readonly name = "InvalidSagaInput";
}
