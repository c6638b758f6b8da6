import { type App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { NAG_ACKNOWLEDGEMENTS_OFF } from "../../patterns/shared/nag.js";
import { createTestApp } from "./app.js";

/** One cdk-nag finding on one resource. */
export interface NagFinding {
  readonly rule: string;
  readonly path: string;
  readonly severity: string;
  readonly description: string;
}

/** One acknowledgement recorded on the construct tree. */
export interface NagAcknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/**
 * Builds a fresh app with `build`, synthesizes it (so aspects run) and returns the unacknowledged
 * findings of the AwsSolutions and Serverless packs. The packs run through `validateScope` on a
 * separate app: with plugins registered, cdk-nag 3 makes synth (and `Template.fromStack`) throw.
 */
export function nagFindings(build: (app: App) => void, context: Record<string, unknown> = {}): NagFinding[] {
  const app = createTestApp(context);
  build(app);
  app.synth();
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack.validateScope(app).violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => ({
        rule: violation.ruleName,
        path: resource.constructPath ?? "(unknown path)",
        severity: violation.severity ?? "error",
        description: violation.description,
      })),
    ),
  );
}

/** Every acknowledgement made with `Validations.of(x).acknowledge` anywhere under `root`. */
export function nagAcknowledgements(root: IConstruct): NagAcknowledgement[] {
  const found: NagAcknowledgement[] = [];
  for (const node of root.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [key, reason] of Object.entries(entry.data as Record<string, unknown>)) {
        found.push({ path: node.node.path, id: key.replace(/^annotation::/i, ""), reason: String(reason) });
      }
    }
  }
  return found;
}

/** An acknowledgement with the raw findings (acknowledgements off) it covers. */
export interface AcknowledgementCoverage extends NagAcknowledgement {
  readonly findings: readonly NagFinding[];
}

/**
 * Every acknowledgement of an app built by `build`, with the findings it covers when
 * acknowledgements are switched off: the same rule ID (finding included, e.g.
 * `AwsSolutions-IAM5[Resource::*]`) on the acknowledged construct or below it.
 */
export function acknowledgementCoverage(build: (app: App) => void): AcknowledgementCoverage[] {
  const app = createTestApp();
  build(app);
  // aws-cdk-lib acknowledges its own CloudFormation-Validate findings (VPC flow logs, literal AZs):
  // those are not cdk-nag acknowledgements of ours and no cdk-nag finding matches them.
  const acknowledgements = nagAcknowledgements(app).filter(
    (a) => !a.id.startsWith("CloudFormation-Validate::"),
  );
  const raw = nagFindings(build, { [NAG_ACKNOWLEDGEMENTS_OFF]: true });
  return acknowledgements.map((ack) => ({
    ...ack,
    findings: raw.filter(
      (f) => f.rule === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)),
    ),
  }));
}

/**
 * Acknowledgements of an app built by `build` that match no finding when acknowledgements are
 * switched off (stale ones, which would silently hide a future finding of the same rule).
 */
export function staleAcknowledgements(build: (app: App) => void): NagAcknowledgement[] {
  return acknowledgementCoverage(build)
    .filter((ack) => ack.findings.length === 0)
    .map(({ path, id, reason }) => ({ path, id, reason }));
}
