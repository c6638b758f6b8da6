import { formatCoreLedger, tally } from "../kit/ledger.ts";
import type { DirectionLedger } from "./judge.ts";
import type { BridgeLedger } from "./scenario.ts";

const row = (label: string, d: DirectionLedger) =>
  `${label}: ${d.forwarded}/${d.sent} forwarded, ${d.duplicates} applied twice, ${d.lost} lost, ` +
  `${d.deadLettered.length}/${d.invalidSent} invalid dead-lettered; p50 ${d.latencyMs.p50} ms, p95 ${d.latencyMs.p95} ms, ${d.eventsPerSecond} events/s`;

/** Renders an sns-pubsub-bridge ledger: each direction, the push side's faults, dead-letter reasons, the verdict. */
export function formatBridgeLedger(ledger: BridgeLedger): string {
  const d = ledger.details;
  const g = d.fromGoogle;
  const scope =
    d.directions === "both"
      ? `${d.toGoogle.sent} events each way`
      : d.directions === "to-google"
        ? `${d.toGoogle.sent} events AWS → Google only`
        : `${g.sent} events Google → AWS only`;
  return formatCoreLedger(ledger, {
    headline: `${scope}, scenario faults ${d.faults ? "on" : "off"}, function faults: ${d.faultInjection || "off"}`,
    body: [
      row("AWS → Google", d.toGoogle),
      row("Google → AWS", g),
      `push: ${g.duplicatePushes} duplicate pushes, ${g.rejectedTokens}/${g.badTokensSent} forged or expired tokens rejected (401/403), ${g.retriedPushes} attempts answered 5xx and retried`,
      ...tally(d.toGoogle.deadLettered.map((x) => `AWS forward DLQ: ${x.reason}`)).map((l) => `  ${l}`),
      ...tally(g.deadLettered.map((x) => `Pub/Sub dead-letter topic: ${x.reason}`)).map((l) => `  ${l}`),
    ],
    okLine: `every event forwarded exactly once ${d.directions === "both" ? "each way" : "that way"}, every bad token rejected, every invalid event dead-lettered with its reason`,
  });
}
