/** The in-process Google Cloud Pub/Sub emulator (gRPC, for `@google-cloud/pubsub` via PUBSUB_EMULATOR_HOST). */
export type { SubscriptionRequest } from "./apis/subscription-config.ts";
export { compileFilter } from "./filter.ts";
export { GOOGLE_ISSUER, LocalOidcIssuer, type PushTokenSigner, type TokenClaims } from "./oidc.ts";
export { pushBody } from "./push.ts";
export { type PubsubEmulator, type PubsubEmulatorOptions, startPubsubEmulator } from "./server.ts";
