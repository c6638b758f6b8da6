/**
 * Pub/Sub subscription filters (https://cloud.google.com/pubsub/docs/subscription-message-filter):
 * `attributes.k = "v"`, `attributes.k != "v"`, `attributes:k` (has), `hasPrefix(attributes.k, "p")`,
 * combined with `AND`, `OR`, `NOT` (or `-`) and parentheses. A message the filter rejects is
 * acknowledged at once and never delivered, as Pub/Sub does.
 */
import { invalidArgument } from "./errors.ts";

export type Attributes = Readonly<Record<string, string>>;
export type MessagePredicate = (attributes: Attributes) => boolean;

type Token = { kind: "word" | "string" | "punct"; text: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let j = i + 1;
      let text = "";
      while (j < source.length && source[j] !== '"') {
        if (source[j] === "\\") j++;
        text += source[j] ?? "";
        j++;
      }
      if (j >= source.length) throw invalidArgument(`Invalid filter: unterminated string in ${source}`);
      tokens.push({ kind: "string", text });
      i = j + 1;
    } else if (source.startsWith("!=", i)) {
      tokens.push({ kind: "punct", text: "!=" });
      i += 2;
    } else if ("=:().,-".includes(c)) {
      tokens.push({ kind: "punct", text: c });
      i++;
    } else {
      const match = /^[A-Za-z0-9_]+/.exec(source.slice(i));
      if (!match) throw invalidArgument(`Invalid filter: unexpected '${c}' in ${source}`);
      tokens.push({ kind: "word", text: match[0] });
      i += match[0].length;
    }
  }
  return tokens;
}

/** Compiles a filter expression; the empty filter accepts every message. Throws INVALID_ARGUMENT. */
export function compileFilter(source: string): MessagePredicate {
  if (source.trim() === "") return () => true;
  const tokens = tokenize(source);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const fail = (why: string): never => {
    throw invalidArgument(`Invalid filter (${why}): ${source}`);
  };
  const expect = (text: string): void => {
    if (peek()?.text !== text) fail(`expected '${text}'`);
    pos++;
  };
  const key = (): string => {
    const token = peek();
    if (!token || token.kind === "punct") return fail("expected an attribute key");
    pos++;
    return token.text;
  };
  const value = (): string => {
    const token = peek();
    if (token?.kind !== "string") return fail("expected a quoted value");
    pos++;
    return token.text;
  };
  const attributeKey = (): string => {
    if (peek()?.text !== "attributes") fail("expected 'attributes'");
    pos++;
    expect(".");
    return key();
  };
  const atom = (): MessagePredicate => {
    const token = peek();
    if (token?.text === "(") {
      pos++;
      const inner = or();
      expect(")");
      return inner;
    }
    if (token?.text === "NOT" || token?.text === "-") {
      pos++;
      const inner = atom();
      return (a) => !inner(a);
    }
    if (token?.text === "hasPrefix") {
      pos++;
      expect("(");
      const k = attributeKey();
      expect(",");
      const prefix = value();
      expect(")");
      return (a) => a[k]?.startsWith(prefix) === true;
    }
    if (token?.text !== "attributes") return fail("expected an attribute condition");
    pos++;
    if (peek()?.text === ":") {
      pos++;
      const k = key();
      return (a) => Object.hasOwn(a, k);
    }
    expect(".");
    const k = key();
    const op = peek()?.text;
    if (op !== "=" && op !== "!=") return fail("expected '=' or '!='");
    pos++;
    const v = value();
    return op === "=" ? (a) => a[k] === v : (a) => a[k] !== v;
  };
  const and = (): MessagePredicate => {
    const parts = [atom()];
    while (peek()?.text === "AND") {
      pos++;
      parts.push(atom());
    }
    return parts.length === 1 ? (parts[0] as MessagePredicate) : (a) => parts.every((p) => p(a));
  };
  const or = (): MessagePredicate => {
    const parts = [and()];
    while (peek()?.text === "OR") {
      pos++;
      parts.push(and());
    }
    return parts.length === 1 ? (parts[0] as MessagePredicate) : (a) => parts.some((p) => p(a));
  };
  const predicate = or();
  if (pos !== tokens.length) fail(`unexpected '${peek()?.text}'`);
  return predicate;
}
