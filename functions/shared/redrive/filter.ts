import type { Message } from "@aws-sdk/client-sqs";
import { RedriveInputError } from "./errors.ts";

/** One `--filter` expression, parsed. Several filters must all match (logical AND). */
export type MessageFilter =
  | { kind: "attribute"; name: string; value?: string }
  | { kind: "body-contains"; text: string }
  | { kind: "body-regex"; pattern: RegExp };

const USAGE =
  "allowed: attr:NAME (attribute present), attr:NAME=VALUE (attribute equals), body:TEXT (body contains), body:/REGEX/FLAGS";

/**
 * Parses a `--filter` value:
 * - `attr:error.type=schema`: message attribute `error.type` has the string value `schema`;
 * - `attr:error.type`: the message has that attribute;
 * - `body:order-42`: the body contains `order-42`;
 * - `body:/"status":"paid"/i`: the body matches the regular expression.
 */
export function parseFilter(expression: string): MessageFilter {
  if (expression.startsWith("attr:")) {
    const rest = expression.slice(5);
    const eq = rest.indexOf("=");
    const name = eq === -1 ? rest : rest.slice(0, eq);
    if (!/^[A-Za-z0-9_.-]{1,256}$/.test(name)) {
      throw new RedriveInputError(
        "--filter",
        `--filter ${JSON.stringify(expression)}: bad attribute name; ${USAGE}`,
      );
    }
    return eq === -1 ? { kind: "attribute", name } : { kind: "attribute", name, value: rest.slice(eq + 1) };
  }
  if (expression.startsWith("body:")) {
    const rest = expression.slice(5);
    const regex = /^\/(.+)\/([dgimsuy]*)$/.exec(rest);
    if (regex) {
      try {
        return { kind: "body-regex", pattern: new RegExp(regex[1] ?? "", (regex[2] ?? "").replace("g", "")) };
      } catch (error) {
        throw new RedriveInputError(
          "--filter",
          `--filter ${JSON.stringify(expression)}: ${(error as Error).message}; ${USAGE}`,
        );
      }
    }
    if (rest.length === 0) {
      throw new RedriveInputError("--filter", `--filter ${JSON.stringify(expression)}: empty text; ${USAGE}`);
    }
    return { kind: "body-contains", text: rest };
  }
  throw new RedriveInputError(
    "--filter",
    `--filter ${JSON.stringify(expression)} is not understood; ${USAGE}`,
  );
}

/** True when `message` satisfies every filter (an empty list matches everything). */
export function matchesFilters(message: Message, filters: readonly MessageFilter[]): boolean {
  return filters.every((filter) => {
    switch (filter.kind) {
      case "attribute": {
        const attribute = message.MessageAttributes?.[filter.name];
        if (!attribute) return false;
        return filter.value === undefined || attribute.StringValue === filter.value;
      }
      case "body-contains":
        return (message.Body ?? "").includes(filter.text);
      case "body-regex":
        return filter.pattern.test(message.Body ?? "");
    }
    return false;
  });
}
