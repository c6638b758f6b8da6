/**
 * The topic custom resource's function (in the cluster VPC): a @platformatic/kafka admin client
 * signed with the MSK IAM signer, brokers from `GetBootstrapBrokers`. Answers CloudFormation itself.
 */
import { KafkaClient } from "@aws-sdk/client-kafka";
import { Admin } from "@platformatic/kafka";
import type { CloudFormationCustomResourceEvent, Context } from "aws-lambda";
import { generateAuthToken } from "aws-msk-iam-sasl-signer-js";
import { readEnv } from "../shared/env.js";
import { respondToCloudFormation } from "./custom-resource.js";
import { bootstrapBrokerDiscovery, iamTokenProvider, kafkaTls, mskIamSasl } from "./msk-connection.js";
import { handleTopicRequest } from "./topic-resource.js";

const env = readEnv(["AWS_REGION"]);
const kafka = new KafkaClient({});
const token = iamTokenProvider({ generate: () => generateAuthToken({ region: env.AWS_REGION }) });

/** CloudFormation custom resource handler (`Custom::KafkaTopic`). */
export const handler = async (event: CloudFormationCustomResourceEvent, context: Context): Promise<void> => {
  const admins: Admin[] = [];
  try {
    await respondToCloudFormation(event, context, (e) =>
      handleTopicRequest(e, async (clusterArn) => {
        const admin = new Admin({
          clientId: "msk-lambda-stream-topic-admin",
          bootstrapBrokers: await bootstrapBrokerDiscovery(kafka, clusterArn)(),
          sasl: mskIamSasl(token),
          ...kafkaTls(),
        });
        admins.push(admin);
        return admin;
      }),
    );
  } finally {
    await Promise.allSettled(admins.map((a) => a.close()));
  }
};
