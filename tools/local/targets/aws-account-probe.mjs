// Child process of aws-account.ts: resolves credentials and region with the AWS SDK's default chain
// from THIS process's environment (the one `cdk deploy` gets), then asks CloudFormation whether the
// stack named by argv[2] exists and how it is tagged. Prints one JSON line; always exits 0 unless it
// crashed. Plain JavaScript so any Node runs it without a TypeScript loader.
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";

const stackName = process.argv[2] ?? "";
const print = (result) => process.stdout.write(`${JSON.stringify(result)}\n`);
const client = new CloudFormationClient({});
try {
  let region;
  try {
    await client.config.credentials();
    region = await client.config.region();
  } catch (error) {
    print({ kind: "no-credentials", reason: error instanceof Error ? error.message : String(error) });
    process.exit(0);
  }
  try {
    const { Stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = Stacks[0];
    print({
      kind: "ready",
      region,
      stack: stack
        ? {
            status: stack.StackStatus ?? "UNKNOWN",
            tags: Object.fromEntries((stack.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
          }
        : null,
    });
  } catch (error) {
    const name = error instanceof Error ? error.name : "Error";
    const message = error instanceof Error ? error.message : String(error);
    // DescribeStacks answers a stack that does not exist with a ValidationError, not an empty list.
    if (name === "ValidationError" && /does not exist/.test(message))
      print({ kind: "ready", region, stack: null });
    else print({ kind: "stack-check-failed", region, reason: `${name}: ${message}` });
  }
} finally {
  client.destroy();
}
