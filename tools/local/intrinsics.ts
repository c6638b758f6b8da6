import type { Json, Template } from "./template.ts";
import { isObject } from "./template.ts";

/**
 * Values that `Ref` and `Fn::GetAtt` return for one resource, as the local cloud created it:
 * `ref` is what `{ Ref }` returns (a queue URL, a topic ARN, a table or function name, as on AWS),
 * `attributes` what `Fn::GetAtt` returns (`Arn`, `QueueName`, `QueueUrl`, `TopicName`, …).
 */
export interface ResourceAttributes {
  readonly ref: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** Pseudo parameters (`AWS::Region`, `AWS::AccountId`, …) of the local deployment. */
export interface PseudoParameters {
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
  readonly partition?: string;
  readonly urlSuffix?: string;
}

/** Thrown when a template uses an intrinsic, a reference or an attribute the resolver cannot resolve. */
export class IntrinsicError extends Error {
  override readonly name = "IntrinsicError";
}

/** `AWS::NoValue`: removes the property (or list item) it stands for, as CloudFormation does. */
const NO_VALUE: unique symbol = Symbol("AWS::NoValue");
type Resolved = Json | typeof NO_VALUE;

/**
 * Resolves CloudFormation intrinsic functions against the resources the local cloud created.
 *
 * Supports `Ref` (resources, parameters with defaults, pseudo parameters), `Fn::GetAtt`, `Fn::Join`,
 * `Fn::Sub` (both forms, `${!Literal}` escapes), `Fn::Select`, `Fn::Split`, `Fn::If` with the
 * template's `Conditions` (`Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not`, `Condition`),
 * `Fn::FindInMap`, `Fn::Base64`, `Fn::GetAZs` and `AWS::NoValue`. Anything else throws an
 * {@link IntrinsicError} naming the function and where it was found: never a silent guess.
 */
export class IntrinsicResolver {
  private readonly conditionCache = new Map<string, boolean>();

  constructor(
    private readonly template: Template,
    private readonly pseudo: PseudoParameters,
    private readonly resources: ReadonlyMap<string, ResourceAttributes>,
    private readonly parameterValues: Readonly<Record<string, string>> = {},
  ) {}

  /** Resolves every intrinsic in `value`; `where` names the location for error messages. */
  resolve(value: Json, where = "template"): Json {
    const resolved = this.walk(value, where);
    return resolved === NO_VALUE ? null : resolved;
  }

  /** Resolves `value` and requires a string (e.g. an environment variable or a queue name). */
  resolveString(value: Json, where: string): string {
    const resolved = this.resolve(value, where);
    if (typeof resolved === "string") return resolved;
    if (typeof resolved === "number" || typeof resolved === "boolean") return String(resolved);
    throw new IntrinsicError(`${where}: expected a string, got ${JSON.stringify(resolved)}`);
  }

  /** Evaluates a named condition of the template's `Conditions` section. */
  condition(name: string): boolean {
    const cached = this.conditionCache.get(name);
    if (cached !== undefined) return cached;
    const expression = this.template.Conditions?.[name];
    if (expression === undefined) throw new IntrinsicError(`unknown condition ${name}`);
    const value = this.evaluateCondition(expression, `Conditions.${name}`);
    this.conditionCache.set(name, value);
    return value;
  }

  private evaluateCondition(expression: Json, where: string): boolean {
    if (typeof expression === "boolean") return expression;
    if (expression === "true" || expression === "false") return expression === "true";
    if (!isObject(expression))
      throw new IntrinsicError(`${where}: not a condition: ${JSON.stringify(expression)}`);
    const [fn, args] = singleEntry(expression, where);
    switch (fn) {
      case "Condition":
        return this.condition(String(args));
      case "Fn::Equals": {
        const [a, b] = expectArray(args, 2, fn, where);
        return (
          JSON.stringify(this.resolve(a as Json, where)) === JSON.stringify(this.resolve(b as Json, where))
        );
      }
      case "Fn::Not":
        return !this.evaluateCondition(expectArray(args, 1, fn, where)[0] as Json, where);
      case "Fn::And":
        return (args as Json[]).every((c) => this.evaluateCondition(c, where));
      case "Fn::Or":
        return (args as Json[]).some((c) => this.evaluateCondition(c, where));
      default:
        throw new IntrinsicError(`${where}: ${fn} is not a condition function`);
    }
  }

  private walk(value: Json, where: string): Resolved {
    if (Array.isArray(value)) {
      return value
        .map((item, i) => this.walk(item, `${where}[${i}]`))
        .filter((item) => item !== NO_VALUE) as Json[];
    }
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    const first = keys[0];
    if (keys.length === 1 && first !== undefined && (first === "Ref" || first.startsWith("Fn::"))) {
      return this.intrinsic(first, value[first] as Json, where);
    }
    const out: Record<string, Json> = {};
    for (const key of keys) {
      const resolved = this.walk(value[key] as Json, `${where}.${key}`);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  private intrinsic(fn: string, args: Json, where: string): Resolved {
    switch (fn) {
      case "Ref":
        return this.ref(String(args), where);
      case "Fn::GetAtt": {
        const [logicalId, attribute] = Array.isArray(args)
          ? [String(args[0]), String(this.resolve(args[1] as Json, where))]
          : splitOnce(String(args), ".");
        return this.getAtt(logicalId, attribute, where);
      }
      case "Fn::Join": {
        const [delimiter, list] = expectArray(args, 2, fn, where);
        const items = this.resolve(list as Json, where);
        if (!Array.isArray(items)) throw new IntrinsicError(`${where}: Fn::Join needs a list`);
        return items.map((item) => scalar(item, fn, where)).join(String(delimiter));
      }
      case "Fn::Sub":
        return this.sub(args, where);
      case "Fn::Select": {
        const [index, list] = expectArray(args, 2, fn, where);
        const items = this.resolve(list as Json, where);
        const i = Number(this.resolve(index as Json, where));
        if (!Array.isArray(items) || !Number.isInteger(i) || i < 0 || i >= items.length) {
          throw new IntrinsicError(
            `${where}: Fn::Select index ${i} out of range of ${JSON.stringify(items)}`,
          );
        }
        return items[i] as Json;
      }
      case "Fn::Split": {
        const [delimiter, source] = expectArray(args, 2, fn, where);
        return this.resolveString(source as Json, where).split(String(delimiter));
      }
      case "Fn::If": {
        const [name, whenTrue, whenFalse] = expectArray(args, 3, fn, where);
        return this.walk((this.condition(String(name)) ? whenTrue : whenFalse) as Json, where);
      }
      case "Fn::Equals":
      case "Fn::And":
      case "Fn::Or":
      case "Fn::Not":
        return this.evaluateCondition({ [fn]: args }, where);
      case "Fn::FindInMap": {
        const [map, top, second] = expectArray(args, 3, fn, where).map((a) =>
          this.resolveString(a as Json, where),
        );
        const found = this.template.Mappings?.[map as string]?.[top as string]?.[second as string];
        if (found === undefined)
          throw new IntrinsicError(`${where}: Fn::FindInMap ${map}.${top}.${second} not found`);
        return this.walk(found, where);
      }
      case "Fn::Base64":
        return Buffer.from(this.resolveString(args, where)).toString("base64");
      case "Fn::GetAZs":
        return ["a", "b", "c"].map((az) => `${this.pseudo.region}${az}`);
      default:
        throw new IntrinsicError(`${where}: intrinsic ${fn} is not supported by the embedded local cloud`);
    }
  }

  private ref(name: string, where: string): Resolved {
    switch (name) {
      case "AWS::Region":
        return this.pseudo.region;
      case "AWS::AccountId":
        return this.pseudo.accountId;
      case "AWS::StackName":
        return this.pseudo.stackName;
      case "AWS::StackId":
        return `arn:${this.partition}:cloudformation:${this.pseudo.region}:${this.pseudo.accountId}:stack/${this.pseudo.stackName}/00000000-0000-0000-0000-000000000000`;
      case "AWS::Partition":
        return this.partition;
      case "AWS::URLSuffix":
        return this.pseudo.urlSuffix ?? "amazonaws.com";
      case "AWS::NotificationARNs":
        return [];
      case "AWS::NoValue":
        return NO_VALUE;
    }
    const resource = this.resources.get(name);
    if (resource) return resource.ref;
    const parameter = this.template.Parameters?.[name];
    if (parameter) {
      const value = this.parameterValues[name] ?? parameter.Default;
      if (value === undefined)
        throw new IntrinsicError(`${where}: parameter ${name} has no value and no default`);
      return value;
    }
    throw new IntrinsicError(`${where}: Ref to unknown resource or parameter ${name}`);
  }

  private getAtt(logicalId: string, attribute: string, where: string): string {
    const resource = this.resources.get(logicalId);
    if (!resource) throw new IntrinsicError(`${where}: Fn::GetAtt on unknown resource ${logicalId}`);
    const value = resource.attributes[attribute];
    if (value === undefined) {
      const known = Object.keys(resource.attributes).join(", ") || "none";
      throw new IntrinsicError(
        `${where}: attribute ${attribute} of ${logicalId} is not emulated (available: ${known})`,
      );
    }
    return value;
  }

  private sub(args: Json, where: string): string {
    const [text, variables] = Array.isArray(args) ? [String(args[0]), args[1]] : [String(args), undefined];
    const vars = isObject(variables) ? variables : {};
    return text.replace(/\$\{([^}]*)\}/g, (_match, expression: string) => {
      if (expression.startsWith("!")) return `\${${expression.slice(1)}}`;
      if (expression in vars) return scalar(this.resolve(vars[expression] as Json, where), "Fn::Sub", where);
      if (expression.includes(".") && !expression.startsWith("AWS::")) {
        const [logicalId, attribute] = splitOnce(expression, ".");
        return this.getAtt(logicalId, attribute, where);
      }
      return scalar(this.ref(expression, where) as Json, "Fn::Sub", where);
    });
  }

  private get partition(): string {
    return this.pseudo.partition ?? "aws";
  }
}

function singleEntry(value: Record<string, Json>, where: string): [string, Json] {
  const entries = Object.entries(value);
  const entry = entries[0];
  if (entries.length !== 1 || !entry) throw new IntrinsicError(`${where}: expected one intrinsic function`);
  return entry;
}

function expectArray(args: Json, length: number, fn: string, where: string): Json[] {
  if (!Array.isArray(args) || args.length !== length) {
    throw new IntrinsicError(
      `${where}: ${fn} takes a list of ${length} arguments, got ${JSON.stringify(args)}`,
    );
  }
  return args;
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  if (at < 0) throw new IntrinsicError(`cannot split ${text} on ${separator}`);
  return [text.slice(0, at), text.slice(at + 1)];
}

function scalar(value: Json, fn: string, where: string): string {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return String(value);
  throw new IntrinsicError(`${where}: ${fn} needs strings, got ${JSON.stringify(value)}`);
}
