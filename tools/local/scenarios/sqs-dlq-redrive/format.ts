import { formatCoreLedger, tally } from "../kit/ledger.ts";
import type { RedriveLedger } from "./scenario.ts";

/** Renders a redrive ledger: phases, the redrive, the DLQ reasons, the backoff evidence and the verdict. */
export function formatRedriveLedger(ledger: RedriveLedger): string {
  const d = ledger.details;
  const c = ledger.counts;
  return formatCoreLedger(ledger, {
    headline: `${d.sent.jobs} jobs, faults: ${d.faultInjection || "off"}, maxReceiveCount ${d.maxReceiveCount}`,
    body: [
      `phase 1 (switch on): ${d.dlqBefore}/${d.sent.permanent} failing jobs dead-lettered` +
        (d.olderDlqEntries > 0
          ? ` (the DLQ also held ${d.olderDlqEntries} older entries, left in place)`
          : ""),
      `redrive: ${d.redrive.strategy}${d.redrive.filtered ? " (this run's messages only)" : ""}, ${d.redrive.moved} moved in ${d.redrive.durationMs} ms`,
      `phase 2 (switch off): ${d.redriven}/${d.sent.permanent} dead-lettered jobs applied exactly once after the redrive, ` +
        `${c.applied}/${c.expected} jobs applied, ${d.dlqAfter} of this run's messages left in the DLQ`,
      ...d.backoff.map(
        (t) =>
          `backoff ${t.jobId}: ${t.attempts.map((a) => `receive ${a.receiveCount} → ${a.delaySeconds} s (next after ${a.nextReceiveAfterMs} ms)`).join(", ")}; applied on receive ${t.appliedOnReceive}`,
      ),
      `throughput: ${d.jobsPerSecond.toFixed(1)} jobs/s from the first send to the last effect`,
      ...(d.dlq.length > 0
        ? ["DLQ reasons:", ...tally(d.dlq.map((e) => `${e.errorType}: ${e.reason}`)).map((r) => `  ${r}`)]
        : []),
    ],
    okLine: "every job applied exactly once, the dead-lettered ones after the redrive, nothing lost",
  });
}
