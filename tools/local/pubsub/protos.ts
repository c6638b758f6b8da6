/**
 * The Pub/Sub v1 service definitions, loaded from the protos that ship inside the installed
 * `@google-cloud/pubsub` (`build/protos/protos.json`, self-contained), so the emulator serves the
 * exact messages and field numbers the client it talks to was generated from.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type GrpcObject, loadPackageDefinition, type ServiceClientConstructor } from "@grpc/grpc-js";
import { fromJSON } from "@grpc/proto-loader";

const require = createRequire(import.meta.url);

export interface PubsubServices {
  readonly publisher: ServiceClientConstructor["service"];
  readonly subscriber: ServiceClientConstructor["service"];
}

let cached: PubsubServices | undefined;

/** The Publisher and Subscriber service definitions (loaded once per process). */
export function pubsubServices(): PubsubServices {
  if (cached) return cached;
  const root = dirname(require.resolve("@google-cloud/pubsub/package.json"));
  const json: unknown = require(join(root, "build", "protos", "protos.json"));
  // keepCase false: camelCase fields (ackDeadlineSeconds); longs as strings; defaults filled in.
  const definition = fromJSON(json as Parameters<typeof fromJSON>[0], {
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const loaded = loadPackageDefinition(definition);
  const v1 = ((loaded.google as GrpcObject).pubsub as GrpcObject).v1 as GrpcObject;
  cached = {
    publisher: (v1.Publisher as ServiceClientConstructor).service,
    subscriber: (v1.Subscriber as ServiceClientConstructor).service,
  };
  return cached;
}
