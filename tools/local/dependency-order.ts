import type { Json, TemplateResource } from "./template.ts";
import { isObject } from "./template.ts";

/** Thrown when the template's references form a cycle (CloudFormation rejects such a template too). */
export class DependencyCycleError extends Error {
  override readonly name = "DependencyCycleError";
  constructor(readonly logicalIds: readonly string[]) {
    super(`circular dependency between resources: ${logicalIds.join(", ")}`);
  }
}

/**
 * The resources `resource` depends on, as CloudFormation sees them: `Ref` and `Fn::GetAtt` anywhere
 * in its properties, `${Name}` / `${Name.Attribute}` inside `Fn::Sub` strings, and `DependsOn`.
 * Only names of `known` resources count (parameters and pseudo parameters are not resources).
 */
export function dependenciesOf(resource: TemplateResource, known: ReadonlySet<string>): Set<string> {
  const found = new Set<string>();
  const add = (name: string) => {
    if (known.has(name)) found.add(name);
  };
  const walk = (value: Json | undefined): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    if (!isObject(value)) return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === "Ref" && typeof inner === "string") add(inner);
      else if (key === "Fn::GetAtt") {
        const target = Array.isArray(inner) ? inner[0] : typeof inner === "string" ? inner.split(".")[0] : "";
        if (typeof target === "string") add(target);
        walk(Array.isArray(inner) ? inner.slice(1) : undefined);
      } else if (key === "Fn::Sub") {
        const text = Array.isArray(inner) ? inner[0] : inner;
        if (typeof text === "string") {
          for (const match of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
            add((match[1] ?? "").split(".")[0] ?? "");
          }
        }
        if (Array.isArray(inner)) walk(inner.slice(1));
      } else walk(inner);
    }
  };
  walk(resource.Properties);
  const dependsOn = resource.DependsOn;
  for (const name of typeof dependsOn === "string" ? [dependsOn] : (dependsOn ?? [])) add(name);
  return found;
}

/**
 * Orders resources so that each comes after everything it references, in waves: every resource of a
 * wave depends only on earlier waves, so a wave can be created concurrently. Within a wave the
 * template's order is kept. A cycle throws {@link DependencyCycleError}.
 */
export function dependencyWaves(resources: ReadonlyMap<string, TemplateResource>): string[][] {
  const known = new Set(resources.keys());
  const pending = new Map<string, Set<string>>();
  for (const [logicalId, resource] of resources) {
    const deps = dependenciesOf(resource, known);
    deps.delete(logicalId);
    pending.set(logicalId, deps);
  }
  const waves: string[][] = [];
  const done = new Set<string>();
  while (pending.size > 0) {
    const wave = [...pending].filter(([, deps]) => [...deps].every((d) => done.has(d))).map(([id]) => id);
    if (wave.length === 0) throw new DependencyCycleError([...pending.keys()]);
    for (const id of wave) {
      pending.delete(id);
      done.add(id);
    }
    waves.push(wave);
  }
  return waves;
}
