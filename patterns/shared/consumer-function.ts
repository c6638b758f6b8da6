import { Annotations, type Duration } from "aws-cdk-lib";
import { type IFunction, Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import type { Construct } from "constructs";

/**
 * The timeout that drives a consumer queue's visibility timeout: the one given, else the existing
 * function's own configured timeout (a `lambda.Function` knows it), else `fallback` for a bundled
 * entry. `undefined` for an imported function without a given timeout: it cannot be validated.
 */
export function resolveConsumerTimeout(
  consumer: { readonly timeout?: Duration; readonly function?: IFunction },
  fallback: Duration,
): Duration | undefined {
  if (consumer.timeout) return consumer.timeout;
  if (consumer.function === undefined) return fallback;
  return consumer.function instanceof LambdaFunction ? (consumer.function.timeout ?? fallback) : undefined;
}

/**
 * Gives an existing consumer the environment the pattern's handler contract needs. An imported
 * function (not a `lambda.Function` of this app) cannot be changed here: the caller must set the
 * variables, and synth says so with a warning naming them.
 */
export function addConsumerEnvironment(
  scope: Construct,
  fn: IFunction,
  environment: Record<string, string>,
): void {
  if (fn instanceof LambdaFunction) {
    for (const [name, value] of Object.entries(environment)) fn.addEnvironment(name, value);
    return;
  }
  Annotations.of(scope).addWarningV2(
    "serverless-messaging:consumer-environment",
    `the existing consumer function is imported, so its environment cannot be set here; set ${Object.keys(environment).join(", ")} on it yourself`,
  );
}
