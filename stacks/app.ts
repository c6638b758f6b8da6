#!/usr/bin/env node
import { App } from "aws-cdk-lib";
import { MskLambdaStreamStack } from "./msk-lambda-stream-stack.js";
import { SagaChoreographyStack } from "./saga-choreography-stack.js";
import { SfnSagaStack } from "./sfn-saga-stack.js";
import { SnsPubsubBridgeStack } from "./sns-pubsub-bridge-stack.js";
import { SnsSqsFanoutStack } from "./sns-sqs-fanout-stack.js";
import { SqsDlqRedriveStack } from "./sqs-dlq-redrive-stack.js";
import { tagTestDeployment } from "./test-deployment-tag.js";

/** The only `new App()` in the repository: every deployable example stack is added here. */
const app = new App();
// A test deployment (`-c serverless-messaging:test-deployment=true`) says so on every stack.
tagTestDeployment(app);
new SnsSqsFanoutStack(app, "SnsSqsFanoutStack", {
  description:
    "SNS to SQS fan-out with per-subscriber DLQs, filters and idempotent consumers (sns-sqs-fanout)",
});
new SqsDlqRedriveStack(app, "SqsDlqRedriveStack", {
  description: "SQS work queue with backoff, DLQ with reasons, alarms and redrive (sqs-dlq-redrive)",
});
new SagaChoreographyStack(app, "SagaChoreographyStack", {
  description:
    "Order saga by choreography on EventBridge with per-service queues and a stuck-saga watchdog (saga-choreography)",
});
new SfnSagaStack(app, "SfnSagaStack", {
  description: "Place-order saga on Step Functions with reverse compensations and alerting (sfn-saga)",
});
new SnsPubsubBridgeStack(app, "SnsPubsubBridgeStack", {
  description:
    "SNS and Google Cloud Pub/Sub bridged both ways, WIF out and verified push tokens in (sns-pubsub-bridge)",
});
new MskLambdaStreamStack(app, "MskLambdaStreamStack", {
  description:
    "MSK Serverless (IAM auth) with a Lambda producer and a Kafka event source consumer (msk-lambda-stream)",
});
app.synth();
