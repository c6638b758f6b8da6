import { createHash } from "node:crypto";

/**
 * A CloudFormation-style generated physical name, `<stack>-<logicalId>-<SUFFIX>`, truncated to the
 * service's limit. The suffix is a stable hash of stack and logical ID, so names are reproducible
 * between runs (handy when reading logs) and unique within a stack.
 */
export function physicalName(stackName: string, logicalId: string, maxLength: number, ending = ""): string {
  const suffix = createHash("sha256")
    .update(`${stackName}/${logicalId}`)
    .digest("hex")
    .slice(0, 12)
    .toUpperCase();
  const budget = maxLength - suffix.length - ending.length - 2;
  const stackPart = stackName.slice(0, Math.max(1, Math.floor(budget / 2)));
  const logicalPart = logicalId.slice(0, Math.max(1, budget - stackPart.length));
  return `${stackPart}-${logicalPart}-${suffix}${ending}`;
}
