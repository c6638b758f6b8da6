import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import type { Json } from "../template.ts";
import { UnsupportedResourceError } from "./plan.ts";

const HANDLED = new Set([
  "TableName",
  "KeySchema",
  "AttributeDefinitions",
  "BillingMode",
  "ProvisionedThroughput",
  "GlobalSecondaryIndexes",
  "LocalSecondaryIndexes",
  "TimeToLiveSpecification",
  "PointInTimeRecoverySpecification",
  "SSESpecification",
  "Tags",
  "DeletionProtectionEnabled",
  "ContributorInsightsSpecification",
  "TableClass",
]);

type Index = { IndexName: string; KeySchema: unknown; Projection: unknown; ProvisionedThroughput?: unknown };

/**
 * Creates an `AWS::DynamoDB::Table` on dynalite: key schema, attribute definitions, billing mode,
 * global and local secondary indexes. TTL is accepted (items do not expire locally), point-in-time
 * recovery and SSE are accepted as no-ops; Streams fail loudly since nothing would consume them.
 */
export async function createTable(
  client: DynamoDBClient,
  logicalId: string,
  name: string,
  props: Record<string, Json>,
): Promise<void> {
  for (const key of Object.keys(props)) {
    if (!HANDLED.has(key)) {
      throw new UnsupportedResourceError(
        logicalId,
        "AWS::DynamoDB::Table",
        `uses property ${key}, which is not emulated`,
      );
    }
  }
  const provisioned = props.BillingMode !== "PAY_PER_REQUEST";
  const throughput = (props.ProvisionedThroughput as CreateTableCommandInput["ProvisionedThroughput"]) ?? {
    ReadCapacityUnits: 5,
    WriteCapacityUnits: 5,
  };
  const indexes = (list: Json | undefined) =>
    (list as Index[] | undefined)?.map((index) => ({
      IndexName: index.IndexName,
      KeySchema: index.KeySchema,
      Projection: index.Projection,
      ...(provisioned ? { ProvisionedThroughput: index.ProvisionedThroughput ?? throughput } : {}),
    }));
  const input = {
    TableName: name,
    KeySchema: props.KeySchema,
    AttributeDefinitions: props.AttributeDefinitions,
    BillingMode: provisioned ? "PROVISIONED" : "PAY_PER_REQUEST",
    ...(provisioned ? { ProvisionedThroughput: throughput } : {}),
    GlobalSecondaryIndexes: indexes(props.GlobalSecondaryIndexes),
    LocalSecondaryIndexes: indexes(props.LocalSecondaryIndexes)?.map(
      ({ ProvisionedThroughput: _, ...rest }) => rest,
    ),
  } as CreateTableCommandInput;
  await client.send(new CreateTableCommand(input));
}
