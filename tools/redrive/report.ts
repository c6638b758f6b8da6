import cliProgress from "cli-progress";
import type { RedriveProgress, RedriveSummary } from "../../functions/shared/redrive/types.ts";

/** Something that shows progress and is closed before the summary is printed. */
export interface ProgressView {
  update(progress: RedriveProgress): void;
  stop(): void;
}

/**
 * A progress bar with counts, rate and ETA on a terminal (cli-progress), plain lines at most once per
 * `intervalMs` otherwise (CI logs, pipes), nothing at all when `quiet`.
 */
export function progressView(
  stream: NodeJS.WriteStream,
  { quiet = false, intervalMs = 1000 }: { quiet?: boolean; intervalMs?: number } = {},
): ProgressView {
  if (quiet) return { update() {}, stop() {} };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format:
          "redrive |{bar}| {value}/{total} moved | {skipped} skipped | {failed} failed | {rate} msg/s | ETA {eta_formatted}",
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    let moved = -1;
    let rate = "0";
    return {
      update(p) {
        // The rate only moves when messages do (not while the mover makes its final empty poll).
        if (p.moved !== moved) {
          moved = p.moved;
          rate = rateOf(p).toFixed(0);
        }
        const payload = { skipped: p.skipped, failed: p.failed, rate };
        if (!started) {
          bar.start(Math.max(p.total, p.moved), p.moved, payload);
          started = true;
        }
        bar.setTotal(Math.max(p.total, p.moved));
        bar.update(p.moved, payload);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = 0;
  return {
    update(p) {
      if (p.elapsedMs - last < intervalMs) return;
      last = p.elapsedMs;
      stream.write(`${progressLine(p)}\n`);
    },
    stop() {},
  };
}

function rateOf(p: RedriveProgress): number {
  return p.elapsedMs > 0 ? (p.moved * 1000) / p.elapsedMs : 0;
}

/**
 * One plain progress line: `redrive: 500/1000 moved, 0 skipped, 0 failed, 812 msg/s, ETA 1 s`. The ETA counts
 * every message the run still has to deal with (skipped and failed ones take time too) when the mover reports
 * them, else the ones left to move.
 */
export function progressLine(p: RedriveProgress): string {
  const rate = rateOf(p);
  const eta = etaSeconds(p);
  return `redrive: ${p.moved}/${p.total} moved, ${p.skipped} skipped, ${p.failed} failed, ${rate.toFixed(0)} msg/s, ETA ${eta === undefined ? "?" : `${eta} s`}`;
}

function etaSeconds(p: RedriveProgress): number | undefined {
  if (p.total > 0 && p.moved >= p.total) return 0;
  if (p.handled !== undefined && p.plannedDepth !== undefined && p.handled > 0) {
    const left = Math.max(0, p.plannedDepth - p.handled);
    return Math.ceil((left * p.elapsedMs) / p.handled / 1000);
  }
  const rate = rateOf(p);
  return rate > 0 ? Math.ceil(Math.max(0, p.total - p.moved) / rate) : undefined;
}

const STOPPED: Record<NonNullable<RedriveSummary["stopReason"]>, (s: RedriveSummary) => string> = {
  drained: () => "stopped: the DLQ had nothing more for this run",
  "planned-depth": (s) =>
    `stopped at the planned depth: dealt with the ${s.plannedDepth} message(s) the DLQ held when the run started; later arrivals wait for the next run`,
  max: () => "stopped: --max reached",
  cancelled: () => "stopped: cancelled",
  error: () => "stopped: a call failed",
};

/** The final human summary, a few lines. */
export function summaryText(s: RedriveSummary): string {
  const lines = [
    `${s.dryRun ? "dry run: would move" : "moved"} ${s.dryRun ? s.matched : s.moved} message(s) from ${s.from.url} to ${s.to} via ${s.strategy === "move-task" ? "SQS move task" : "own mover"} in ${(s.durationMs / 1000).toFixed(1)} s (${s.messagesPerSecond.toFixed(0)} msg/s)`,
  ];
  if (s.strategy === "mover") {
    lines.push(
      `received ${s.received}, matched ${s.matched}, skipped ${s.skipped} (${s.skippedBy.filter} by filter, ${s.skippedBy.alreadyMoved} already moved by this run and back in the DLQ), failed ${s.failed}, deferred ${s.deferred}, sent but not deleted ${s.deleteFailed}`,
    );
    if (s.stopReason) lines.push(STOPPED[s.stopReason](s));
  } else {
    lines.push(`task ${s.taskStatus ?? "?"}${s.taskFailureReason ? `: ${s.taskFailureReason}` : ""}`);
  }
  for (const f of s.failures.slice(0, 10)) lines.push(`  stayed in DLQ: ${f.messageId}: ${f.reason}`);
  if (s.failures.length > 10) lines.push(`  … and ${s.failures.length - 10} more (see --json)`);
  const returned = s.skips.filter((k) => k.reason !== "did not match --filter");
  for (const k of returned.slice(0, 10)) lines.push(`  left in DLQ: ${k.messageId}: ${k.reason}`);
  if (returned.length > 10) lines.push(`  … and ${returned.length - 10} more (see --json)`);
  for (const w of s.warnings.slice(0, 10)) lines.push(`  moved with a warning: ${w.messageId}: ${w.reason}`);
  if (s.warnings.length > 10) lines.push(`  … and ${s.warnings.length - 10} more (see --json)`);
  if (s.cancelled) lines.push("cancelled: what was sent was also deleted; the rest is still in the DLQ");
  if (s.error) lines.push(`stopped by an error: ${s.error}`);
  return lines.join("\n");
}
