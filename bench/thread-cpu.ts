/**
 * CPU time per thread of this process (Linux `/proc/self/task/<tid>/stat`), for benches that want
 * to say which thread a cost lands on: the local cloud runs every Lambda execution environment
 * (`lambda:<function>`, truncated by the kernel to 15 characters), dynalite and V8's own platform
 * threads (`V8Worker`: JIT and GC) in one process. Elsewhere the snapshot is empty.
 */
import { readdirSync, readFileSync } from "node:fs";

/** CPU milliseconds (user + system) by thread id, with the thread's name. */
export type ThreadCpu = ReadonlyMap<string, { readonly name: string; readonly cpuMs: number }>;

/** The CPU time of every live thread. */
export function threadCpu(): ThreadCpu {
  const threads = new Map<string, { name: string; cpuMs: number }>();
  let tids: string[] = [];
  try {
    tids = readdirSync("/proc/self/task");
  } catch {
    return threads;
  }
  const tick = 10; // USER_HZ is 100 on Linux: one clock tick is 10 ms.
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      threads.set(tid, { name, cpuMs: (Number(fields[11]) + Number(fields[12])) * tick });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return threads;
}

/**
 * CPU spent between two snapshots divided by `per` (e.g. events), by thread name; Lambda
 * environments one by one (`lambda:…#tid`), the others summed by name. Largest first.
 */
export function cpuPerUnit(before: ThreadCpu, after: ThreadCpu, per: number): string {
  const byName = new Map<string, number>();
  for (const [tid, { name, cpuMs }] of after) {
    const key = name.startsWith("lambda:") ? `${name}#${tid}` : name;
    byName.set(key, (byName.get(key) ?? 0) + cpuMs - (before.get(tid)?.cpuMs ?? 0));
  }
  return [...byName]
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, ms]) => `${name} ${(ms / per).toFixed(2)}`)
    .join(", ");
}
