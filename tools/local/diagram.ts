import type { Json, Template, TemplateResource } from "./template.ts";
import { isObject } from "./template.ts";

const SHAPES: Record<string, { open: string; close: string; kind: string }> = {
  "AWS::SNS::Topic": { open: "{{", close: "}}", kind: "SNS topic" },
  "AWS::SQS::Queue": { open: "[/", close: "/]", kind: "SQS queue" },
  "AWS::Lambda::Function": { open: "([", close: "])", kind: "Lambda" },
  "AWS::DynamoDB::Table": { open: "[(", close: ")]", kind: "DynamoDB" },
};

/** Logical IDs referenced (`Ref`, `Fn::GetAtt`, `${X}` in `Fn::Sub`) anywhere inside `value`. */
export function referencedIds(value: Json | undefined): string[] {
  const found = new Set<string>();
  const walk = (v: Json | undefined) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObject(v)) {
      if (typeof v.Ref === "string") found.add(v.Ref);
      const getAtt = v["Fn::GetAtt"];
      if (Array.isArray(getAtt) && typeof getAtt[0] === "string") found.add(getAtt[0]);
      const sub = v["Fn::Sub"];
      const text =
        typeof sub === "string" ? sub : Array.isArray(sub) && typeof sub[0] === "string" ? sub[0] : "";
      for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)[.}]/g)) if (m[1]) found.add(m[1]);
      Object.values(v).forEach(walk);
    }
  };
  walk(value);
  return [...found];
}

/** A readable label: the construct path without the stack and `/Resource`, else the logical ID. */
function label(logicalId: string, resource: TemplateResource): string {
  const path = resource.Metadata?.["aws:cdk:path"];
  if (typeof path !== "string") return logicalId;
  return (
    path
      .split("/")
      .slice(1)
      .filter((p) => p !== "Resource" && p !== "Default")
      .join("/") || logicalId
  );
}

/** `{"data":{"status":["paid"]}}` → `data.status = paid`; other matchers are shown as JSON. */
export function describeFilter(policy: Json, prefix = ""): string {
  if (!isObject(policy)) return JSON.stringify(policy);
  return Object.entries(policy)
    .map(([key, value]) => {
      const path = prefix ? `${prefix}.${key}` : key;
      if (Array.isArray(value) && value.every((v) => typeof v === "string")) {
        return value.length === 1 ? `${path} = ${value[0]}` : `${path} in ${value.join(" | ")}`;
      }
      if (isObject(value) && !Array.isArray(value)) return describeFilter(value, path);
      return `${path} ${JSON.stringify(value)}`;
    })
    .join(" and ");
}

function quote(text: string): string {
  return `"${text.replaceAll('"', "#quot;")}"`;
}

/**
 * A Mermaid flowchart of a synthesized template's messaging resources: topics, queues, functions
 * and tables as nodes; SNS subscriptions (with filter policy, raw delivery and subscription DLQ),
 * queue redrive policies, event source mappings (batch size, partial batch responses) and the
 * resources each function's environment references as edges. Pure: reads only the template.
 */
export function mermaidDiagram(template: Template, title?: string): string {
  const resources = template.Resources;
  const lines = ["flowchart LR"];
  if (title) lines.unshift("---", `title: ${title}`, "---");
  const shown = new Set<string>();
  for (const [id, resource] of Object.entries(resources)) {
    const shape = SHAPES[resource.Type];
    if (!shape) continue;
    shown.add(id);
    lines.push(
      `  ${id}${shape.open}${quote(`${label(id, resource)}<br/><small>${shape.kind}</small>`)}${shape.close}`,
    );
  }
  const edge = (from: string, to: string, text?: string, dotted = false) => {
    if (!shown.has(from) || !shown.has(to)) return;
    const arrow = dotted ? "-.->" : "-->";
    lines.push(text ? `  ${from} ${arrow}|${quote(text)}| ${to}` : `  ${from} ${arrow} ${to}`);
  };
  for (const [id, resource] of Object.entries(resources)) {
    const p = resource.Properties ?? {};
    switch (resource.Type) {
      case "AWS::SNS::Subscription": {
        const [topic] = referencedIds(p.TopicArn);
        const [queue] = referencedIds(p.Endpoint);
        const notes: string[] = [];
        if (p.FilterPolicy) {
          notes.push(
            `${p.FilterPolicyScope === "MessageBody" ? "body" : "attribute"} filter ${describeFilter(p.FilterPolicy)}`,
          );
        }
        notes.push(p.RawMessageDelivery === true || p.RawMessageDelivery === "true" ? "raw" : "envelope");
        if (topic && queue) edge(topic, queue, notes.join(", "));
        const [dlq] = referencedIds(isObject(p.RedrivePolicy) ? p.RedrivePolicy : undefined);
        if (topic && dlq) edge(topic, dlq, "undeliverable (subscription DLQ)", true);
        break;
      }
      case "AWS::SQS::Queue": {
        const [dlq] = referencedIds(isObject(p.RedrivePolicy) ? p.RedrivePolicy : undefined);
        const max = isObject(p.RedrivePolicy) ? p.RedrivePolicy.maxReceiveCount : undefined;
        if (dlq) edge(id, dlq, `after ${String(max)} receives`, true);
        break;
      }
      case "AWS::Lambda::EventSourceMapping": {
        const [source] = referencedIds(p.EventSourceArn);
        const [fn] = referencedIds(p.FunctionName);
        const partial =
          Array.isArray(p.FunctionResponseTypes) &&
          p.FunctionResponseTypes.includes("ReportBatchItemFailures");
        if (source && fn)
          edge(source, fn, `batch ${String(p.BatchSize ?? 10)}${partial ? ", partial failures" : ""}`);
        break;
      }
      case "AWS::Lambda::Function": {
        const variables =
          isObject(p.Environment) && isObject(p.Environment.Variables) ? p.Environment.Variables : {};
        for (const [name, value] of Object.entries(variables)) {
          for (const target of referencedIds(value))
            if (target !== id)
              edge(id, target, name, resources[target]?.Type === "AWS::SQS::Queue" && name.includes("DLQ"));
        }
        break;
      }
    }
  }
  return lines.join("\n");
}
