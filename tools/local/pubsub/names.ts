/** Pub/Sub resource names: `projects/{project}/topics/{topic}`, `projects/{project}/subscriptions/{sub}`. */
import { invalidArgument } from "./errors.ts";

// Pub/Sub's rule: 3–255 characters, starts with a letter, then letters, digits and - _ . ~ + %.
const ID = /^[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/;

/** Throws INVALID_ARGUMENT unless `name` is a well-formed resource name of `kind`. */
export function checkName(name: string, kind: "topics" | "subscriptions"): string {
  const parts = name.split("/");
  if (
    parts.length !== 4 ||
    parts[0] !== "projects" ||
    !parts[1] ||
    parts[2] !== kind ||
    !ID.test(parts[3] ?? "")
  ) {
    throw invalidArgument(
      `Invalid resource name given (name=${name}). Refer to https://cloud.google.com/pubsub/docs/pubsub-basics#resource_names for more information.`,
    );
  }
  return name;
}
