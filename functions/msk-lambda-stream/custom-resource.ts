/**
 * A CloudFormation custom resource handler without the Provider framework: the function receives
 * CloudFormation's request and must PUT the response to the pre-signed `ResponseURL` itself (through
 * the S3 gateway endpoint in the VPC). Every path answers, including a function about to time out,
 * because an unanswered request leaves the stack waiting for an hour.
 */
import type { CloudFormationCustomResourceEvent, Context } from "aws-lambda";

/** What the resource's work returns. */
export interface CustomResourceResult {
  readonly physicalResourceId: string;
  readonly data?: Record<string, string>;
}

/** The response body CloudFormation expects. */
export interface CustomResourceResponse {
  Status: "SUCCESS" | "FAILED";
  Reason?: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  Data?: Record<string, string>;
}

/** Sends a response (S3 pre-signed PUT: no content type). */
export type ResponseSender = (url: string, body: CustomResourceResponse) => Promise<void>;

/** PUTs the response with fetch. */
export const putResponse: ResponseSender = async (url, body) => {
  const json = JSON.stringify(body);
  const response = await fetch(url, {
    method: "PUT",
    body: json,
    headers: { "content-type": "", "content-length": String(Buffer.byteLength(json)) },
  });
  if (!response.ok) throw new Error(`custom resource response PUT failed: HTTP ${response.status}`);
};

/**
 * Runs `work` and answers CloudFormation: SUCCESS with its physical ID and data, or FAILED with the
 * error's message (which names the topic). A failed Create answers with a `failed-` ID so the
 * Delete CloudFormation then sends can be recognised and skipped. Answers FAILED if `work` is still
 * running `safetyMs` before the function's timeout.
 */
export async function respondToCloudFormation(
  event: CloudFormationCustomResourceEvent,
  context: Pick<Context, "getRemainingTimeInMillis">,
  work: (event: CloudFormationCustomResourceEvent) => Promise<CustomResourceResult>,
  send: ResponseSender = putResponse,
  safetyMs = 5_000,
): Promise<CustomResourceResponse> {
  const base = {
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  };
  const fallbackId =
    event.RequestType === "Create" ? `failed-${event.RequestId}` : (event.PhysicalResourceId as string);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error("timed out before the function's deadline")),
      Math.max(0, context.getRemainingTimeInMillis() - safetyMs),
    );
  });
  let body: CustomResourceResponse;
  try {
    const result = await Promise.race([work(event), timeout]);
    body = { ...base, Status: "SUCCESS", PhysicalResourceId: result.physicalResourceId, Data: result.data };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    body = { ...base, Status: "FAILED", Reason: reason.slice(0, 3_000), PhysicalResourceId: fallbackId };
  } finally {
    clearTimeout(timer);
  }
  await send(event.ResponseURL, body);
  return body;
}
