import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { memoizeConditionParser } from "../../../tools/local/dynalite-expression-cache.ts";

const require = createRequire(import.meta.url);
const validations = require("dynalite/validations/index.js") as {
  validateExpressions(data: Record<string, unknown>): string | undefined;
};
const conditionParser = require("dynalite/db/conditionParser.js") as Parameters<
  typeof memoizeConditionParser
>[0];

const IDEMPOTENCY =
  "attribute_not_exists(#id) OR #expiry < :now OR (attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis AND #status = :inprogress)";
const NAMES = {
  "#id": "id",
  "#expiry": "expiration",
  "#in_progress_expiry": "in_progress_expiration",
  "#status": "status",
};
const values = (now: number) => ({
  ":now": { N: String(now) },
  ":now_in_millis": { N: String(now * 1000) },
  ":inprogress": { S: "INPROGRESS" },
});

/** Requests as dynalite validates them: the same expressions with other values, and failing ones. */
const requests = (): Record<string, unknown>[] => [
  { ConditionExpression: IDEMPOTENCY, ExpressionAttributeNames: NAMES, ExpressionAttributeValues: values(1) },
  { ConditionExpression: IDEMPOTENCY, ExpressionAttributeNames: NAMES, ExpressionAttributeValues: values(2) },
  // A value no expression uses, an undefined placeholder, a reserved word, a syntax error.
  {
    ConditionExpression: IDEMPOTENCY,
    ExpressionAttributeNames: NAMES,
    ExpressionAttributeValues: { ...values(3), ":extra": { S: "x" } },
  },
  {
    ConditionExpression: IDEMPOTENCY,
    ExpressionAttributeNames: NAMES,
    ExpressionAttributeValues: { ":now": { N: "4" }, ":inprogress": { S: "INPROGRESS" } },
  },
  { ConditionExpression: "attribute_not_exists(name)" },
  { ConditionExpression: "attribute_not_exists(pk) AND" },
  { ConditionExpression: "attribute_not_exists(pk)" },
  { ConditionExpression: "attribute_not_exists(pk)" },
  // Value-dependent checks are never memoized.
  {
    ConditionExpression: "#n BETWEEN :a AND :b",
    ExpressionAttributeNames: { "#n": "n" },
    ExpressionAttributeValues: { ":a": { N: "1" }, ":b": { N: "2" } },
  },
  {
    ConditionExpression: "#n BETWEEN :a AND :b",
    ExpressionAttributeNames: { "#n": "n" },
    ExpressionAttributeValues: { ":a": { N: "3" }, ":b": { N: "2" } },
  },
];

function outcomes(): unknown[] {
  return requests().map((data) => ({
    error: validations.validateExpressions(data),
    condition: data._condition,
  }));
}

describe("dynalite condition-expression memo", () => {
  it("gives every request the outcome of a fresh parse: its own values, the same errors", () => {
    const fresh = outcomes();
    memoizeConditionParser(conditionParser);
    const memoized = outcomes();
    expect(memoized).toEqual(fresh);
    // The second request really carries its own values, not the first one's.
    expect(JSON.stringify((memoized[1] as { condition: unknown }).condition)).toContain('"N":"2000"');
    expect((memoized[2] as { error: string }).error).toMatch(/unused in expressions: keys: \{:extra\}/);
    expect((memoized[3] as { error: string }).error).toMatch(/not defined; attribute value: :now_in_millis/);
    expect((memoized[9] as { error: string }).error).toMatch(/upper bound to be greater than or equal/);
  });

  it("hands out copies: a change to one request's tree never reaches the next", () => {
    memoizeConditionParser(conditionParser);
    const first: Record<string, unknown> = {
      ConditionExpression: "attribute_not_exists(pk) OR #s = :v",
      ExpressionAttributeNames: { "#s": "s" },
      ExpressionAttributeValues: { ":v": { S: "a" } },
    };
    validations.validateExpressions(first);
    (first._condition as { expression: { type: string } }).expression.type = "changed";
    const second: Record<string, unknown> = {
      ...first,
      ExpressionAttributeValues: { ":v": { S: "b" } },
      _condition: undefined,
    };
    validations.validateExpressions(second);
    const tree = second._condition as unknown as { expression: { type: string } };
    expect(tree.expression.type).toBe("or");
    expect(JSON.stringify(tree)).toContain('"S":"b"');
  });
});
