/**
 * dynalite (DynamoDB) in its own worker thread: its request parsing and LevelDB work then run on
 * another core than the SQS/SNS emulator, the event source pollers and the Lambda endpoint.
 * Plain Node.js (type stripping): imports nothing from the project but its sibling
 * `dynalite-expression-cache.ts`.
 */
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { parentPort } from "node:worker_threads";
import { memoizeConditionParser } from "./dynalite-expression-cache.ts";

type Server = import("node:http").Server;
const require = createRequire(import.meta.url);
const dynalite = require("dynalite") as (options: Record<string, number>) => Server;
// dynalite's validations call `conditionParser.parse` through this module object.
memoizeConditionParser(require("dynalite/db/conditionParser.js"));

const port = parentPort;
if (!port) throw new Error("the DynamoDB emulator must run in a worker thread");
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, "127.0.0.1", () => {
  port.postMessage({ type: "listening", port: (server.address() as AddressInfo).port });
});
port.on("message", (message: { type: string }) => {
  if (message.type !== "stop") return;
  server.closeAllConnections();
  server.close(() => port.postMessage({ type: "stopped" }));
});
