import { formatCoreLedger } from "../kit/ledger.ts";
import type { StreamLedger } from "./scenario.ts";

/** Renders an msk-lambda-stream ledger: produced/consumed, exactly-once, order, poison and failures with offsets, lag. */
export function formatStreamLedger(ledger: StreamLedger): string {
  const d = ledger.details;
  const injected = Object.entries(d.injected)
    .map(([k, n]) => `${n} ${k}`)
    .join(", ");
  return formatCoreLedger(ledger, {
    headline: `${d.produced} events over ${d.entities.length} keys, faults ${d.faults ? "on" : "off"}, consumer FAULT_INJECTION: ${d.faultInjection || "off"}`,
    body: [
      `produced ${d.produced} events (+${d.poisonSent} malformed, +${d.stuckSent} stuck); consumed: ${d.appliedOnce} applied once, ${d.duplicates} applied twice, ${d.orderViolations} per-key order violations`,
      `faults injected by the consumer: ${injected || "none"}`,
      ...d.poison.map(
        (p) => `  poison skipped by the consumer: ${p.topicPartition} offset ${p.offset} (${p.errorType})`,
      ),
      ...d.failures.map(
        (f) =>
          `  on-failure destination: ${f.topicPartition} offsets ${f.firstOffset}..${f.lastOffset} (${f.condition})`,
      ),
      `offsets: ${d.offsetsOnTopic} on the topic = ${d.appliedOnce} applied + ${d.poison.length} poison + ${d.deadLetteredOffsets} dead-lettered (${d.unaccountedOffsets} unaccounted); consumer group lag ${d.lag}`,
      `throughput: ${d.eventsPerSecond.toFixed(0)} events/s applied`,
    ],
    okLine:
      "every event applied exactly once in per-key order, poison and stuck records accounted for with their offsets, lag 0",
  });
}
