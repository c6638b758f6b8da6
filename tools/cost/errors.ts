/**
 * Typed errors of the cost tool. The CLI catches them by class (never by message text) and prints
 * their message on one line: every message already names the CLI flag or the catalogue file.
 */

/** One problem with one workload field. */
export interface WorkloadIssue {
  /** The workload field, e.g. `payloadBytes`. */
  readonly field: string;
  /** The CLI flag that sets it, e.g. `--size` (what a CLI user must change). */
  readonly flag: string;
  /** What is wrong, in words, naming the allowed range. */
  readonly message: string;
}

/**
 * A workload the model cannot price: a field out of range, or a workload beyond what a sizer
 * can build. `issues` lists every bad field; the message names the flags, not the fields.
 */
export class WorkloadError extends Error {
  readonly issues: readonly WorkloadIssue[];
  constructor(issues: readonly WorkloadIssue[]) {
    super(`invalid workload: ${issues.map((i) => `${i.flag}: ${i.message}`).join("; ")}`);
    this.name = "WorkloadError";
    this.issues = issues;
  }
}

/**
 * A price catalogue that is missing, unreadable, malformed, or lacks a price the model reads.
 * `problems` lists each one; `file` is the catalogue path (or where it came from).
 */
export class CatalogueError extends Error {
  readonly file: string;
  readonly problems: readonly string[];
  constructor(file: string, summary: string, problems: readonly string[] = []) {
    super(problems.length > 0 ? `${summary}:\n  ${problems.join("\n  ")}` : summary);
    this.name = "CatalogueError";
    this.file = file;
    this.problems = problems;
  }
}
