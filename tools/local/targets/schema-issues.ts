import type { z } from "zod";

/** The first few problems of a failed parse, each as `path: message`, for a one-line boundary error. */
export function describeIssues(error: z.ZodError, max = 3): string {
  return error.issues
    .slice(0, max)
    .map((issue) => `${issue.path.join(".") || "(top level)"}: ${issue.message}`)
    .join("; ");
}
