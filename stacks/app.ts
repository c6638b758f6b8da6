#!/usr/bin/env node
import { App } from "aws-cdk-lib";
import { MskLambdaStreamStack } from "./msk-lambda-stream-stack.js";
import { SnsSqsFanoutStack } from "./sns-sqs-fanout-stack.js";
import { SqsDlqRedriveStack } from "./sqs-dlq-redrive-stack.js";

/** The only `new App()` in the repository: every deployable example stack is added here. */
const app = new App();
new SnsSqsFanoutStack(app, "SnsSqsFanoutStack", {
  description:
    "SNS to SQS fan-out with per-subscriber DLQs, filters and idempotent consumers (sns-sqs-fanout)",
});
new SqsDlqRedriveStack(app, "SqsDlqRedriveStack", {
  description: "SQS work queue with backoff, DLQ with reasons, alarms and redrive (sqs-dlq-redrive)",
});
new MskLambdaStreamStack(app, "MskLambdaStreamStack", {
  description:
    "MSK Serverless (IAM auth) with a Lambda producer and a Kafka event source consumer (msk-lambda-stream)",
});
app.synth();
