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

/** One plain progress line: `redrive: 500/1000 moved, 0 skipped, 0 failed, 812 msg/s, ETA 1 s`. */
export function progressLine(p: RedriveProgress): string {
  const rate = rateOf(p);
  const left = Math.max(0, p.total - p.moved);
  const eta = rate > 0 ? `${Math.ceil(left / rate)} s` : "?";
  return `redrive: ${p.moved}/${p.total} moved, ${p.skipped} skipped, ${p.failed} failed, ${rate.toFixed(0)} msg/s, ETA ${eta}`;
}

/** The final human summary, a few lines. */
export function summaryText(s: RedriveSummary): string {
  const lines = [
    `${s.dryRun ? "dry run: would move" : "moved"} ${s.dryRun ? s.matched : s.moved} message(s) from ${s.from.url} to ${s.to} via ${s.strategy === "move-task" ? "SQS move task" : "own mover"} in ${(s.durationMs / 1000).toFixed(1)} s (${s.messagesPerSecond.toFixed(0)} msg/s)`,
  ];
  if (s.strategy === "mover") {
    lines.push(
      `received ${s.received}, matched ${s.matched}, skipped by filter ${s.skipped}, failed ${s.failed}, deferred ${s.deferred}, sent but not deleted ${s.deleteFailed}`,
    );
  } else {
    lines.push(`task ${s.taskStatus ?? "?"}${s.taskFailureReason ? `: ${s.taskFailureReason}` : ""}`);
  }
  for (const f of s.failures.slice(0, 10)) lines.push(`  stayed in DLQ: ${f.messageId}: ${f.reason}`);
  if (s.failures.length > 10) lines.push(`  … and ${s.failures.length - 10} more (see --json)`);
  if (s.cancelled) lines.push("cancelled: what was sent was also deleted; the rest is still in the DLQ");
  if (s.error) lines.push(`stopped by an error: ${s.error}`);
  return lines.join("\n");
}
