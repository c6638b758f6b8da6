/**
 * The three Lambda steps of the `place order` saga and their compensations, as plain functions of
 * the order and the tables (ConfirmOrder / CancelOrder are DynamoDB updates the state machine runs
 * itself). Each is idempotent on `(orderId, step)`; each compensation tolerates "nothing to undo".
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { AddressRejected, OutOfStock, PaymentDeclined } from "./errors.js";
import { releaseStock, reserveStock } from "./inventory.js";
import type { LambdaSagaStep, Order } from "./order.js";
import { chargePayment, refundPayment } from "./payments.js";
import { cancelShipment, createShipment } from "./shipments.js";

/** The tables the steps write. */
export interface SagaTables {
  readonly inventory: string;
  readonly payments: string;
  readonly shipments: string;
  /** Orders (written by ConfirmOrder/CancelOrder); also holds the fault-injection attempt counters. */
  readonly orders: string;
}

/** What a step implementation gets. */
export interface StepContext {
  readonly dynamodb: DynamoDBClient;
  readonly tables: SagaTables;
  readonly now: Date;
}

/** A step's action and compensation. */
export interface StepImplementation {
  /** The business refusal it throws before changing anything. */
  readonly businessError: new (
    message: string,
  ) => Error;
  readonly action: (order: Order, context: StepContext) => Promise<unknown>;
  readonly compensation: (order: Order, context: StepContext) => Promise<unknown>;
}

/** The implementations by step. */
export const STEPS: Readonly<Record<LambdaSagaStep, StepImplementation>> = {
  ReserveInventory: {
    businessError: OutOfStock,
    action: (order, c) => reserveStock(c.dynamodb, c.tables.inventory, order),
    compensation: (order, c) => releaseStock(c.dynamodb, c.tables.inventory, order),
  },
  ChargePayment: {
    businessError: PaymentDeclined,
    action: (order, c) => chargePayment(c.dynamodb, c.tables.payments, order, c.now),
    compensation: (order, c) => refundPayment(c.dynamodb, c.tables.payments, order.orderId, c.now),
  },
  CreateShipment: {
    businessError: AddressRejected,
    action: (order, c) => createShipment(c.dynamodb, c.tables.shipments, order, c.now),
    compensation: (order, c) => cancelShipment(c.dynamodb, c.tables.shipments, order.orderId, c.now),
  },
};
