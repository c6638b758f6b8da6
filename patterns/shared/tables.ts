import { RemovalPolicy } from "aws-cdk-lib";
import {
  AttributeType,
  BillingMode,
  Table,
  TableEncryption,
  type TableProps,
} from "aws-cdk-lib/aws-dynamodb";
import type { Construct } from "constructs";

/**
 * The DynamoDB actions Powertools idempotency (`DynamoDBPersistenceLayer`) uses: read a record,
 * create it conditionally (in progress), complete it, and delete it when the function fails.
 * Granted explicitly: `grantReadWriteData` would add Scan, Query, BatchWriteItem and more.
 */
export const IDEMPOTENCY_TABLE_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
] as const;

/**
 * The DynamoDB actions of the batch idempotency (`functions/shared/batch-idempotency.ts`, the Kafka
 * consumer's): one `BatchGetItem` of a batch's event ids, completion marks by `BatchWriteItem`
 * (puts only: it never deletes).
 */
export const BATCH_IDEMPOTENCY_TABLE_ACTIONS = ["dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"] as const;

/**
 * Production defaults for the patterns' tables: on-demand, encrypted, point-in-time recovery, and
 * retained when the stack is deleted unless the caller says otherwise.
 */
export function tableDefaults(removalPolicy: RemovalPolicy = RemovalPolicy.RETAIN): Partial<TableProps> {
  return {
    billingMode: BillingMode.PAY_PER_REQUEST,
    encryption: TableEncryption.AWS_MANAGED,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy,
  };
}

/**
 * The table Powertools idempotency expects with its defaults: partition key `id`, TTL attribute
 * `expiration` (records expire after the idempotency window, so the table does not grow forever).
 */
export function createIdempotencyTable(scope: Construct, id: string, removalPolicy?: RemovalPolicy): Table {
  return new Table(scope, id, {
    ...tableDefaults(removalPolicy),
    partitionKey: { name: "id", type: AttributeType.STRING },
    timeToLiveAttribute: "expiration",
  });
}
