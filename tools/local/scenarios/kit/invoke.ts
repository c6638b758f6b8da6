import { GetFunctionConfigurationCommand, InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";

/** Thrown when an invoked function reports `FunctionError` (it threw, timed out or crashed). */
export class FunctionInvokeError extends Error {
  override readonly name = "FunctionInvokeError";
  constructor(
    readonly functionName: string,
    /** `Unhandled` or `Handled`, as Lambda reports it. */
    readonly functionError: string,
    /** The error payload the function returned. */
    readonly payload: string,
  ) {
    super(`${functionName} failed (${functionError}): ${payload}`);
  }
}

/**
 * Invokes a function synchronously (RequestResponse) with a JSON payload and returns its parsed JSON
 * result. Lambda answers 200 even when the function threw; the failure is only in `FunctionError`, so
 * this checks it and throws {@link FunctionInvokeError} instead of parsing an error as a result.
 */
export async function invokeJson<T>(
  lambda: LambdaClient,
  functionName: string,
  payload: unknown,
): Promise<T> {
  const response = await lambda.send(
    new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(payload)) }),
  );
  const text = Buffer.from(response.Payload ?? new Uint8Array()).toString("utf8");
  if (response.FunctionError) throw new FunctionInvokeError(functionName, response.FunctionError, text);
  return (text === "" ? null : JSON.parse(text)) as T;
}

/** A function's environment variables as deployed (`GetFunctionConfiguration`), e.g. to read its fault injection. */
export async function functionEnvironment(
  lambda: LambdaClient,
  functionName: string,
): Promise<Readonly<Record<string, string>>> {
  const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  return config.Environment?.Variables ?? {};
}
