/**
 * The `place order` saga's input: one order, validated by the starter before `StartExecution` and by
 * every step again (a step must not act on an input it does not understand).
 */
import * as z from "zod";

/**
 * An order ID is also the execution name (unique per state machine for 90 days on Standard), so it
 * follows the execution-name rules: 1-80 characters, none of the forbidden ones (whitespace,
 * brackets, wildcards, `"#%\^|~\`$&,;:/`, control characters). Letters, digits, `-` and `_` only.
 */
export const ORDER_ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

/** The order (`data` of the `order.requested` CloudEvent, and the saga's execution input). */
export const OrderSchema = z.object({
  orderId: z.string().regex(ORDER_ID_PATTERN, "1-80 letters, digits, '-' or '_' (it names the execution)"),
  customerId: z.string().min(1).max(128),
  sku: z.string().min(1).max(128),
  quantity: z.number().int().min(1).max(1000),
  /** Amount to charge, in cents. */
  amountCents: z.number().int().min(1).max(100_000_000),
});

/** A validated order. */
export type Order = z.infer<typeof OrderSchema>;

/** The CloudEvent type of an order request on the starter queue. */
export const ORDER_REQUESTED = "order.requested";

/** The saga's steps, in order (state names of the forward steps). */
export const SAGA_STEPS = ["ReserveInventory", "ChargePayment", "CreateShipment", "ConfirmOrder"] as const;

/** One of {@link SAGA_STEPS}. */
export type SagaStep = (typeof SAGA_STEPS)[number];

/** The steps run by a Lambda function (ConfirmOrder is a DynamoDB service integration). */
export type LambdaSagaStep = Exclude<SagaStep, "ConfirmOrder">;
